/**
 * Detection of a collapsed run: the top level's SVDD' (or SVDD) loss falls below a hundredth of
 * its first values and stays there, meaning that neighbouring patches encode to (nearly) identical
 * features. Such a run does not recover (its L_SSL sits at chance, ln 8), and inspection with it is
 * little better than with an untrained encoder; the training loop warns as soon as it is seen.
 *
 * @module
 */

import type { LossValues } from "./step.ts";

/** Thresholds of {@linkcode CollapseWatch}. */
export interface CollapseCriteria {
  /** Steps whose mean value is the baseline. Default 10. */
  baselineSteps: number;
  /**
   * A step counts as collapsed below `ratio` times the baseline. Default 1e-2 (healthy bottle runs
   * never fell below their first value; collapsed ones fell to 1e-3 of it in float32, to 0 in bf16).
   */
  ratio: number;
  /** Consecutive collapsed steps needed. Default 50. */
  patience: number;
}

/** Default {@linkcode CollapseCriteria}. */
export const DEFAULT_COLLAPSE_CRITERIA: CollapseCriteria = { baselineSteps: 10, ratio: 1e-2, patience: 50 };

/**
 * The loss watched: the SVDD' (or SVDD) term of the largest patch size, e.g. `svddPrime64`.
 *
 * @param values one step's loss values
 * @returns the key, or null when the run has no SVDD term
 */
export function watchedLoss(values: LossValues): string | null {
  let best: { key: string; k: number } | null = null;
  for (const key of Object.keys(values)) {
    const m = key.match(/^svdd(?:Prime)?(\d+)$/);
    if (m && (!best || Number(m[1]) > best.k)) best = { key, k: Number(m[1]) };
  }
  return best?.key ?? null;
}

/**
 * Watches a run's losses step by step and reports its collapse once.
 *
 * @example
 * ```ts
 * import { CollapseWatch } from "./collapse.ts";
 * const watch = new CollapseWatch({ baselineSteps: 1, ratio: 1e-3, patience: 2 });
 * watch.observe(1, { svddPrime64: 3e-4 }); // null
 * watch.observe(2, { svddPrime64: 1e-15 }); // null
 * watch.observe(3, { svddPrime64: 1e-15 }); // "L_SVDD'(64) fell from 3.0e-4 ..."
 * ```
 */
export class CollapseWatch {
  /** The step at which the collapse began, once reported. */
  collapsedAt: number | null = null;
  #criteria: CollapseCriteria;
  #key: string | null | undefined;
  #first: number[] = [];
  #run = 0;
  #runStart = 0;

  /** @param criteria thresholds (default {@linkcode DEFAULT_COLLAPSE_CRITERIA}) */
  constructor(criteria: CollapseCriteria = DEFAULT_COLLAPSE_CRITERIA) {
    this.#criteria = criteria;
  }

  /** The loss term watched (e.g. `svddPrime64`), once a step is seen; null when the run has no SVDD term. */
  get term(): string | null {
    return this.#key ?? null;
  }

  /**
   * Record one step.
   *
   * @param step the step just done (1 for the first)
   * @param values its loss values
   * @returns a one-line description the first time the collapse is confirmed, else null
   */
  observe(step: number, values: LossValues): string | null {
    if (this.#key === undefined) this.#key = watchedLoss(values);
    if (this.#key === null || this.collapsedAt !== null) return null;
    const v = values[this.#key];
    const { baselineSteps, ratio, patience } = this.#criteria;
    if (this.#first.length < baselineSteps) {
      this.#first.push(v);
      return null;
    }
    const baseline = this.#first.reduce((a, b) => a + b, 0) / this.#first.length;
    if (!(v < baseline * ratio)) {
      this.#run = 0;
      return null;
    }
    if (this.#run++ === 0) this.#runStart = step;
    if (this.#run < patience) return null;
    this.collapsedAt = this.#runStart;
    const k = this.#key.match(/\d+$/)![0];
    const name = this.#key.startsWith("svddPrime") ? `L_SVDD'(${k})` : `L_SVDD(${k})`;
    return `${name} fell from ${baseline.toExponential(1)} to ${v.toExponential(1)} at step ${this.#runStart} and ` +
      `stayed there for ${patience} steps: neighbouring patches now encode to nearly identical features and the ` +
      `run will not recover`;
  }
}
