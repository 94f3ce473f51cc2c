import { assertAlmostEquals, assertEquals, assertThrows } from "./_assert.ts";
import { auroc, rocCurve } from "../../src/metrics/auroc.ts";
import { Rng } from "../../src/util/rng.ts";
import { bruteAuroc, randomProblem } from "./_random.ts";

Deno.test("auroc() equals O(n^2) pair counting with ties, for float32, float64 and plain arrays", () => {
  const rng = new Rng(7);
  for (const distinct of [2, 5, 40, 100000]) {
    for (const n of [2, 17, 300]) {
      const { scores, labels } = randomProblem(rng, n, distinct);
      const expected = bruteAuroc(scores, labels);
      assertAlmostEquals(auroc(scores, labels), expected, 1e-12);
      assertAlmostEquals(auroc(Float64Array.from(scores), labels), expected, 1e-12);
      assertAlmostEquals(auroc(Array.from(scores), Array.from(labels)), expected, 1e-12);
    }
  }
});

Deno.test("auroc() treats any nonzero label as anomalous and gives 0.5 for constant scores", () => {
  assertEquals(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 255, 255]), 0.75);
  assertEquals(auroc([1, 1, 1], [0, 1, 1]), 0.5);
});

Deno.test("auroc() throws a RangeError naming the counts when only one class is present", () => {
  assertThrows(() => auroc([0.1, 0.2], [0, 0]), RangeError, "found 0 anomalous and 2 normal");
  assertThrows(() => auroc([0.1, 0.2], [1, 1]), RangeError, "found 2 anomalous and 0 normal");
  assertThrows(() => auroc([0.1, NaN], [0, 1]), RangeError, "NaN");
  assertThrows(() => auroc([0.1], [0, 1]), RangeError, "labels");
});

Deno.test("rocCurve() has one point per distinct threshold, each matching brute-force rates", () => {
  const { scores, labels } = randomProblem(new Rng(3), 200, 30);
  const curve = rocCurve(scores, labels);
  const distinct = [...new Set(scores)].sort((a, b) => b - a);
  assertEquals(curve.fpr.length, distinct.length + 1);
  assertEquals([curve.fpr[0], curve.tpr[0], curve.thresholds[0]], [0, 0, Infinity]);
  const numPositive = labels.reduce((s, l) => s + l, 0), numNegative = labels.length - numPositive;
  distinct.forEach((t, k) => {
    let tp = 0, fp = 0;
    scores.forEach((s, i) => {
      if (s >= t) labels[i] ? tp++ : fp++;
    });
    assertEquals([curve.thresholds[k + 1], curve.tpr[k + 1], curve.fpr[k + 1]], [
      t,
      tp / numPositive,
      fp / numNegative,
    ]);
  });
  // The trapezoid area under the curve is the AUROC.
  let area = 0;
  for (let k = 1; k < curve.fpr.length; k++) {
    area += 0.5 * (curve.tpr[k] + curve.tpr[k - 1]) * (curve.fpr[k] - curve.fpr[k - 1]);
  }
  assertAlmostEquals(area, auroc(scores, labels), 1e-12);
});

Deno.test("rocCurve({ maxPoints }) keeps at most maxPoints points, both ends, and the curve's shape", () => {
  const { scores, labels } = randomProblem(new Rng(4), 20000, 1e9);
  const full = rocCurve(scores, labels);
  for (const maxPoints of [3, 10, 1000]) {
    const thin = rocCurve(scores, labels, { maxPoints });
    const last = thin.fpr.length - 1;
    if (!(thin.fpr.length <= maxPoints)) throw new Error(`${thin.fpr.length} points > ${maxPoints}`);
    assertEquals([thin.fpr[0], thin.tpr[0], thin.fpr[last], thin.tpr[last]], [0, 0, 1, 1]);
    let area = 0;
    for (let k = 1; k <= last; k++) area += 0.5 * (thin.tpr[k] + thin.tpr[k - 1]) * (thin.fpr[k] - thin.fpr[k - 1]);
    if (maxPoints === 1000) assertAlmostEquals(area, auroc(scores, labels), 2e-3);
  }
  if (!(full.fpr.length > 1000)) throw new Error("test needs a long curve");
});

Deno.test("auroc() of hand-made scores is the share of (anomalous, normal) pairs ranked right, a tie counting 1/2", () => {
  // anomalous 0.35, 0.8; normal 0.1, 0.4: pairs 0.35>0.1 yes, 0.35>0.4 no, 0.8>0.1 yes, 0.8>0.4 yes -> 3/4
  assertAlmostEquals(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
  // anomalous 0.5, 0.9; normal 0.2, 0.5: 1 + 1/2 (tie) + 1 + 1 = 3.5 of 4 pairs -> 0.875
  assertAlmostEquals(auroc([0.2, 0.5, 0.5, 0.9], [0, 0, 1, 1]), 0.875);
  // every anomalous score below every normal one: 0 of 2 pairs
  assertAlmostEquals(auroc([0.9, 0.1, 0.2], [0, 1, 1]), 0);
});
