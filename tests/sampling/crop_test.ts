import { cropPatches, perturbPatches, splitQuadrants } from "../../src/sampling/crop.ts";
import { Rng } from "../../src/util/rng.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";

Deno.test("cropPatches copies the KxK window at each corner and refuses windows leaving the image", () => {
  const size = 6, images = new Float32Array(2 * size * size * 3).map((_, i) => i);
  const out = cropPatches(images, size, Int32Array.of(1), Int32Array.of(2, 3), 2);
  const at = (y: number, x: number, c: number) => images[((size + y) * size + x) * 3 + c];
  assertEquals(out[0], at(2, 3, 0));
  assertEquals(out[11], at(3, 4, 2));
  assertThrows(() => cropPatches(images, size, Int32Array.of(0), Int32Array.of(5, 0), 2), RangeError);
});

Deno.test("perturbPatches adds one colour shift per patch and channel plus per-pixel noise, both of the given std", () => {
  const k = 32, count = 400, std = 0.02;
  const x = perturbPatches(new Float32Array(count * k * k * 3), k, std, new Rng(7));
  const shifts: number[] = [];
  let noiseVar = 0;
  for (let b = 0; b < count; b++) {
    for (let c = 0; c < 3; c++) {
      let mean = 0;
      for (let p = 0; p < k * k; p++) mean += x[(b * k * k + p) * 3 + c];
      mean /= k * k;
      shifts.push(mean);
      for (let p = 0; p < k * k; p++) noiseVar += (x[(b * k * k + p) * 3 + c] - mean) ** 2;
    }
  }
  noiseVar /= count * 3 * k * k;
  const shiftVar = shifts.reduce((s, v) => s + v * v, 0) / shifts.length - (std * std) / (k * k);
  assert(Math.abs(Math.sqrt(noiseVar) - std) < 0.0005, `pixel noise std ${Math.sqrt(noiseVar)}`);
  assert(Math.abs(Math.sqrt(shiftVar) - std) < 0.003, `shift std ${Math.sqrt(shiftVar)}`);
});

Deno.test("splitQuadrants orders quadrants top-left, top-right, bottom-left, bottom-right, then patches", () => {
  const k = 4, x = new Float32Array(2 * k * k * 3).map((_, i) => i);
  const q = splitQuadrants(x, 2, k);
  const pixel = (b: number, y: number, xx: number) => x[((b * k + y) * k + xx) * 3];
  // quadrant 1 (top-right) of patch 1 starts at row 0, column 2 of patch 1
  assertEquals(q[(1 * 2 + 1) * 4 * 3], pixel(1, 0, 2));
  // quadrant 2 (bottom-left) of patch 0
  assertEquals(q[(2 * 2 + 0) * 4 * 3], pixel(0, 2, 0));
  assertEquals(q.length, x.length);
});
