/**
 * The loss-based collapse watch as an observer: feeds every step's losses to a
 * {@linkcode CollapseWatch} (src/train/collapse.ts), warns once when the collapse is confirmed, and
 * reports it as a stop fact. A resumed run's earlier steps are replayed first, so that the baseline
 * is the run's first steps' and a run that had collapsed before is named at once.
 *
 * @module
 */

import { type CollapseCriteria, CollapseWatch } from "../collapse.ts";
import type { StepReport, StopFact, TrainObserver, WarningSink } from "../observer.ts";
import type { LossLogRow } from "./loss_log.ts";

/** Warns when the losses show a collapse. */
export class CollapseObserver implements TrainObserver {
  #watch: CollapseWatch;
  #warn: WarningSink;

  /**
   * @param history the run's logged steps before this invocation (a resumed run's; else none)
   * @param warn where the warning goes (kind "collapse"; the command line adds its advice)
   * @param criteria thresholds (default: those of src/train/collapse.ts)
   * @example
   * ```ts
   * import { CollapseObserver } from "./collapse_watch.ts";
   * const warnings: string[] = [];
   * const watch = new CollapseObserver([], (m) => warnings.push(m), { baselineSteps: 1, ratio: 1e-3, patience: 2 });
   * watch.afterStep({ step: 1, values: { svddPrime64: 3e-4 }, lr: 1e-4, seconds: 1 }); // undefined
   * watch.afterStep({ step: 2, values: { svddPrime64: 1e-15 }, lr: 1e-4, seconds: 2 }); // undefined
   * watch.afterStep({ step: 3, values: { svddPrime64: 1e-15 }, lr: 1e-4, seconds: 3 }); // { at: 2, by: "losses", term: "svddPrime64" }
   * ```
   */
  constructor(history: LossLogRow[], warn: WarningSink, criteria?: CollapseCriteria) {
    this.#watch = new CollapseWatch(criteria);
    this.#warn = warn;
    for (const row of history) this.#watch.observe(row.step, row);
    if (this.collapsedAt !== null) warn(`this run collapsed at step ${this.collapsedAt}.`, "collapse");
  }

  /** Step at which the run was seen to collapse, or null. */
  get collapsedAt(): number | null {
    return this.#watch.collapsedAt;
  }

  /** @returns a stop fact when a resumed run had collapsed before */
  start(): StopFact | void {
    if (this.collapsedAt !== null) return this.#fact();
  }

  /**
   * @param report the step
   * @returns a stop fact at the step the collapse is confirmed
   */
  afterStep({ step, values }: StepReport): StopFact | void {
    const collapse = this.#watch.observe(step, values);
    if (!collapse) return;
    this.#warn(`training collapsed: ${collapse}.`, "collapse");
    return this.#fact();
  }

  #fact(): StopFact {
    return { at: this.collapsedAt!, by: "losses", ...(this.#watch.term ? { term: this.#watch.term } : {}) };
  }
}
