/**
 * One training step on the reference's sampling: for every scale K, a batch of SSL
 * pairs and a batch of SVDD' pairs (64 each by default), one Adam update on
 * L = sum_K L_SSL(K) + lambda * (L_SVDD'(K) [+ L_SVDD(K)]).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import "./gradients.ts";
import type { TrainConfig } from "../config.ts";
import { classifyPositions } from "../model/classifier.ts";
import {
  applyStack,
  bottomEncoder,
  encodeFromBottomCodes,
  encodePatches,
  encodeSplitPatches,
  withTanhInputs,
} from "../model/encoder.ts";
import { PREACT_BOUND_WEIGHT, preactBoundLoss } from "./preact_bound.ts";
import { sslLoss } from "../losses/ssl.ts";
import { svddLoss } from "../losses/svdd.ts";
import { svddPrimeLoss } from "../losses/svdd_prime.ts";
import { type ScaleTerms, totalLoss } from "../losses/total.ts";
import { cropPatches, perturbPatches, splitQuadrants } from "../sampling/crop.ts";
import { samplePairs } from "../sampling/pairs.ts";
import type { Rng } from "../util/rng.ts";
import { denseStepTerms, drawDenseStep } from "./dense_step.ts";
import { type PatchSvddModel, trainableVariables } from "./model.ts";
import type { TrainImages } from "./train_images.ts";

export type { TrainImages } from "./train_images.ts";

/** Loss values of one step, by name (`ssl64`, `svddPrime32`, ..., `total`). */
export type LossValues = Record<string, number>;

interface ScaleBatch {
  k: number;
  /** All patches of this scale, in the order ssl1, ssl2, svdd1, svdd2, split into quadrants down to the level's input side. */
  patches: Float32Array;
  /** Number of whole KxK patches. */
  count: number;
  /** Side of the pieces in `patches` (32 for hierarchical levels, K otherwise). */
  pieceSize: number;
  sslLabels: Int32Array | null;
  svddPairs: number;
}

/**
 * Draw one step's patches for every scale (JS only, no tensors).
 *
 * @param model the model (its levels decide the scales)
 * @param config training configuration
 * @param data normalised training images
 * @param rng seeded generator, advanced
 * @returns per-scale batches
 */
export function drawStepBatches(model: PatchSvddModel, config: TrainConfig, data: TrainImages, rng: Rng): ScaleBatch[] {
  const b = config.batchSize;
  const wantPairs = config.losses.svddPrime || config.losses.svdd;
  return model.levels.map((level) => {
    const k = level.patchSize;
    const parts: Float32Array[] = [];
    let sslLabels: Int32Array | null = null;
    if (config.losses.ssl) {
      const pairs = samplePairs("ssl", b, data.count, data.size, k, rng);
      for (const corners of [pairs.first, pairs.second]) {
        parts.push(
          perturbPatches(cropPatches(data.images, data.size, pairs.image, corners, k), k, config.sslNoiseStd, rng),
        );
      }
      sslLabels = pairs.label;
    }
    if (wantPairs) {
      const pairs = samplePairs("svdd-prime", b, data.count, data.size, k, rng);
      parts.push(cropPatches(data.images, data.size, pairs.image, pairs.first, k));
      parts.push(cropPatches(data.images, data.size, pairs.image, pairs.second, k));
    }
    const per = k * k * 3;
    let patches = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) patches.set(p, (off += p.length) - p.length);
    const count = patches.length / per;
    // Split hierarchical levels into 32x32 pieces on the host (tensor slicing is slow on cpu backends).
    let piece = k, pieces = count;
    for (let e = level; e.kind === "hier"; e = e.inner!) {
      patches = splitQuadrants(patches, pieces, piece) as Float32Array<ArrayBuffer>;
      piece /= 2;
      pieces *= 4;
    }
    return { k, patches, count, pieceSize: piece, sslLabels, svddPairs: wantPairs ? b : 0 };
  });
}

/**
 * The loss terms of one step's batches (inside a gradient tape).
 *
 * @param model the model
 * @param config training configuration
 * @param batches from {@linkcode drawStepBatches}
 * @returns per-scale terms and their names
 */
export function stepTerms(model: PatchSvddModel, config: TrainConfig, batches: ScaleBatch[]): Map<string, tf.Scalar> {
  const named = new Map<string, tf.Scalar>();
  const b = config.batchSize;
  const embeddings = encodeBatches(model, batches);
  batches.forEach((batch, i) => {
    const h = embeddings[i]; // [count, D]
    let off = 0;
    const take = () => tf.slice(h, [(off += b) - b, 0], [b, -1]) as tf.Tensor2D;
    if (batch.sslLabels) {
      const logits = classifyPositions(model.classifiers.get(batch.k)!, take(), take());
      named.set(`ssl${batch.k}`, sslLoss(logits, batch.sslLabels));
    }
    if (batch.svddPairs) {
      const h1 = take(), h2 = take();
      if (config.losses.svddPrime) named.set(`svddPrime${batch.k}`, svddPrimeLoss(h1, h2));
      const center = model.centers?.get(batch.k);
      if (config.losses.svdd && center) named.set(`svdd${batch.k}`, svddLoss(h1, center));
    }
  });
  return named;
}

/**
 * Embeddings of every scale's patches. When all scales bottom out in the same encoder with pieces
 * of one size (f_small under the hierarchical encoders), their pieces go through it as one batch
 * (fewer, larger kernel calls) and each scale's heads are applied to its share of the codes.
 *
 * @param model the model
 * @param batches from {@linkcode drawStepBatches}
 * @returns per batch, [count, D]
 */
function encodeBatches(model: PatchSvddModel, batches: ScaleBatch[]): tf.Tensor2D[] {
  const bottoms = model.levels.map(bottomEncoder);
  const shared = batches.length > 1 && bottoms.every((e) => e === bottoms[0]) &&
    batches.every((batch) => batch.pieceSize === batches[0].pieceSize);
  const pieceCount = (batch: ScaleBatch) => batch.patches.length / (batch.pieceSize * batch.pieceSize * 3);
  if (!shared) {
    return batches.map((batch, i) =>
      encodeSplitPatches(
        model.levels[i],
        tf.tensor4d(batch.patches, [pieceCount(batch), batch.pieceSize, batch.pieceSize, 3]),
      )
    );
  }
  const all = new Float32Array(batches.reduce((n, batch) => n + batch.patches.length, 0));
  let at = 0;
  for (const batch of batches) {
    all.set(batch.patches, at);
    at += batch.patches.length;
  }
  const k = batches[0].pieceSize, total = all.length / (k * k * 3);
  const codes = tf.reshape(applyStack(bottoms[0], tf.tensor4d(all, [total, k, k, 3])), [total, -1]) as tf.Tensor2D;
  let first = 0;
  return batches.map((batch, i) => {
    const n = pieceCount(batch);
    const mine = tf.slice(codes, [first, 0], [n, -1]) as tf.Tensor2D;
    first += n;
    return encodeFromBottomCodes(model.levels[i], mine);
  });
}

/**
 * Combine named per-scale terms into the total loss.
 *
 * @param named terms by name
 * @param config training configuration
 * @returns total loss scalar
 */
export function combineTerms(named: Map<string, tf.Scalar>, config: TrainConfig): tf.Scalar {
  const scales = new Map<string, ScaleTerms>();
  for (const [name, value] of named) {
    const [, term, k] = name.match(/^([a-zA-Z]+?)(\d+)$/)!;
    const s = scales.get(k) ?? {};
    s[term as keyof ScaleTerms] = value;
    scales.set(k, s);
  }
  return totalLoss([...scales.values()], config.lambda, config.losses);
}

/**
 * One optimisation step, on the reference's sampling or, with `sampling: "dense"`, on
 * {@linkcode drawDenseStep}'s. Tensor count is unchanged after the call. The loss values are read
 * back asynchronously, which GPU backends need (webgpu has no synchronous read in Deno).
 *
 * @param model the model
 * @param optimizer Adam (or any tfjs optimizer)
 * @param config training configuration
 * @param data normalised training images
 * @param rng seeded generator, advanced
 * @returns loss values, including `total`
 */
export async function trainStep(
  model: PatchSvddModel,
  optimizer: tf.Optimizer,
  config: TrainConfig,
  data: TrainImages,
  rng: Rng,
): Promise<LossValues> {
  const dense = config.sampling === "dense";
  const batches = dense ? null : drawStepBatches(model, config, data, rng);
  const draw = dense ? drawDenseStep(model, config, data, rng) : null;
  const kept: Map<string, tf.Scalar> = new Map();
  const { value, grads } = tf.variableGrads(() => {
    const preactivations: tf.Tensor4D[] = [];
    const terms = () => draw ? denseStepTerms(model, config, draw) : stepTerms(model, config, batches!);
    const bound = config.preactBound;
    const named = bound === undefined ? terms() : withTanhInputs((z) => preactivations.push(z), terms);
    for (const [name, t] of named) kept.set(name, tf.keep(t));
    const total = combineTerms(named, config);
    if (bound === undefined) return total;
    const extra = preactBoundLoss(preactivations, bound);
    kept.set("preactBound", tf.keep(extra));
    return tf.add(total, tf.mul(extra, PREACT_BOUND_WEIGHT)) as tf.Scalar;
  }, trainableVariables(model));
  optimizer.applyGradients(grads);
  tf.dispose(Object.values(grads));
  const names = [...kept.keys()];
  const read = await Promise.all([...kept.values(), value].map((t) => t.data()));
  const values: LossValues = {};
  names.forEach((name, i) => values[name] = read[i][0]);
  values.total = read[names.length][0];
  tf.dispose([value, ...kept.values()]);
  return values;
}

/**
 * Set the L_SVDD centres: the mean embedding, per scale, of random training patches
 * under the current (initial) encoder.
 *
 * @param model the model (its `centers` are replaced)
 * @param data normalised training images
 * @param rng seeded generator
 * @param numPatches patches per scale to average
 */
export function setCenters(model: PatchSvddModel, data: TrainImages, rng: Rng, numPatches = 512): void {
  for (const c of model.centers?.values() ?? []) c.dispose();
  model.centers = new Map();
  for (const level of model.levels) {
    const k = level.patchSize;
    const sum = tf.tidy(() => {
      let acc: tf.Tensor = tf.zeros([level.embeddingDim]);
      for (let done = 0; done < numPatches; done += 64) {
        const pairs = samplePairs("svdd-prime", 64, data.count, data.size, k, rng);
        const x = tf.tensor4d(cropPatches(data.images, data.size, pairs.image, pairs.first, k), [64, k, k, 3]);
        acc = tf.add(acc, tf.sum(encodePatches(level, x), 0));
      }
      return tf.div(acc, Math.ceil(numPatches / 64) * 64) as tf.Tensor1D;
    });
    model.centers.set(k, sum);
  }
}
