/**
 * Why a training run stopped before the end of its budget, as typed errors (exit code 3 at the
 * command line): a loss became NaN or infinite ({@linkcode Divergence}), or the run collapsed and
 * was asked to stop when it does ({@linkcode CollapseStop}). Both keep a checkpoint and say which.
 *
 * @module
 */

import { TrainingError } from "../errors.ts";
import type { StopFact } from "./observer.ts";
import type { LossValues } from "./step.ts";

/** A loss became NaN or infinite; the last good checkpoint is kept. */
export class Divergence extends TrainingError {
  /** The step whose loss was not finite. */
  readonly step: number;
  /** The loss term, e.g. `ssl32`. */
  readonly term: string;
  /** Its value (NaN or ±Infinity). */
  readonly value: number;
  /** Step of the checkpoint kept. */
  readonly keptStep: number;

  /**
   * @param step the step whose loss was not finite
   * @param term the loss term
   * @param value its value
   * @param keptStep step of the last good checkpoint
   * @param path the checkpoint file
   */
  constructor(step: number, term: string, value: number, keptStep: number, path: string) {
    super(
      `Loss ${term} became ${value} at step ${step}; the last good checkpoint (step ${keptStep}) is kept in ${path}. ` +
        `Check the data for NaN/Inf values, or retrain with --force and a lower --lr or --lambda or another --seed ` +
        `(--resume keeps the run's settings and would diverge again)`,
    );
    this.name = "Divergence";
    this.step = step;
    this.term = term;
    this.value = value;
    this.keptStep = keptStep;
  }
}

/** A run seen to collapse was stopped (`--stop-on-collapse`); its checkpoint of that moment is kept. */
export class CollapseStop extends TrainingError {
  /** Step at which the collapse began. */
  readonly step: number;
  /** Who saw it: the losses or the activation probe. */
  readonly by: StopFact["by"];
  /** Step of the checkpoint kept (the step at which the run was stopped). */
  readonly keptStep: number;

  /**
   * @param fact when the collapse began and who saw it
   * @param keptStep step of the checkpoint kept
   * @param path the checkpoint file
   */
  constructor(fact: StopFact, keptStep: number, path: string) {
    super(
      `Training collapsed at step ${fact.at} and was stopped (--stop-on-collapse); its checkpoint (step ${keptStep}) ` +
        `is kept in ${path}. Retrain with --force and --lr-warmup-steps 500, a lower --lr or another --seed`,
    );
    this.name = "CollapseStop";
    this.step = fact.at;
    this.by = fact.by;
    this.keptStep = keptStep;
  }
}

/**
 * Throw a {@linkcode Divergence} when a step's loss values are not all finite.
 *
 * @param values the step's loss values
 * @param step the step
 * @param keptStep step of the last good checkpoint
 * @param path the checkpoint file
 * @example
 * ```ts
 * import { checkFinite, Divergence } from "./stops.ts";
 * checkFinite({ ssl64: 2.07 }, 5, 4, "run/checkpoint.safetensors"); // fine
 * try {
 *   checkFinite({ ssl64: NaN }, 5, 4, "run/checkpoint.safetensors");
 * } catch (e) {
 *   if (!(e instanceof Divergence && e.term === "ssl64" && e.keptStep === 4)) throw e;
 * }
 * ```
 */
export function checkFinite(values: LossValues, step: number, keptStep: number, path: string): void {
  for (const [term, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) throw new Divergence(step, term, value, keptStep, path);
  }
}
