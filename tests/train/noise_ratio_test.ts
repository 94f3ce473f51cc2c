/** The probe's noise measurement: how far pixel noise moves codes, relative to how far apart patches' codes are. */

import { assert, assertEquals } from "../assert.ts";
import { drawProbe, noiseRatio, PROBE_NOISE_STD } from "../../src/train/activation_probe.ts";

Deno.test("noiseRatio() is the mean noise displacement over the mean pairwise distance", () => {
  // three codes on a line at 0, 3, 6 (d = 1): pairwise 3, 6, 3 -> mean 4; displacements 1, 0, 2 -> mean 1
  const clean = new Float32Array([0, 3, 6]), noisy = new Float32Array([1, 3, 4]);
  assertEquals(noiseRatio(clean, noisy, 3, 1), 1 / 4);
  // over the first code alone: 1 / 4
  assertEquals(noiseRatio(clean, noisy, 3, 1, [0]), 1 / 4);
  assertEquals(noiseRatio(clean, noisy, 3, 1, [2]), 2 / 4);
});

Deno.test("noiseRatio() of identical codes: 0 when noise does not move them, Infinity when it does", () => {
  const same = new Float32Array([1, 1, 1, 1]);
  assertEquals(noiseRatio(same, same, 2, 2), 0);
  assertEquals(noiseRatio(same, new Float32Array([1, 1, 1, 2]), 2, 2), Infinity);
});

Deno.test("drawProbe(): the flat quarter is the patches with the least pixel variation; noise has the stated std", () => {
  // 4 images of 8x8: images 0 and 2 constant, 1 and 3 a checkerboard
  const size = 8, count = 4, px = size * size * 3;
  const images = new Float32Array(count * px);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < size * size; p++) {
      const v = i % 2 === 0 ? 0.1 : ((p + Math.floor(p / size)) % 2 ? 0.5 : -0.5);
      images.fill(v, i * px + 3 * p, i * px + 3 * p + 3);
    }
  }
  const probe = drawProbe({ images, count, size }, 4, 0, 16);
  assertEquals(probe.flat.length, 4);
  const per = 4 * 4 * 3;
  for (const i of probe.flat) {
    const patch = probe.patches.subarray(i * per, (i + 1) * per);
    assert(patch.every((v) => Math.abs(v - 0.1) < 1e-6), "a flat-quarter patch comes from a constant image");
  }
  let s = 0;
  for (let i = 0; i < probe.noisy.length; i++) s += (probe.noisy[i] - probe.patches[i]) ** 2;
  const std = Math.sqrt(s / probe.noisy.length);
  assert(Math.abs(std - PROBE_NOISE_STD) < 0.1 * PROBE_NOISE_STD, `noise std ${std}`);
});
