/**
 * L_SSL: softmax cross-entropy of the 8-way relative-position classifier.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { NUM_POSITIONS } from "../model/classifier.ts";

/**
 * @param logits [B, 8]
 * @param labels B labels in 0..7
 * @returns scalar mean cross-entropy (chance level: ln 8 = 2.079)
 */
export function sslLoss(logits: tf.Tensor2D, labels: Int32Array): tf.Scalar {
  const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), NUM_POSITIONS);
  return tf.mean(tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)));
}
