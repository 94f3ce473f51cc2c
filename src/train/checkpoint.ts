/**
 * Checkpoints: weights, optimizer state, config, step and RNG state in one
 * safetensors file, written atomically (temporary file, fsync, rename), so a process
 * killed at any moment leaves either the previous checkpoint or the new one.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { RunConfig } from "../config.ts";
import { TrainingError, UserError } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { encodeSafetensors, readSafetensorsFile, type SafetensorsTensor } from "../model/safetensors.ts";
import { frozenTensors, type PatchSvddModel } from "./model.ts";

/** File name of a run's checkpoint inside the run folder. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

/** Non-tensor state stored with a checkpoint. */
export interface CheckpointMeta {
  /** Full run configuration. */
  config: RunConfig;
  /** Optimisation steps done. */
  step: number;
  /** Sampling RNG state (see `Rng.state()`). */
  rngState: number;
  /** Training wall-clock seconds so far. */
  elapsedSeconds: number;
  /** Anything else worth keeping (data root, category, backend, git commit). */
  extra: Record<string, unknown>;
}

/** A checkpoint as read from disk. */
export interface Checkpoint {
  /** Non-tensor state. */
  meta: CheckpointMeta;
  /** Model tensors by name (trainable and frozen). */
  tensors: Map<string, SafetensorsTensor>;
  /** Optimizer state in order, with the optimizer's own names. */
  optimizer: { name: string; tensor: SafetensorsTensor }[];
}

async function toEntry(t: tf.Tensor): Promise<Pick<SafetensorsTensor, "shape" | "data">> {
  return { shape: t.shape, data: (await t.data()) as Float32Array };
}

/**
 * Save a checkpoint of the model and optimizer.
 *
 * @param path checkpoint file
 * @param model the model
 * @param optimizer the optimizer (its weights are saved in order)
 * @param meta non-tensor state
 */
export async function saveCheckpoint(
  path: string,
  model: PatchSvddModel,
  optimizer: tf.Optimizer | null,
  meta: CheckpointMeta,
): Promise<void> {
  const tensors = new Map<string, Pick<SafetensorsTensor, "shape" | "data">>();
  for (const [name, v] of model.encoder.params) tensors.set(name, await toEntry(v));
  for (const [name, t] of frozenTensors(model)) tensors.set(name, await toEntry(t));
  const optimNames: string[] = [];
  if (optimizer) {
    const weights = await optimizer.getWeights();
    for (const [i, { name, tensor }] of weights.entries()) {
      optimNames.push(name);
      tensors.set(`optimizer.${i}`, await toEntry(tensor));
      // getWeights() makes a new scalar for the iteration count every call; the rest are live variables.
      if (name === "iter") tensor.dispose();
    }
  }
  const metadata = { patchsvdd: JSON.stringify({ ...meta, optimizerNames: optimNames }) };
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Read a checkpoint, with a one-line error when it is missing ({@linkcode UserError}, exit 2)
 * or damaged ({@linkcode TrainingError}, exit 3).
 *
 * @param path checkpoint file
 * @returns the checkpoint
 */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  let file;
  try {
    file = await readSafetensorsFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      // A missing file is a usage problem (wrong --run / --out), not a training fault: exit code 2.
      throw new UserError(`No checkpoint at ${path}; train the run first (deno task train --out ...)`);
    }
    throw new TrainingError(
      `Checkpoint ${path} is damaged (${(e as Error).message.split("\n")[0]}); delete it and retrain, or use --force`,
    );
  }
  const raw = file.metadata?.patchsvdd;
  if (!raw) throw new TrainingError(`Checkpoint ${path} has no patchsvdd metadata; it was not written by this kit`);
  const { optimizerNames, ...meta } = JSON.parse(raw) as CheckpointMeta & { optimizerNames: string[] };
  const tensors = new Map<string, SafetensorsTensor>();
  const optimizer: Checkpoint["optimizer"] = [];
  for (const [name, t] of file.tensors) if (!name.startsWith("optimizer.")) tensors.set(name, t);
  optimizerNames.forEach((name, i) => {
    const t = file.tensors.get(`optimizer.${i}`);
    if (!t) throw new TrainingError(`Checkpoint ${path} lacks optimizer tensor ${i}; delete it and retrain`);
    optimizer.push({ name, tensor: t });
  });
  return { meta, tensors, optimizer };
}

/**
 * Copy a checkpoint's tensors into a freshly created model of the same configuration: the weights
 * the optimizer left. (Checkpoints of runs trained with the retired `--ema` also hold `ema.<name>`
 * tensors, a moving average of the weights; they are ignored.)
 *
 * @param model a model from `createModel(checkpoint.meta.config)`
 * @param checkpoint the checkpoint
 */
export function loadModelState(model: PatchSvddModel, checkpoint: Checkpoint): void {
  for (const [name, v] of model.encoder.params) {
    const t = checkpoint.tensors.get(name);
    if (!t) throw new TrainingError(`Checkpoint lacks tensor ${name}; it belongs to another configuration`);
    const value = tf.tensor(t.data, t.shape);
    v.assign(value);
    value.dispose();
  }
  for (const [k, cls] of model.classifiers) {
    const t = checkpoint.tensors.get(`cls${k}.fc3.weight_fixed`);
    if (cls.fixedWeight && t) {
      cls.fixedWeight.dispose();
      cls.fixedWeight = tf.tensor2d(t.data, t.shape as [number, number]);
    }
  }
  const centers = [...checkpoint.tensors.keys()].filter((n) => /^center\d+$/.test(n));
  if (centers.length) {
    model.centers = new Map();
    for (const name of centers) {
      const t = checkpoint.tensors.get(name)!;
      model.centers.set(Number(name.slice(6)), tf.tensor1d(t.data));
    }
  }
}

/**
 * Restore optimizer state saved by {@linkcode saveCheckpoint}.
 *
 * For Adam, the bias-correction powers beta^(t+1) are rebuilt the way training builds them
 * (t float32 multiplications), not with tfjs' `pow` as `AdamOptimizer.setWeights` does: the two
 * differ in the last bit for most t, and a resumed run would then drift from an uninterrupted one.
 *
 * @param optimizer an optimizer of the same kind
 * @param checkpoint the checkpoint
 */
export async function loadOptimizerState(optimizer: tf.Optimizer, checkpoint: Checkpoint): Promise<void> {
  if (!checkpoint.optimizer.length) return;
  const values = checkpoint.optimizer.map(({ name, tensor }) => ({
    name,
    tensor: tf.tensor(tensor.data, tensor.shape),
  }));
  await optimizer.setWeights(values);
  tf.dispose(values.map((v) => v.tensor)); // the optimizer's variables hold their own references
  if (optimizer instanceof tf.AdamOptimizer) restoreAdamPowers(optimizer);
}

/** Adam's private state that `setWeights` recomputes with `pow`. */
interface AdamInternals {
  beta1: number;
  beta2: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  iterations: number;
}

/**
 * Set Adam's accumulated beta powers to what `iterations` training steps leave: beta, then one
 * float32 multiplication by beta per step (`Math.fround(a * b)` is exactly float32 a * b).
 */
function restoreAdamPowers(optimizer: tf.AdamOptimizer): void {
  const adam = optimizer as unknown as AdamInternals;
  for (const [beta, acc] of [[adam.beta1, adam.accBeta1], [adam.beta2, adam.accBeta2]] as const) {
    const b = Math.fround(beta);
    let power = b;
    for (let i = 0; i < adam.iterations; i++) power = Math.fround(power * b);
    const value = tf.scalar(power);
    acc.assign(value);
    value.dispose();
  }
}
