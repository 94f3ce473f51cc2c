/**
 * The total loss: L = sum over scales of L_SSL + lambda * (L_SVDD' + L_SVDD), each term
 * switchable (REFERENCE.md section 5; with the defaults: L_SSL(64) + L_SSL(32) +
 * lambda * (L_SVDD'(64) + L_SVDD'(32))).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { LossSwitches } from "../config.ts";

/** Per-scale loss terms (scalars), absent when switched off. */
export interface ScaleTerms {
  /** L_SSL at this scale. */
  ssl?: tf.Scalar;
  /** L_SVDD' at this scale. */
  svddPrime?: tf.Scalar;
  /** L_SVDD (centre) at this scale. */
  svdd?: tf.Scalar;
}

/**
 * @param terms per-scale terms
 * @param lambda weight of the SVDD terms
 * @param switches which terms count
 * @returns scalar total loss
 */
export function totalLoss(terms: ScaleTerms[], lambda: number, switches: LossSwitches): tf.Scalar {
  const parts: tf.Scalar[] = [];
  for (const t of terms) {
    if (switches.ssl && t.ssl) parts.push(t.ssl);
    if (switches.svddPrime && t.svddPrime) parts.push(tf.mul(t.svddPrime, lambda));
    if (switches.svdd && t.svdd) parts.push(tf.mul(t.svdd, lambda));
  }
  return tf.addN(parts) as tf.Scalar;
}
