/**
 * L_SVDD': mean (un-squared) L2 distance between the embeddings of the two patches
 * of each jittered pair (REFERENCE.md section 5).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";

/**
 * Row-wise L2 norm with a zero (not NaN) gradient at exactly zero, like torch.norm.
 *
 * @param x [B, D]
 * @returns [B]
 */
export function rowNorm(x: tf.Tensor2D): tf.Tensor1D {
  return tf.sqrt(tf.maximum(tf.sum(tf.square(x), 1), 1e-30));
}

/**
 * @param h1 [B, D] embeddings of the first patches
 * @param h2 [B, D] embeddings of the jittered patches
 * @returns scalar mean ||h1 - h2||
 */
export function svddPrimeLoss(h1: tf.Tensor2D, h2: tf.Tensor2D): tf.Scalar {
  return tf.mean(rowNorm(tf.sub(h1, h2)));
}
