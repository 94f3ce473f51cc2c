/**
 * Observers of a training run: the per-step extras (the loss log, the activation probe, the
 * collapse and position-task watches, checkpoints, the progress bar) as small objects the loop
 * calls in turn, so that the loop itself reads top to bottom. Each lives in its own file under
 * src/train/observers/. An observer reads the run; it never changes the weights, the optimizer or
 * the random stream, so a run trains the same with or without any of them.
 *
 * @module
 */

import type { LossValues } from "./step.ts";

/** What the loop reports after each step. */
export interface StepReport {
  /** Steps done, this one included (1 after the first step of a run). */
  step: number;
  /** The step's loss values (all finite: the loop stops on a NaN/Inf before reporting). */
  values: LossValues;
  /** The learning rate the step applied. */
  lr: number;
  /** Seconds since this invocation of the loop started. */
  seconds: number;
}

/** What the loop reports when a run ends normally (budget spent or time up). */
export interface EndReport {
  /** Steps done in total. */
  step: number;
  /** Seconds this invocation trained. */
  seconds: number;
  /** Loss values of the last step of this invocation, or null when it ran none. */
  last: LossValues | null;
  /** Why it ended. */
  stoppedBy: "steps" | "time";
}

/**
 * An observer's finding that the run has collapsed for good. The loop stops the run on it (saving
 * a checkpoint and throwing a `CollapseStop`, see src/train/stops.ts) when asked to stop on a
 * collapse, and trains on otherwise (the observer has already warned).
 */
export interface StopFact {
  /** Step at which the collapse began. */
  at: number;
  /** Who saw it: the losses (src/train/collapse.ts) or the activation probe (src/train/activation_probe.ts). */
  by: "losses" | "probe";
  /** What collapsed: the loss term the losses watch follows (e.g. `svddPrime64`), or the pinned codes (`codes32`). */
  term?: string;
}

/**
 * What a training warning is about, so that the command line can add its advice (src/cli/advice.ts):
 * a collapse seen by the losses, pinned codes seen by the probe, pinned codes that recovered, a
 * position task that ended above chance or never left it, or a last layer blown up into saturation.
 */
export type WarningKind = "collapse" | "pinned" | "recovered" | "position" | "saturated";

/**
 * Where the loop and its observers send warnings: a one-line fact (no advice) and its kind.
 *
 * @param message what was seen, one line
 * @param kind what it is about
 */
export type WarningSink = (message: string, kind?: WarningKind) => void;

/**
 * A per-step extra of the training loop. Every method is optional; the loop calls them in the
 * order the observers are listed.
 *
 * @example
 * ```ts
 * import type { StepReport, TrainObserver } from "./observer.ts";
 * // Keep the total loss of every step in memory (e.g. for a notebook's live plot).
 * class TotalLoss implements TrainObserver {
 *   totals: number[] = [];
 *   afterStep(report: StepReport): void {
 *     this.totals.push(report.values.total);
 *   }
 * }
 * const observer = new TotalLoss();
 * observer.afterStep({ step: 1, values: { total: 4.2 }, lr: 1e-4, seconds: 0.1 });
 * if (observer.totals[0] !== 4.2) throw new Error("not recorded");
 * ```
 */
export interface TrainObserver {
  /**
   * Called once before the first step of this invocation.
   *
   * @param step steps already done (0 for a new run, the checkpoint's step for a resumed one)
   * @returns a stop fact when the run had already collapsed (a resumed run), else nothing
   */
  start?(step: number): Promise<StopFact | void> | StopFact | void;
  /**
   * Called after every step.
   *
   * @param report the step
   * @returns a stop fact the first time the run is seen to collapse for good, else nothing
   */
  afterStep?(report: StepReport): Promise<StopFact | void> | StopFact | void;
  /**
   * Called once when the run ends normally (not when it diverges or is stopped).
   *
   * @param report the end of the run
   */
  end?(report: EndReport): Promise<void> | void;
  /** Called once however the run ends: release files. */
  close?(): void;
}
