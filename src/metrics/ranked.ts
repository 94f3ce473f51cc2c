/**
 * Scores of a binary problem split by class and sorted, and the descending
 * sweep over distinct thresholds that AUROC, the ROC curve and F1-max share.
 *
 * Convention used by every metric here: label 0 is normal (negative), any other
 * label is anomalous (positive); a sample is predicted anomalous when
 * `score >= threshold`.
 *
 * @module
 */

import { assertNoNaN, type ScoreArray, sortAscending } from "./sort.ts";

/** Scores split by class, each sorted ascending. */
export interface ClassScores {
  /** Scores of anomalous samples (label != 0), ascending. */
  positives: ScoreArray;
  /** Scores of normal samples (label 0), ascending. */
  negatives: ScoreArray;
}

/**
 * Split scores by label and sort each class.
 *
 * @param scores one score per sample; float32 input stays float32, anything else becomes float64
 * @param labels one label per sample: 0 normal, nonzero anomalous
 * @returns both classes, ascending
 * @example
 * ```ts
 * import { splitByLabel } from "./ranked.ts";
 * splitByLabel([0.9, 0.1, 0.5], [1, 0, 0]).negatives; // Float64Array [0.1, 0.5]
 * ```
 */
export function splitByLabel(scores: ArrayLike<number>, labels: ArrayLike<number>): ClassScores {
  return splitByLabelPooled([scores], [labels]);
}

/**
 * Split scores pooled over several parts (e.g. the anomaly maps and masks of all test
 * images) by label and sort each class, without concatenating the parts first.
 *
 * @param scoreParts score arrays (e.g. one anomaly map per image); all float32 keeps float32
 * @param labelParts label arrays of the same lengths (e.g. the masks): 0 normal, nonzero anomalous
 * @returns both classes over all parts, ascending
 */
export function splitByLabelPooled(scoreParts: ArrayLike<number>[], labelParts: ArrayLike<number>[]): ClassScores {
  if (scoreParts.length !== labelParts.length) {
    throw new RangeError(
      `Expected as many label arrays as score arrays (${scoreParts.length}) but found ${labelParts.length}`,
    );
  }
  let numPositive = 0, numSamples = 0;
  for (let p = 0; p < scoreParts.length; p++) {
    const s = scoreParts[p], l = labelParts[p];
    if (s.length !== l.length) {
      throw new RangeError(`Expected ${s.length} labels in part ${p} (one per score) but found ${l.length}`);
    }
    assertNoNaN(s, `scores in part ${p}`);
    for (let i = 0; i < l.length; i++) {
      if (l[i] !== 0) numPositive++;
    }
    numSamples += l.length;
  }
  const numNegative = numSamples - numPositive;
  const float32 = scoreParts.every((s) => s instanceof Float32Array);
  const make = (n: number): ScoreArray => float32 ? new Float32Array(n) : new Float64Array(n);
  const positives = make(numPositive), negatives = make(numNegative);
  let ip = 0, ineg = 0;
  for (let p = 0; p < scoreParts.length; p++) {
    const s = scoreParts[p], l = labelParts[p];
    for (let i = 0; i < s.length; i++) {
      if (l[i] !== 0) positives[ip++] = s[i];
      else negatives[ineg++] = s[i];
    }
  }
  return { positives: sortAscending(positives), negatives: sortAscending(negatives) };
}

/**
 * Throw a RangeError unless both classes are present.
 *
 * @param classes split scores
 * @param metric name of the metric, for the message
 */
export function requireBothClasses(classes: ClassScores, metric: string): void {
  const p = classes.positives.length, n = classes.negatives.length;
  if (p === 0 || n === 0) {
    throw new RangeError(
      `Expected both normal (label 0) and anomalous (label != 0) samples for ${metric} but found ${p} anomalous and ${n} normal`,
    );
  }
}

/**
 * Visit every distinct threshold from the highest score down, with the number of
 * positives and negatives whose score is >= that threshold.
 *
 * @param classes split scores (ascending)
 * @param visit called once per distinct score value, in decreasing order
 * @example
 * ```ts
 * import { forEachThreshold, splitByLabel } from "./ranked.ts";
 * const seen: number[][] = [];
 * forEachThreshold(splitByLabel([0.9, 0.1, 0.9], [1, 0, 0]), (t, tp, fp) => seen.push([t, tp, fp]));
 * // seen: [[0.9, 1, 1], [0.1, 1, 2]]
 * ```
 */
export function forEachThreshold(
  classes: ClassScores,
  visit: (threshold: number, positivesAbove: number, negativesAbove: number) => void,
): void {
  const pos = classes.positives, neg = classes.negatives;
  const numPositive = pos.length, numNegative = neg.length;
  let i = numPositive - 1, j = numNegative - 1;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    while (i >= 0 && pos[i] === t) i--;
    while (j >= 0 && neg[j] === t) j--;
    visit(t, numPositive - 1 - i, numNegative - 1 - j);
  }
}
