/**
 * The progress bar as an observer: after each step, a line with the step, the loss terms, pairs per
 * second and the time left (src/train/progress.ts draws it, throttled); at the end, the final line
 * and how long the invocation trained.
 *
 * @module
 */

import type { EndReport, StepReport, TrainObserver } from "../observer.ts";
import { formatDuration, ProgressBar, progressLine } from "../progress.ts";

/** Where the progress goes: a {@linkcode ProgressBar}, or anything shaped like one. */
export interface ProgressSink {
  /** Show a line (`force`: even if throttled). */
  update(line: string, force?: boolean): void;
  /** End the line. */
  done(): void;
}

/** Settings of {@linkcode ProgressObserver}. */
export interface ProgressOptions {
  /** The step budget (Infinity when only a time budget applies). */
  totalSteps: number;
  /** Pairs per step, all pair sets and levels (for the pairs/s figure). */
  pairsPerStep: number;
  /** Steps done before this invocation. */
  firstStep: number;
  /** End of the time budget, in `performance.now()` milliseconds (Infinity: none). */
  deadline: number;
  /** Print nothing. */
  quiet?: boolean;
  /** Where the bar goes. Default: a {@linkcode ProgressBar} on stderr. */
  bar?: ProgressSink;
  /** Where the closing summary line goes. Default: stderr. */
  print?: (line: string) => void;
}

/** Shows a run's progress. */
export class ProgressObserver implements TrainObserver {
  #options: ProgressOptions;
  #bar: ProgressSink;

  /**
   * @param options budget, throughput and where to print
   * @example
   * ```ts
   * import { ProgressObserver } from "./progress.ts";
   * const lines: string[] = [];
   * const bar = { update: (line: string) => lines.push(line), done: () => {} };
   * const progress = new ProgressObserver({ totalSteps: 10, pairsPerStep: 256, firstStep: 0, deadline: Infinity, bar });
   * progress.afterStep({ step: 5, values: { ssl64: 2.07 }, lr: 1e-4, seconds: 2.5 });
   * lines[0]; // "step 5/10 [##########..........] ssl64 2.070 | 512 pairs/s | ETA 3s"
   * ```
   */
  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#bar = options.bar ?? new ProgressBar(options.quiet);
  }

  /**
   * @param report the step
   */
  afterStep({ step, values, seconds }: StepReport): void {
    const { totalSteps, firstStep, deadline, pairsPerStep } = this.#options;
    const rate = (step - firstStep) / seconds;
    const remaining = Math.min((totalSteps - step) / rate, Math.max(0, (deadline - performance.now()) / 1000));
    this.#bar.update(progressLine(step, totalSteps, values, rate * pairsPerStep, remaining));
  }

  /**
   * @param report the end of the run
   */
  end({ step, seconds, last }: EndReport): void {
    const { totalSteps, firstStep, pairsPerStep, quiet } = this.#options;
    const stepsPerSecond = (step - firstStep) / Math.max(seconds, 1e-9);
    if (last) this.#bar.update(progressLine(step, totalSteps, last, stepsPerSecond * pairsPerStep, 0), true);
    this.#bar.done();
    if (quiet) return;
    (this.#options.print ?? console.error)(
      `trained ${step - firstStep} steps in ${formatDuration(seconds)} (${stepsPerSecond.toFixed(3)} steps/s)`,
    );
  }
}
