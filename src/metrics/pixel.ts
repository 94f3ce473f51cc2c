/**
 * Segmentation metrics pooled over all test pixels: the anomaly maps of every test
 * image (normal images included) against their ground-truth masks, as the reference
 * computes segmentation AUROC.
 *
 * @module
 */

import { aurocOfClasses, type RocCurve, rocCurveOfClasses, type RocCurveOptions } from "./auroc.ts";
import { splitByLabelPooled } from "./ranked.ts";

/**
 * Pooled pixel AUROC: every pixel of every map is one sample, its mask value the label.
 *
 * @param maps one anomaly map per test image (e.g. 256*256 Float32Array each); float32 maps are sorted
 *   with a radix sort (about 0.3 s for 83 * 256 * 256 pixels)
 * @param masks one mask per image, same lengths: 0 normal pixel, nonzero anomalous (a normal
 *   image's mask is all zero)
 * @returns the AUROC over all pixels, ties counting one half
 * @throws {RangeError} when the pooled pixels contain only one class or sizes differ
 * @example
 * ```ts
 * import { pixelAuroc } from "./pixel.ts";
 * const maps = [new Float32Array([0.1, 0.9]), new Float32Array([0.2, 0.3])];
 * const masks = [new Uint8Array([0, 1]), new Uint8Array([0, 0])];
 * pixelAuroc(maps, masks); // 1
 * ```
 */
export function pixelAuroc(maps: ArrayLike<number>[], masks: ArrayLike<number>[]): number {
  return aurocOfClasses(splitByLabelPooled(maps, masks));
}

/**
 * Pooled pixel ROC curve (see {@linkcode pixelAuroc}).
 *
 * @param maps one anomaly map per test image
 * @param masks one mask per image: 0 normal pixel, nonzero anomalous
 * @param options thinning; `{ maxPoints: 1000 }` suits a plot of millions of pixels
 * @returns fpr, tpr and thresholds
 */
export function pixelRocCurve(
  maps: ArrayLike<number>[],
  masks: ArrayLike<number>[],
  options: RocCurveOptions = {},
): RocCurve {
  return rocCurveOfClasses(splitByLabelPooled(maps, masks), options);
}
