/**
 * Why a training run stopped before the end of its budget, as typed errors (exit code 3 at the
 * command line): a loss became NaN or infinite ({@linkcode Divergence}), or the run collapsed and
 * was asked to stop when it does ({@linkcode CollapseStop}). Both keep a checkpoint and carry, as
 * fields, which term, which step and the checkpoint kept; their messages state the fact only. What to
 * do about it, in flags, is the command line's to say (src/cli/advice.ts).
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
  /** The checkpoint file kept. */
  readonly checkpointPath: string;

  /**
   * @param step the step whose loss was not finite
   * @param term the loss term
   * @param value its value
   * @param keptStep step of the last good checkpoint
   * @param path the checkpoint file
   */
  constructor(step: number, term: string, value: number, keptStep: number, path: string) {
    super(
      `Loss ${term} became ${value} at step ${step}; the last good checkpoint (step ${keptStep}) is kept in ${path}.`,
    );
    this.name = "Divergence";
    this.step = step;
    this.term = term;
    this.value = value;
    this.keptStep = keptStep;
    this.checkpointPath = path;
  }
}

/** A run seen to collapse was stopped (`--stop-on-collapse`); its checkpoint of that moment is kept. */
export class CollapseStop extends TrainingError {
  /** Step at which the collapse began. */
  readonly step: number;
  /** Who saw it: the losses or the activation probe. */
  readonly by: StopFact["by"];
  /** What collapsed (e.g. `svddPrime64`, `codes32`), when the watch said. */
  readonly term: string | undefined;
  /** Step of the checkpoint kept (the step at which the run was stopped). */
  readonly keptStep: number;
  /** The checkpoint file kept. */
  readonly checkpointPath: string;

  /**
   * @param fact when the collapse began and who saw it
   * @param keptStep step of the checkpoint kept
   * @param path the checkpoint file
   */
  constructor(fact: StopFact, keptStep: number, path: string) {
    super(
      `Training collapsed at step ${fact.at} and was stopped (--stop-on-collapse); its checkpoint (step ${keptStep}) ` +
        `is kept in ${path}.`,
    );
    this.name = "CollapseStop";
    this.step = fact.at;
    this.by = fact.by;
    this.term = fact.term;
    this.keptStep = keptStep;
    this.checkpointPath = path;
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
