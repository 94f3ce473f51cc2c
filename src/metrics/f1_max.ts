/**
 * Best F1 score over all thresholds (anomalib's F1Max): the operating point a
 * perfectly tuned threshold would reach, image-level or pooled over pixels.
 *
 * @module
 */

import { type ClassScores, forEachThreshold, splitByLabel, splitByLabelPooled } from "./ranked.ts";

/** The best F1 and the threshold reaching it. */
export interface F1Max {
  /** Best F1 = 2 TP / (2 TP + FP + FN) over all thresholds. */
  f1: number;
  /** The highest threshold reaching it: predict anomalous iff score >= threshold. */
  threshold: number;
}

/**
 * F1-max of already split scores.
 *
 * @param classes scores split by class (see {@linkcode splitByLabel})
 * @returns the best F1 and its threshold
 * @throws {RangeError} when there is no anomalous sample
 */
export function f1MaxOfClasses(classes: ClassScores): F1Max {
  const numPositive = classes.positives.length;
  if (numPositive === 0) {
    throw new RangeError(`Expected at least one anomalous sample (label != 0) for F1 but found none`);
  }
  let best: F1Max = { f1: -1, threshold: NaN };
  forEachThreshold(classes, (t, tp, fp) => {
    const f1 = (2 * tp) / (tp + fp + numPositive); // 2TP / (2TP + FP + FN), FN = P - TP
    if (f1 > best.f1) best = { f1, threshold: t };
  });
  return best;
}

/**
 * Image-level F1-max.
 *
 * @param scores one score per image, higher = more anomalous; no NaN
 * @param labels one label per image: 0 normal, nonzero anomalous
 * @returns the best F1 and the threshold reaching it
 * @example
 * ```ts
 * import { f1Max } from "./f1_max.ts";
 * f1Max([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // { f1: 0.8, threshold: 0.35 }
 * ```
 */
export function f1Max(scores: ArrayLike<number>, labels: ArrayLike<number>): F1Max {
  return f1MaxOfClasses(splitByLabel(scores, labels));
}

/**
 * Pixel-level F1-max pooled over all test pixels.
 *
 * @param maps one anomaly map per test image
 * @param masks one mask per image, same lengths: 0 normal pixel, nonzero anomalous
 * @returns the best F1 and the threshold reaching it
 */
export function pixelF1Max(maps: ArrayLike<number>[], masks: ArrayLike<number>[]): F1Max {
  return f1MaxOfClasses(splitByLabelPooled(maps, masks));
}
