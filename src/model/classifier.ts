/**
 * The self-supervised position classifier (REFERENCE.md section 3): an MLP on the
 * DIFFERENCE of two patch embeddings, D -> 128 -> 128 -> 8 logits.
 *
 * The reference normalises the last layer's weight columns under no-grad, so that
 * weight is in effect a fixed random projection and only its bias learns; that is
 * `head: "fixed"` (default). `head: "trainable"` is a plain dense last layer.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { LEAKY_SLOPE, ownedVariable, type Params } from "./encoder.ts";
import type { Rng } from "../util/rng.ts";

/** Number of relative positions (the 8 neighbours of a 3x3 grid). */
export const NUM_POSITIONS = 8;

/** A position classifier for one scale. */
export interface PositionClassifier {
  /** Parameter name prefix, e.g. `cls64.`. */
  prefix: string;
  /** Input dimension D. */
  embeddingDim: number;
  /** "fixed": reference's normalised, non-learning last weight; "trainable": plain. */
  head: "fixed" | "trainable";
  /** Trainable parameters (`fc1.weight` ... `fc3.bias`). */
  params: Params;
  /** The fixed last-layer weight [128, 8] when `head` is "fixed" (not trained, stored with the model). */
  fixedWeight: tf.Tensor2D | null;
}

function uniform(rng: Rng, n: number, bound: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * bound;
  return a;
}

/**
 * Create a position classifier with PyTorch-default initialisation (Linear:
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias).
 *
 * @param prefix parameter name prefix (e.g. `cls64.`)
 * @param embeddingDim D
 * @param head "fixed" (reference) or "trainable"
 * @param rng seeded generator
 * @param params the map to add the trainable parameters to
 * @returns the classifier
 */
export function createClassifier(
  prefix: string,
  embeddingDim: number,
  head: "fixed" | "trainable",
  rng: Rng,
  params: Params = new Map(),
): PositionClassifier {
  const dims = [embeddingDim, 128, 128, NUM_POSITIONS];
  let fixedWeight: tf.Tensor2D | null = null;
  for (let i = 0; i < 3; i++) {
    const [fanIn, out] = [dims[i], dims[i + 1]];
    const bound = 1 / Math.sqrt(fanIn);
    const w = tf.tensor2d(uniform(rng, fanIn * out, bound), [fanIn, out]);
    const b = tf.tensor1d(uniform(rng, out, bound));
    params.set(`${prefix}fc${i + 1}.bias`, ownedVariable(b));
    if (i === 2 && head === "fixed") {
      // PyTorch weight [out, in] normalised over dim 0 (the outputs) = our [in, out] rows to unit norm.
      fixedWeight = tf.tidy(() => tf.div(w, tf.norm(w, 2, 1, true))) as tf.Tensor2D;
      w.dispose();
    } else {
      params.set(`${prefix}fc${i + 1}.weight`, ownedVariable(w));
    }
  }
  return { prefix, embeddingDim, head, params, fixedWeight };
}

/**
 * Position logits for pairs of embeddings.
 *
 * @param cls the classifier
 * @param h1 [B, D] embeddings of the centre patches
 * @param h2 [B, D] embeddings of the neighbour patches
 * @returns [B, 8] logits
 */
export function classifyPositions(cls: PositionClassifier, h1: tf.Tensor2D, h2: tf.Tensor2D): tf.Tensor2D {
  const p = (name: string) => cls.params.get(`${cls.prefix}${name}`)!;
  let h: tf.Tensor2D = tf.sub(h1, h2);
  h = tf.leakyRelu(tf.add(tf.matMul(h, p("fc1.weight") as tf.Tensor2D), p("fc1.bias")), LEAKY_SLOPE);
  h = tf.leakyRelu(tf.add(tf.matMul(h, p("fc2.weight") as tf.Tensor2D), p("fc2.bias")), LEAKY_SLOPE);
  const w3 = cls.fixedWeight ?? (p("fc3.weight") as tf.Tensor2D);
  return tf.add(tf.matMul(h, w3), p("fc3.bias"));
}
