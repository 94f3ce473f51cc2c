/**
 * The training images as the step, the dense sampler and the activation probe read them: one
 * flat array of normalised pixels (REFERENCE.md section 1).
 *
 * @module
 */

/** Normalised training images. */
export interface TrainImages {
  /** N*S*S*3 HWC, (x - mean) / 255. */
  images: Float32Array;
  /** N. */
  count: number;
  /** S. */
  size: number;
}
