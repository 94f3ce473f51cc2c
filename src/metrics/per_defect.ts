/**
 * Image-level AUROC per defect type: for each defect, its images against all
 * normal test images, so a class's mean AUROC can be broken down by defect.
 *
 * @module
 */

import { auroc } from "./auroc.ts";

/**
 * AUROC of each defect type's images against all normal images.
 *
 * @param scores one anomaly score per test image
 * @param defects the defect type of each image (its MVTec test folder name), same length
 * @param normalName the defect name of normal images; default "good"
 * @returns defect name -> AUROC, in order of first appearance, normal excluded
 * @throws {RangeError} when lengths differ or there is no normal image
 * @example
 * ```ts
 * import { perDefectAuroc } from "./per_defect.ts";
 * perDefectAuroc([0.9, 0.2, 0.5, 0.1, 0.3], ["crack", "crack", "hole", "good", "good"]);
 * // { crack: 0.75, hole: 1 }
 * ```
 */
export function perDefectAuroc(
  scores: ArrayLike<number>,
  defects: readonly string[],
  normalName = "good",
): Record<string, number> {
  if (scores.length !== defects.length) {
    throw new RangeError(`Expected one defect name per score (${scores.length}) but found ${defects.length}`);
  }
  const normal: number[] = [];
  const byDefect = new Map<string, number[]>();
  for (let i = 0; i < defects.length; i++) {
    if (defects[i] === normalName) normal.push(scores[i]);
    else {
      let list = byDefect.get(defects[i]);
      if (!list) byDefect.set(defects[i], list = []);
      list.push(scores[i]);
    }
  }
  if (normal.length === 0) {
    throw new RangeError(`Expected normal images (defect "${normalName}") for per-defect AUROC but found none`);
  }
  const result: Record<string, number> = {};
  for (const [defect, anomalous] of byDefect) {
    const labels = new Uint8Array(anomalous.length + normal.length).fill(1, 0, anomalous.length);
    result[defect] = auroc([...anomalous, ...normal], labels);
  }
  return result;
}
