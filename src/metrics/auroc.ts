/**
 * Area under the ROC curve, exact with ties (the Mann-Whitney statistic: a tied
 * anomalous/normal pair counts one half), in O(n log n); and the ROC curve itself.
 *
 * @module
 */

import { type ClassScores, forEachThreshold, requireBothClasses, splitByLabel } from "./ranked.ts";

/**
 * AUROC of already split scores: the probability that an anomalous sample scores
 * higher than a normal one, ties counting one half.
 *
 * @param classes scores split by class (see {@linkcode splitByLabel})
 * @returns AUROC in [0, 1]
 */
export function aurocOfClasses(classes: ClassScores): number {
  requireBothClasses(classes, "AUROC");
  // Twice the trapezoid area in units of (1 positive x 1 negative): an integer, exact in float64
  // up to 2^53 (about 9e15, i.e. far beyond 6M x 6M / 2 pairs).
  let twiceArea = 0, prevTp = 0, prevFp = 0;
  forEachThreshold(classes, (_t, tp, fp) => {
    twiceArea += (fp - prevFp) * (tp + prevTp);
    prevTp = tp;
    prevFp = fp;
  });
  return twiceArea / (2 * classes.positives.length * classes.negatives.length);
}

/**
 * AUROC of anomaly scores against binary labels, exact with ties.
 *
 * @param scores one score per sample, higher = more anomalous; no NaN
 * @param labels one label per sample: 0 normal, nonzero anomalous
 * @returns AUROC in [0, 1]
 * @throws {RangeError} when only one class is present or lengths differ
 * @example
 * ```ts
 * import { auroc } from "./auroc.ts";
 * auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 * ```
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return aurocOfClasses(splitByLabel(scores, labels));
}

/** A ROC curve: one point per distinct threshold, from (0, 0) to (1, 1). */
export interface RocCurve {
  /** False-positive rate at each point, non-decreasing. */
  fpr: Float64Array;
  /** True-positive rate at each point, non-decreasing. */
  tpr: Float64Array;
  /** Threshold of each point (anomalous iff score >= threshold), decreasing; the first is +Infinity. */
  thresholds: Float64Array;
}

/** Options of {@linkcode rocCurve}. */
export interface RocCurveOptions {
  /**
   * Keep at most this many points (>= 3), dropping points that move the curve by less than
   * 2 / (maxPoints - 2) in |dFPR| + |dTPR| since the last kept one; the end points are always
   * kept. Default: keep every point.
   */
  maxPoints?: number;
}

/**
 * ROC curve of already split scores.
 *
 * @param classes scores split by class (see {@linkcode splitByLabel})
 * @param options thinning
 * @returns the curve, starting at (0, 0) with threshold +Infinity
 */
export function rocCurveOfClasses(classes: ClassScores, options: RocCurveOptions = {}): RocCurve {
  requireBothClasses(classes, "the ROC curve");
  const maxPoints = options.maxPoints ?? Infinity;
  if (!(maxPoints >= 3)) throw new RangeError(`Expected maxPoints >= 3 but found ${maxPoints}`);
  const numPositive = classes.positives.length, numNegative = classes.negatives.length;
  const capacity = Math.min(numPositive + numNegative + 1, Number.isFinite(maxPoints) ? maxPoints : Infinity);
  const fpr = new Float64Array(capacity), tpr = new Float64Array(capacity), thresholds = new Float64Array(capacity);
  const step = Number.isFinite(maxPoints) ? 2 / (maxPoints - 2) : 0;
  thresholds[0] = Infinity;
  let count = 1;
  // The last candidate point is held back so that the final (1, 1) point is always kept.
  let lastF = 0, lastT = 0, pendF = 0, pendT = 0, pendThr = Infinity, hasPending = false;
  forEachThreshold(classes, (t, tp, fp) => {
    if (hasPending && Math.abs(pendF - lastF) + Math.abs(pendT - lastT) >= step) {
      fpr[count] = lastF = pendF;
      tpr[count] = lastT = pendT;
      thresholds[count++] = pendThr;
    }
    pendF = fp / numNegative;
    pendT = tp / numPositive;
    pendThr = t;
    hasPending = true;
  });
  fpr[count] = pendF;
  tpr[count] = pendT;
  thresholds[count++] = pendThr;
  return { fpr: fpr.slice(0, count), tpr: tpr.slice(0, count), thresholds: thresholds.slice(0, count) };
}

/**
 * ROC curve of anomaly scores against binary labels.
 *
 * @param scores one score per sample, higher = more anomalous; no NaN
 * @param labels one label per sample: 0 normal, nonzero anomalous
 * @param options thinning, e.g. `{ maxPoints: 1000 }` for plots
 * @returns fpr, tpr and thresholds, one entry per distinct threshold plus the (0, 0) start
 * @example
 * ```ts
 * import { rocCurve } from "./auroc.ts";
 * rocCurve([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]).tpr; // Float64Array [0, 0.5, 0.5, 1, 1]
 * ```
 */
export function rocCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: RocCurveOptions = {},
): RocCurve {
  return rocCurveOfClasses(splitByLabel(scores, labels), options);
}
