/**
 * Checkpoints of a run as an observer: a checkpoint every `everyMinutes` minutes of training (after
 * the step's logs are written, so a killed run's logs always reach its checkpoint), one at the end
 * of the run unless its last step was just saved, and one on demand (a new run's step 0, a run
 * stopped on a collapse). It knows the step of the last checkpoint: the one a diverged run keeps.
 *
 * @module
 */

import type * as tf from "@tensorflow/tfjs-core";
import { DEFAULT_RUN_OPTIONS } from "../../config.ts";
import { type CheckpointMeta, saveCheckpoint } from "../checkpoint.ts";
import type { PatchSvddModel } from "../model.ts";
import type { EndReport, StepReport, TrainObserver } from "../observer.ts";

/** Default minutes between two checkpoints: `DEFAULT_RUN_OPTIONS.checkpointMinutes` of src/config.ts. */
export const DEFAULT_CHECKPOINT_MINUTES: number = DEFAULT_RUN_OPTIONS.checkpointMinutes;

/** Saves a run's checkpoints. */
export class Checkpoints implements TrainObserver {
  /** Step of the last checkpoint saved (or of the checkpoint the run resumed from). */
  savedStep: number;
  #path: string;
  #model: PatchSvddModel;
  #optimizer: tf.Optimizer;
  #meta: () => CheckpointMeta;
  #everyMs: number;
  #firstStep: number;
  #lastSave = performance.now();

  /**
   * @param path the checkpoint file
   * @param model the model trained
   * @param optimizer its optimizer
   * @param meta the run's state now (config, step, random state, elapsed time, extra)
   * @param everyMinutes minutes between checkpoints (default {@linkcode DEFAULT_CHECKPOINT_MINUTES}; 0: every step)
   */
  constructor(
    path: string,
    model: PatchSvddModel,
    optimizer: tf.Optimizer,
    meta: () => CheckpointMeta,
    everyMinutes = DEFAULT_CHECKPOINT_MINUTES,
  ) {
    this.#path = path;
    this.#model = model;
    this.#optimizer = optimizer;
    this.#meta = meta;
    this.#everyMs = everyMinutes * 60_000;
    this.savedStep = this.#firstStep = meta().step;
  }

  /** Save a checkpoint of the run as it is now. */
  async save(): Promise<void> {
    const meta = this.#meta();
    await saveCheckpoint(this.#path, this.#model, this.#optimizer, meta);
    this.savedStep = meta.step;
    this.#lastSave = performance.now();
  }

  /** Save when `everyMinutes` have passed since the last checkpoint. */
  async afterStep(_report: StepReport): Promise<void> {
    if (performance.now() - this.#lastSave > this.#everyMs) await this.save();
  }

  /**
   * Save the end of the run, unless its last step is saved already (an invocation that ran no
   * step saves anyway, to record its time).
   *
   * @param report the end of the run
   */
  async end({ step }: EndReport): Promise<void> {
    if (step !== this.savedStep || step === this.#firstStep) await this.save();
  }
}
