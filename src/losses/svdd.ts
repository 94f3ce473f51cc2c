/**
 * L_SVDD (Deep SVDD's centre loss, the paper's first ablation): mean distance of patch
 * embeddings to a fixed centre c, the mean embedding of training patches under the
 * initial encoder (REFERENCE.md section 5).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { rowNorm } from "./svdd_prime.ts";

/**
 * @param h [B, D] patch embeddings
 * @param center [D] the centre c
 * @returns scalar mean ||h - c||
 */
export function svddLoss(h: tf.Tensor2D, center: tf.Tensor1D): tf.Scalar {
  return tf.mean(rowNorm(tf.sub(h, center)));
}
