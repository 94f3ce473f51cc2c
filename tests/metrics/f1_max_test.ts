import { assertEquals, assertThrows } from "./_assert.ts";
import { f1Max, pixelF1Max } from "../../src/metrics/f1_max.ts";
import { Rng } from "../../src/util/rng.ts";
import { randomProblem } from "./_random.ts";

/** Try every distinct score, highest first, as the threshold; keep the first best. */
function bruteF1Max(scores: ArrayLike<number>, labels: ArrayLike<number>): { f1: number; threshold: number } {
  const s = Array.from(scores), l = Array.from(labels);
  let best = { f1: -1, threshold: NaN };
  for (const t of [...new Set(s)].sort((a, b) => b - a)) {
    let tp = 0, fp = 0, fn = 0;
    s.forEach((v, i) => {
      if (v >= t && l[i]) tp++;
      else if (v >= t) fp++;
      else if (l[i]) fn++;
    });
    const f1 = (2 * tp) / (2 * tp + fp + fn);
    if (f1 > best.f1) best = { f1, threshold: t };
  }
  return best;
}

Deno.test("f1Max() equals the brute-force maximum over all thresholds, with ties", () => {
  const rng = new Rng(5);
  for (const distinct of [2, 6, 50, 1e6]) {
    for (const n of [2, 25, 400]) {
      const { scores, labels } = randomProblem(rng, n, distinct);
      assertEquals(f1Max(scores, labels), bruteF1Max(scores, labels));
    }
  }
  assertEquals(f1Max([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), { f1: 0.8, threshold: 0.35 });
});

Deno.test("pixelF1Max() pools the pixels of all maps", () => {
  const a = randomProblem(new Rng(8), 100, 12), b = randomProblem(new Rng(9), 80, 12);
  const pooled = bruteF1Max([...a.scores, ...b.scores], [...a.labels, ...b.labels]);
  assertEquals(pixelF1Max([a.scores, b.scores], [a.labels, b.labels]), pooled);
});

Deno.test("f1Max() throws a RangeError without anomalous samples", () => {
  assertThrows(() => f1Max([0.1, 0.2], [0, 0]), RangeError, "anomalous");
});
