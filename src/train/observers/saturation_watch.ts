/**
 * The saturation watch: at the end of a run, warns when a level's last layer has grown its
 * pre-activations far beyond a healthy run's, so that its tanh codes are mostly saturated.
 *
 * Why: on MVTec screw (grayscale, objects at random angles on a flat background) 15 minutes of
 * training ended with the K=32 last layer's mean |pre-activation| at 21-51 and 40% of the codes
 * saturated, and inspection scored det 0.036 (scores inverted). On a made screw-like copy of bottle
 * (`make-variant --gray --rotate --scale 0.5 --noise 2`) trained with a larger SSL noise, the same
 * layer grew to 148 and the K=32 segmentation map scored 0.093, inverted; healthy bottle and
 * transistor runs stay at 0.8-5 (results/recipe/README.md). Neither collapse watch sees this: the
 * codes still differ from patch to patch. Through a saturated tanh the gradient is tiny, but Adam
 * divides it by its own running size, so the weights keep moving at the full rate and the
 * pre-activations keep growing.
 *
 * It judges the last probe of the run (src/train/observers/probe.ts), so it needs the probe on.
 *
 * @module
 */

import type { ActivationRow } from "./probe.ts";
import type { TrainObserver, WarningSink } from "../observer.ts";

/** Thresholds of {@linkcode SaturationWatch}. */
export interface SaturationCriteria {
  /** A level's last layer counts as blown up above this mean |pre-activation|. Default 10. */
  maxPreactivation: number;
}

/** Default {@linkcode SaturationCriteria}: healthy runs measured 0.8-5, the inverted ones 21-148. */
export const DEFAULT_SATURATION_CRITERIA: SaturationCriteria = { maxPreactivation: 10 };

/** A level whose last layer blew up. */
export interface SaturationFinding {
  /** Patch size K of the level. */
  patchSize: number;
  /** The probe step judged. */
  step: number;
  /** Mean |pre-activation| of the level's last layer. */
  preactivation: number;
  /** Fraction of the level's codes saturated. */
  saturated: number;
  /** The warning, one line. */
  message: string;
}

/**
 * The findings on one probe row, top level first.
 *
 * @param row a probe row (`{step, levels}`)
 * @param criteria thresholds (default {@linkcode DEFAULT_SATURATION_CRITERIA})
 * @returns one finding per level whose last layer is above the threshold
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { judgeSaturation } from "./saturation_watch.ts";
 * const row = {
 *   step: 2400,
 *   levels: [
 *     { patchSize: 64, preact: [0.5, 1.4], saturated: 0.1, spread: 0.5 },
 *     { patchSize: 32, preact: [0.2, 148], saturated: 0.4, spread: 0.5 },
 *   ],
 * };
 * equal(judgeSaturation(row).map((f) => f.patchSize).join(), "32");
 * ```
 */
export function judgeSaturation(
  row: ActivationRow,
  criteria: SaturationCriteria = DEFAULT_SATURATION_CRITERIA,
): SaturationFinding[] {
  const out: SaturationFinding[] = [];
  for (const level of row.levels) {
    const last = level.preact[level.preact.length - 1];
    if (!(last > criteria.maxPreactivation)) continue;
    const k = level.patchSize;
    const message = `the K=${k} codes are saturated: the last layer's mean |pre-activation| reached ` +
      `${last.toPrecision(3)} at step ${row.step} (healthy runs: 1-5; above ${criteria.maxPreactivation} ` +
      `the maps can come out inverted, as on MVTec screw), with ${(100 * level.saturated).toFixed(0)}% of the ` +
      `codes saturated. Compare with an untrained run (eval --baseline) before trusting it`;
    out.push({ patchSize: k, step: row.step, preactivation: last, saturated: level.saturated, message });
  }
  return out.sort((a, b) => b.patchSize - a.patchSize);
}

/** Judges the run's last activation probe when it ends. */
export class SaturationWatch implements TrainObserver {
  /** The findings of the last {@linkcode end} (empty before it, and when all is well). */
  findings: SaturationFinding[] = [];
  #latest: () => ActivationRow | null;
  #warn: WarningSink;
  #criteria: SaturationCriteria;

  /**
   * @param latest the run's last probe row, or null when the probe never ran
   * @param warn where the warnings go (kind "saturated")
   * @param criteria thresholds (default {@linkcode DEFAULT_SATURATION_CRITERIA})
   */
  constructor(
    latest: () => ActivationRow | null,
    warn: WarningSink,
    criteria: SaturationCriteria = DEFAULT_SATURATION_CRITERIA,
  ) {
    this.#latest = latest;
    this.#warn = warn;
    this.#criteria = criteria;
  }

  /** Judge the last probe and warn once per finding. */
  end(): void {
    const row = this.#latest();
    this.findings = row ? judgeSaturation(row, this.#criteria) : [];
    for (const f of this.findings) this.#warn(f.message, "saturated");
  }
}
