/**
 * The trainable model of a run: the encoder tree, one position classifier per scale,
 * and (for L_SVDD) one fixed centre per scale, all parameters in one named map.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { RunConfig } from "../config.ts";
import { createClassifier, type PositionClassifier } from "../model/classifier.ts";
import { allLayers, describeEncoder, type Encoder, encoderLevels, initConvParams } from "../model/encoder.ts";
import { Rng } from "../util/rng.ts";

/** Everything a training step updates or reads. */
export interface PatchSvddModel {
  /** The top-level encoder (its `params` map holds every trainable tensor). */
  encoder: Encoder;
  /** The levels that get loss terms and anomaly maps, top first (K=64, K=32 by default). */
  levels: Encoder[];
  /** Position classifier per patch size K. */
  classifiers: Map<number, PositionClassifier>;
  /** L_SVDD centre per patch size K (set by {@linkcode setCenters}; null until then). */
  centers: Map<number, tf.Tensor1D> | null;
}

/**
 * Build a freshly initialised model for a configuration. Encoder weights come first
 * from the seeded stream (`initSeed`, else `seed`), then the classifiers, so `--steps 0` with a
 * seed is a reproducible random-encoder baseline.
 *
 * @param config the run configuration
 * @returns the model
 */
export function createModel(config: RunConfig): PatchSvddModel {
  const t = config.train;
  const encoder = describeEncoder({ encoder: t.encoder, patchSize: t.patchSize, embeddingDim: t.embeddingDim });
  const rng = new Rng(t.initSeed ?? t.seed);
  initConvParams(allLayers(encoder), rng, encoder.params);
  const levels = encoderLevels(encoder);
  const classifiers = new Map<number, PositionClassifier>();
  for (const level of levels) {
    const k = level.patchSize;
    classifiers.set(k, createClassifier(`cls${k}.`, t.embeddingDim, t.classifierHead, rng, encoder.params));
  }
  return { encoder, levels, classifiers, centers: null };
}

/**
 * Trainable variables in a stable (name-sorted) order, so optimizer state restores positionally.
 *
 * @param model the model
 * @returns the variables
 */
export function trainableVariables(model: PatchSvddModel): tf.Variable[] {
  return [...model.encoder.params.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
}

/**
 * Tensors that are part of the model but not trained (fixed classifier heads, centres),
 * by checkpoint name.
 *
 * @param model the model
 * @returns name -> tensor
 */
export function frozenTensors(model: PatchSvddModel): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, cls] of model.classifiers) if (cls.fixedWeight) out.set(`cls${k}.fc3.weight_fixed`, cls.fixedWeight);
  for (const [k, c] of model.centers ?? []) out.set(`center${k}`, c);
  return out;
}

/** Free every tensor of a model. */
export function disposeModel(model: PatchSvddModel): void {
  for (const t of frozenTensors(model).values()) t.dispose();
  for (const v of model.encoder.params.values()) v.dispose();
  model.encoder.params.clear();
}
