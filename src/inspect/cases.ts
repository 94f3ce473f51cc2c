/**
 * The best and worst cases of an inspection, by image score: the images a gallery of anomaly maps
 * shows (clearest detections, missed defects, false alarms).
 *
 * @module
 */

/** Test images picked for a gallery, as indices into the test set. */
export interface CaseSelection {
  /** Defective images with the highest scores (clearest detections). */
  bestDefect: number[];
  /** Defective images with the lowest scores (missed or nearly missed). */
  worstDefect: number[];
  /** Good images with the lowest scores. */
  bestGood: number[];
  /** Good images with the highest scores (false alarms). */
  worstGood: number[];
}

/**
 * Pick the best and worst cases of a run by image score: among defective images the highest
 * (best) and lowest (worst) scores, among good images the lowest (best) and highest (worst).
 *
 * @param scores one image score per test image
 * @param labels one label per test image, 0 good
 * @param perGroup images per group. Default 2.
 * @returns indices, best first within each group
 * @example
 * ```ts
 * import { selectCases } from "./cases.ts";
 * import { strictEqual } from "node:assert/strict";
 * const c = selectCases([0.1, 0.9, 0.5, 0.3], [0, 1, 1, 0], 1);
 * strictEqual(c.bestDefect[0], 1);
 * strictEqual(c.worstDefect[0], 2);
 * strictEqual(c.worstGood[0], 3);
 * ```
 */
export function selectCases(scores: ArrayLike<number>, labels: ArrayLike<number>, perGroup = 2): CaseSelection {
  const indices = Array.from({ length: scores.length }, (_, i) => i);
  const defect = indices.filter((i) => labels[i]).sort((a, b) => scores[b] - scores[a]);
  const good = indices.filter((i) => !labels[i]).sort((a, b) => scores[a] - scores[b]);
  const take = (list: number[]) => list.slice(0, Math.min(perGroup, list.length));
  return {
    bestDefect: take(defect),
    worstDefect: take([...defect].reverse()),
    bestGood: take(good),
    worstGood: take([...good].reverse()),
  };
}
