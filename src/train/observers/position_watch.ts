/**
 * The position-task watch: at the end of a run, warns when a level's self-supervised position task
 * (L_SSL, an 8-way classification, chance = ln 8 = 2.079) ended ABOVE chance, or never left it.
 *
 * Why: on MVTec screw, 15 minutes of float32 training ended with L_SSL(64) at 2.35, the position
 * classifier doing worse than guessing, and inspection with that encoder scored det 0.036 / seg 0.102
 * (scores inverted) where the untrained encoder scored 0.717 / 0.970; neither collapse watch saw
 * anything. A level whose task stays at chance for a long run (L_SSL(32) on transistor: 1.73 after
 * 1,900 steps, already off chance; on bottle at the reference's rate it stays near 2.07 for 20
 * minutes) learns nothing from it, and its map is no better than an untrained encoder's.
 *
 * Each level's L_SSL is judged by means over windows of consecutive logged steps (default 100): the
 * last window's mean against chance plus a margin, and the lowest window mean against a band around
 * chance (only for runs of at least 1000 logged steps). A resumed run's earlier steps count too.
 *
 * @module
 */

import type { EndReport, StepReport, TrainObserver, WarningSink } from "../observer.ts";
import type { LossValues } from "../step.ts";

/** Chance level of the 8-way position classifier's cross-entropy: ln 8. */
export const POSITION_CHANCE = Math.log(8);

/** Thresholds of {@linkcode PositionWatch}. */
export interface PositionCriteria {
  /** Consecutive logged steps in one mean. Default 100. */
  window: number;
  /** The last mean counts as above chance when it exceeds ln 8 by more than this. Default 0.02. */
  aboveChance: number;
  /** The task never left chance when its lowest mean stayed above ln 8 minus this. Default 0.05. */
  chanceBand: number;
  /** Logged steps a run needs before "never left chance" is judged. Default 1000. */
  minSteps: number;
}

/** Default {@linkcode PositionCriteria}. */
export const DEFAULT_POSITION_CRITERIA: PositionCriteria = {
  window: 100,
  aboveChance: 0.02,
  chanceBand: 0.05,
  minSteps: 1000,
};

/** A level whose position task ended above chance or never left it. */
export interface PositionFinding {
  /** The loss term, e.g. `ssl64`. */
  term: string;
  /** Patch size K of the level. */
  patchSize: number;
  /** What was found. */
  finding: "above-chance" | "never-left-chance";
  /** The last window's mean (above chance) or the lowest window mean (never left chance). */
  value: number;
  /** Logged steps judged. */
  steps: number;
  /** The warning, one line. */
  message: string;
}

/** One level's running window. */
class Track {
  ring: Float64Array;
  sum = 0;
  count = 0;
  lowest = Infinity;

  constructor(window: number) {
    this.ring = new Float64Array(window);
  }

  add(v: number): void {
    const i = this.count % this.ring.length;
    this.sum += v - this.ring[i];
    this.ring[i] = v;
    this.count++;
    if (this.count >= this.ring.length) this.lowest = Math.min(this.lowest, this.sum / this.ring.length);
  }
}

/** Follows each level's L_SSL and judges it at the end of the run. */
export class PositionWatch implements TrainObserver {
  /** The findings of the last {@linkcode end} (empty before it, and when all is well). */
  findings: PositionFinding[] = [];
  #tracks = new Map<string, Track>();
  #warn: WarningSink;
  #criteria: PositionCriteria;

  /**
   * @param history the run's logged steps before this invocation (a resumed run's; else none)
   * @param warn where the warnings go
   * @param criteria thresholds (default {@linkcode DEFAULT_POSITION_CRITERIA})
   * @example
   * ```ts
   * import { PositionWatch } from "./position_watch.ts";
   * const warnings: string[] = [];
   * const watch = new PositionWatch([], (m) => warnings.push(m));
   * for (let step = 1; step <= 200; step++) watch.observe({ ssl64: 2.35, ssl32: 1.5 });
   * watch.end();
   * watch.findings.map((f) => f.term); // ["ssl64"]
   * warnings[0]; // "L_SSL(64) ended at 2.35, above chance (2.08): the position classifier does worse than guessing, ..."
   * ```
   */
  constructor(
    history: LossValues[],
    warn: WarningSink,
    criteria: PositionCriteria = DEFAULT_POSITION_CRITERIA,
  ) {
    this.#warn = warn;
    this.#criteria = criteria;
    for (const row of history) this.observe(row);
  }

  /**
   * Record one step's losses (the L_SSL terms; other terms are ignored).
   *
   * @param values the step's loss values
   */
  observe(values: LossValues): void {
    for (const [term, v] of Object.entries(values)) {
      if (!/^ssl\d+$/.test(term)) continue;
      let track = this.#tracks.get(term);
      if (!track) this.#tracks.set(term, track = new Track(this.#criteria.window));
      track.add(v);
    }
  }

  /**
   * @param report the step
   */
  afterStep({ values }: StepReport): void {
    this.observe(values);
  }

  /**
   * The findings so far, one at most per level (above chance first), without warning.
   *
   * @returns the findings, top level first
   */
  judge(): PositionFinding[] {
    const { window, aboveChance, chanceBand, minSteps } = this.#criteria;
    const chance = POSITION_CHANCE.toFixed(2);
    const out: PositionFinding[] = [];
    const terms = [...this.#tracks.keys()].sort((a, b) => Number(b.slice(3)) - Number(a.slice(3)));
    for (const term of terms) {
      const track = this.#tracks.get(term)!, k = Number(term.slice(3)), steps = track.count;
      if (steps < window) continue;
      const last = track.ring.reduce((a, b) => a + b, 0) / window;
      if (last > POSITION_CHANCE + aboveChance) {
        const message = `L_SSL(${k}) ended at ${last.toFixed(2)}, above chance (${chance}): the position ` +
          `classifier does worse than guessing, a sign that training made the K=${k} features worse (mean of the ` +
          `last ${window} steps; on MVTec screw such a run scored below an untrained encoder). Compare with an ` +
          `untrained run (train --steps 0) before trusting it`;
        out.push({ term, patchSize: k, finding: "above-chance", value: last, steps, message });
      } else if (steps >= minSteps && track.lowest > POSITION_CHANCE - chanceBand) {
        const message = `L_SSL(${k}) never left chance (${chance}): its lowest ${window}-step mean in ${steps} ` +
          `steps was ${track.lowest.toFixed(2)}, so the K=${k} position task taught the encoder nothing and the ` +
          `K=${k} map may be no better than an untrained encoder's. Compare with an untrained run (train --steps 0)`;
        out.push({ term, patchSize: k, finding: "never-left-chance", value: track.lowest, steps, message });
      }
    }
    return out;
  }

  /** Judge the run and warn once per finding. */
  end(_report?: EndReport): void {
    this.findings = this.judge();
    for (const f of this.findings) this.#warn(f.message, "position");
  }
}
