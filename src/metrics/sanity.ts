/**
 * Sanity checks on a run's metrics, so that no one trusts a broken model: an AUROC below 0.5 (the
 * scores rank anomalies as more normal than normal images: inverted) or at 0.5 (no signal), and a trained encoder that
 * scores below the untrained one (the same configuration at step 0) by more than the seed spread.
 * Pure: metrics in, one-line warnings out; `eval` prints them and stores them in `metrics.json`.
 *
 * @module
 */

/** The part of a `metrics.json` the checks read. */
export interface SanityMetrics {
  /** Detection AUROC per map key. */
  image_auroc: Record<string, number>;
  /** Segmentation AUROC per map key; null without masks. */
  pixel_auroc: Record<string, number> | null;
  /** The main map's key. */
  main: string;
}

/** One finding, as stored in `metrics.json` under `warnings`. */
export interface SanityWarning {
  /**
   * "inverted": an AUROC below chance; "chance": within {@linkcode CHANCE_BAND} of 0.5 (e.g. every score equal,
   * as when all codes collapse to one point); "below_untrained": the trained encoder lost to the untrained one.
   */
  kind: "inverted" | "chance" | "below_untrained";
  /** "det" or "seg". */
  metric: "det" | "seg";
  /** Map key (k64, k32, sum, mult). */
  map: string;
  /** This run's value. */
  value: number;
  /** The untrained encoder's value (mean over its seeds), for "below_untrained". */
  baseline?: number;
  /** The message, one line. */
  message: string;
}

/** An AUROC within this distance of 0.5 counts as chance (the paper's hardest class, capsule, scores 0.767). */
export const CHANCE_BAND = 0.02;

/**
 * Tolerance of the comparison with the untrained encoder when fewer than two untrained runs give a
 * spread of their own: the seed-to-seed standard deviation of the trained runs of the 20-minute
 * recipe on bottle (det 0.010, seg 0.023 over seven seeds, results/time_to_quality/), rounded up.
 */
export const DEFAULT_SEED_SPREAD = 0.025;

/**
 * Check a run's metrics.
 *
 * @param metrics this run's metrics
 * @param untrained metrics of untrained encoders of the same configuration (any number of seeds; none: that check
 *   is skipped)
 * @returns the warnings, most serious first (empty when all is well)
 *
 * @example
 * ```ts
 * import { sanityWarnings } from "./sanity.ts";
 * import assert from "node:assert";
 * const run = { image_auroc: { mult: 0.04 }, pixel_auroc: { mult: 0.9 }, main: "mult" };
 * const untrained = [{ image_auroc: { mult: 0.72 }, pixel_auroc: { mult: 0.97 }, main: "mult" }];
 * const kinds = sanityWarnings(run, untrained).map((w) => `${w.kind} ${w.metric}`);
 * assert.deepEqual(kinds, ["inverted det", "below_untrained det", "below_untrained seg"]);
 * ```
 */
export function sanityWarnings(metrics: SanityMetrics, untrained: SanityMetrics[] = []): SanityWarning[] {
  const out: SanityWarning[] = [];
  const metricsOf = (m: SanityMetrics) => [["det", m.image_auroc], ["seg", m.pixel_auroc]] as const;
  for (const [metric, values] of metricsOf(metrics)) {
    for (const [map, value] of Object.entries(values ?? {})) {
      if (Math.abs(value - 0.5) <= CHANCE_BAND) {
        out.push({
          kind: "chance",
          metric,
          map,
          value,
          message:
            `${metric} AUROC of the ${map} map is ${value.toFixed(3)}, no better than chance: the map does not ` +
            `separate anomalies from normal images (all codes alike? see the pinned and collapse warnings of train and ` +
            `RUN/activations.jsonl; docs/troubleshooting.md)`,
        });
      } else if (value < 0.5) {
        out.push({
          kind: "inverted",
          metric,
          map,
          value,
          message: `${metric} AUROC of the ${map} map is ${value.toFixed(3)}, below chance (0.5): the scores are ` +
            `inverted, anomalies look more normal than normal images. Compare with the untrained encoder ` +
            `(train --steps 0, or eval --baseline) and see docs/troubleshooting.md`,
        });
      }
    }
  }
  if (untrained.length === 0) return out;
  const main = metrics.main;
  for (const [metric, values] of metricsOf(metrics)) {
    const value = values?.[main];
    const base = untrained.map((u) => (metric === "det" ? u.image_auroc : u.pixel_auroc)?.[main])
      .filter((x): x is number => x !== undefined);
    if (value === undefined || base.length === 0) continue;
    const mean = base.reduce((a, b) => a + b, 0) / base.length;
    const spread = base.length >= 2 ? Math.max(DEFAULT_SEED_SPREAD, 2 * std(base, mean)) : DEFAULT_SEED_SPREAD;
    if (value < mean - spread) {
      out.push({
        kind: "below_untrained",
        metric,
        map: main,
        value,
        baseline: mean,
        message: `${metric} AUROC (${main}) is ${value.toFixed(3)}, below the untrained encoder's ${mean.toFixed(3)} ` +
          `(${base.length} run${base.length > 1 ? "s" : ""}) by more than the seed spread (${spread.toFixed(3)}): ` +
          `training made the encoder worse. Check RUN/activations.jsonl and the losses (docs/troubleshooting.md)`,
      });
    }
  }
  return out;
}

function std(xs: number[], mean: number): number {
  return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
}
