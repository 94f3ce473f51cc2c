/**
 * Training curves from the JSON-lines log (`{step, time_s, ssl64, ssl32, svddPrime64, ...,
 * total}` per line): one panel per kind of loss, because L_SSL (~2, chance ln 8) and L_SVDD'
 * (~1e-2, log scale) live on different scales.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { stack, titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import { SSL_CHANCE } from "./paper.ts";
import { renderPlot } from "./render.ts";
import { PALETTE, REFERENCE_COLOR } from "./theme.ts";

/** Log fields that are not loss terms. */
const NOT_LOSSES = new Set(["step", "time_s", "epoch", "lr", "learning_rate", "seconds", "images_per_s"]);

/** Options of {@linkcode trainingCurves}. */
export interface TrainingCurvesOptions {
  /** Figure title. Default `"Training losses"`. */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** Chance level of L_SSL to mark (default ln 8 ≈ 2.079; `null` for none). */
  chance?: number | null;
  /** Moving-average window in log lines; default about 1/50 of the run (at least 1). */
  smooth?: number;
  /** Width of one panel in px. Default 320. */
  panelWidth?: number;
}

/** A panel of the training-curve figure. */
export interface LossPanel {
  /** Panel title. */
  title: string;
  /** Log fields drawn in it. */
  keys: string[];
  /** Whether its y axis is logarithmic. */
  log: boolean;
}

/**
 * Group a log's loss terms into panels: `ssl*` (linear), `svdd*` (log scale), `total`, others.
 *
 * @param keys the numeric fields of the log that are loss terms
 * @returns the non-empty panels, in that order
 * @example
 * ```ts
 * import { lossPanels } from "./training_curves.ts";
 * lossPanels(["ssl64", "svddPrime64", "total"]).map((p) => p.title);
 * // ["L_SSL (position classifier)", "L_SVDD' / L_SVDD (log scale)", "total loss"]
 * ```
 */
export function lossPanels(keys: string[]): LossPanel[] {
  const ssl = keys.filter((k) => /^ssl/i.test(k));
  const svdd = keys.filter((k) => /^svdd/i.test(k));
  const total = keys.filter((k) => /^total$/i.test(k));
  const other = keys.filter((k) => !ssl.includes(k) && !svdd.includes(k) && !total.includes(k));
  return [
    { title: "L_SSL (position classifier)", keys: ssl, log: false },
    { title: "L_SVDD' / L_SVDD (log scale)", keys: svdd, log: true },
    { title: "total loss", keys: total, log: false },
    { title: "other", keys: other, log: false },
  ].filter((p) => p.keys.length > 0);
}

/**
 * One line per loss term against the step: the raw values faint, a moving average solid; the
 * chance level of L_SSL (ln 8: the classifier guesses one of 8 positions) dashed.
 *
 * @param log the training log, one record per logged step (numeric fields; `step` is the x axis,
 *   the line's index if absent)
 * @param options title, chance level, smoothing, panel width
 * @returns the figure
 * @throws {RangeError} when the log is empty or holds no loss term
 * @example
 * ```ts
 * import { trainingCurves } from "./training_curves.ts";
 * import { ok } from "node:assert/strict";
 * const log = [1, 2, 3].map((step) => ({ step, ssl64: 2 / step, svddPrime64: 0.01 / step, total: 2 / step }));
 * ok(trainingCurves(log).svg.includes("chance"));
 * ```
 */
export function trainingCurves(log: Record<string, number>[], options: TrainingCurvesOptions = {}): Figure {
  if (log.length === 0) throw new RangeError("Expected at least one log line but found none");
  const { title = "Training losses", chance = SSL_CHANCE, panelWidth = 320 } = options;
  const keys = [...new Set(log.flatMap((line) => Object.keys(line)))]
    .filter((k) => !NOT_LOSSES.has(k) && log.some((line) => typeof line[k] === "number"));
  if (keys.length === 0) throw new RangeError(`Expected loss terms in the log but found only ${Object.keys(log[0])}`);
  const smooth = options.smooth ?? Math.max(1, Math.round(log.length / 50));
  const color = (k: string) => PALETTE[keys.indexOf(k) % PALETTE.length];
  const panels = lossPanels(keys).map((panel) => {
    const points = panel.keys.flatMap((key) =>
      log.flatMap((line, i) => {
        const value = line[key];
        if (typeof value !== "number" || !Number.isFinite(value) || (panel.log && value <= 0)) return [];
        return [{ key, step: line.step ?? i, value }];
      })
    );
    const marks: Plot.Markish[] = [
      Plot.line(points, { x: "step", y: "value", z: "key", stroke: "key", strokeOpacity: 0.25, strokeWidth: 1 }),
      Plot.line(
        points,
        Plot.windowY({ k: smooth, anchor: "end", reduce: "mean" }, {
          x: "step",
          y: "value",
          z: "key",
          stroke: "key",
          strokeWidth: 2,
        }),
      ),
    ];
    const showChance = chance !== null && panel.keys.some((k) => /^ssl/i.test(k));
    if (showChance) {
      marks.push(
        Plot.ruleY([chance], { stroke: REFERENCE_COLOR, strokeDasharray: "5,4" }),
        Plot.text([chance], {
          y: (d: number) => d,
          frameAnchor: "right",
          textAnchor: "end",
          dy: -6,
          text: () => `chance ln 8 = ${chance.toFixed(3)}`,
          fill: "#555",
        }),
      );
    }
    const plot = renderPlot({
      width: panelWidth,
      height: 260,
      marginLeft: 52,
      marginTop: 16,
      x: { label: "step", labelAnchor: "center", labelArrow: "none" },
      y: {
        type: panel.log ? "log" : "linear",
        label: "loss",
        ...(panel.log ? { tickFormat: "~g" } : {}),
        grid: true,
        ...(showChance ? { domain: [0, Math.max(chance!, ...points.map((p) => p.value)) * 1.05] } : {}),
      },
      color: { domain: panel.keys, range: panel.keys.map(color) },
      marks,
    });
    const legend = swatchLegend(
      panel.keys.map((k) => ({ label: k, color: color(k), shape: "line" as const })),
      panelWidth,
    );
    return titled(plot, { title: panel.title, legends: [legend], padding: 2, titleSize: 12.5 });
  });
  return titled(stack(panels, { direction: "row", gap: 12 }), {
    title,
    subtitle: options.subtitle ?? `Faint: every logged step; solid: moving average over ${smooth} log lines.`,
  });
}
