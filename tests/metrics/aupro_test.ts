import { assertAlmostEquals, assertThrows } from "./_assert.ts";
import { aupro } from "../../src/metrics/aupro.ts";
import { labelComponents } from "../../src/metrics/components.ts";
import { Rng } from "../../src/util/rng.ts";

/**
 * Slow AUPRO following MVTec AD's official `compute_pro` + `trapezoid`: at every distinct
 * score t, PRO = mean over regions of overlap(t), FPR over normal pixels; add (0, 0) and (1, 1);
 * integrate to maxFpr with interpolation at maxFpr; divide by maxFpr.
 */
function bruteAupro(maps: Float32Array[], masks: Uint8Array[], width: number, maxFpr = 0.3): number {
  const regions: number[][] = []; // pixel ids (image * size + i) of each region
  const normals: number[] = [];
  masks.forEach((mask, m) => {
    const { labels, count } = labelComponents(mask, width);
    const own: number[][] = Array.from({ length: count }, () => []);
    labels.forEach((l, i) => (l === 0 ? normals.push(m * mask.length + i) : own[l - 1].push(m * mask.length + i)));
    regions.push(...own);
  });
  const size = maps[0].length;
  const score = (id: number) => maps[Math.floor(id / size)][id % size];
  const all = maps.flatMap((m) => Array.from(m));
  const xs = [0], ys = [0];
  for (const t of [...new Set(all)].sort((a, b) => b - a)) {
    xs.push(normals.filter((id) => score(id) >= t).length / normals.length);
    const overlaps = regions.map((r) => r.filter((id) => score(id) >= t).length / r.length);
    ys.push(overlaps.reduce((a, b) => a + b, 0) / regions.length);
  }
  xs.push(1);
  ys.push(1);
  let area = 0;
  for (let k = 1; k < xs.length; k++) {
    if (xs[k] <= maxFpr) area += 0.5 * (ys[k] + ys[k - 1]) * (xs[k] - xs[k - 1]);
    else {
      const y = ys[k - 1] + ((ys[k] - ys[k - 1]) * (maxFpr - xs[k - 1])) / (xs[k] - xs[k - 1]);
      area += 0.5 * (y + ys[k - 1]) * (maxFpr - xs[k - 1]);
      break;
    }
  }
  return area / maxFpr;
}

/** Images with a few rectangular defects and noisy maps that are higher on defects; some all-normal images. */
function randomSet(rng: Rng, images: number, width: number, levels: number) {
  const maps: Float32Array[] = [], masks: Uint8Array[] = [];
  for (let m = 0; m < images; m++) {
    const mask = new Uint8Array(width * width);
    if (m % 3 !== 2) {
      for (let r = 0; r < 1 + rng.int(3); r++) {
        const y0 = rng.int(width - 2), x0 = rng.int(width - 2), h = 1 + rng.int(4), w = 1 + rng.int(4);
        for (let y = y0; y < Math.min(width, y0 + h); y++) {
          for (let x = x0; x < Math.min(width, x0 + w); x++) mask[y * width + x] = 1;
        }
      }
    }
    const map = new Float32Array(width * width).map((_, i) => rng.int(levels) / levels + 0.3 * mask[i] * rng.next());
    maps.push(map);
    masks.push(mask);
  }
  return { maps, masks };
}

Deno.test("aupro() equals the official definition evaluated threshold by threshold, with ties", () => {
  const rng = new Rng(31);
  for (const levels of [3, 10, 1000]) {
    for (const maxFpr of [0.3, 0.05, 1]) {
      const { maps, masks } = randomSet(rng, 5, 12, levels);
      assertAlmostEquals(aupro(maps, masks, 12, { maxFpr }), bruteAupro(maps, masks, 12, maxFpr), 1e-9);
    }
  }
});

Deno.test("aupro() weighs every region equally and is 1 for a perfect map", () => {
  // One big region found perfectly, one single-pixel region scored like the background.
  const width = 8;
  const mask = new Uint8Array(64), map = new Float32Array(64);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) mask[y * width + x] = 1, map[y * width + x] = 1;
  mask[63] = 1;
  assertAlmostEquals(aupro([map], [mask], width), bruteAupro([map], [mask], width), 1e-12);
  const perfect = mask.map((v) => v);
  assertAlmostEquals(aupro([Float32Array.from(perfect)], [mask], width), 1, 1e-12);
  const constant = new Float32Array(64);
  assertAlmostEquals(aupro([constant], [mask], width), 0.15, 1e-12); // straight line (0,0)-(1,1): area 0.045 / 0.3
});

Deno.test("aupro() throws a RangeError without defect regions or without normal pixels", () => {
  assertThrows(() => aupro([new Float32Array(4)], [new Uint8Array(4)], 2), RangeError, "0 regions");
  assertThrows(() => aupro([new Float32Array(4)], [new Uint8Array(4).fill(1)], 2), RangeError, "0 normal pixels");
  assertThrows(() => aupro([new Float32Array(4)], [new Uint8Array(3)], 2), RangeError, "mask 0");
});

Deno.test("aupro() of a hand-made 4x4 map: one region found at once, one found after 2 of 14 normal pixels", () => {
  // region A = pixel (0,0) scores 0.9; region B = pixel (3,3) scores 0.1 (two regions, not touching);
  // normal pixels (0,3) and (3,0) score 0.5, the other 12 normal pixels 0.
  // thresholds 0.9, 0.5, 0.1, 0 give (FPR, PRO) = (0, 1/2), (2/14, 1/2), (2/14, 1), (1, 1), after (0, 0).
  // area up to FPR 0.3: (1/7 - 0) * 1/2 + (0.3 - 1/7) * 1 = 1/14 + 3/10 - 1/7 = 16/70; divided by 0.3 -> 16/21
  // area up to FPR 1: 1/14 + (1 - 1/7) = 13/14
  const map = new Float32Array(16), mask = new Uint8Array(16);
  map[0] = 0.9;
  map[15] = 0.1;
  map[3] = map[12] = 0.5;
  mask[0] = mask[15] = 1;
  assertAlmostEquals(aupro([map], [mask], 4), 16 / 21, 1e-6);
  assertAlmostEquals(aupro([map], [mask], 4, { maxFpr: 1 }), 13 / 14, 1e-6);
});
