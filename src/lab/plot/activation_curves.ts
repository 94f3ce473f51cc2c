/**
 * Activation curves from runs' activation logs (`RUN/activations.jsonl`, written by the
 * training loop's probe, see src/train/activation_probe.ts): for one encoder level, three panels
 * against the step, one line per run: the last conv layer's mean |pre-activation| (log scale),
 * the fraction of saturated tanh outputs, and the spread of the codes over the probe (log scale).
 * A collapsing run shows its activations growing, its tanh saturating and its spread vanishing.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { stack, titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import { renderPlot } from "./render.ts";
import { PALETTE } from "./theme.ts";
import type { LevelActivations } from "../../train/activation_probe.ts";

/** Log-axis tick labels: plain numbers down to 0.01, then powers of ten written as `1e-4`. */
function logTick(d: number): string {
  return d >= 0.01 ? String(+d.toPrecision(2)) : d.toExponential(0);
}

/** One row of `activations.jsonl`. */
export interface ActivationRow {
  /** Step measured (0: before the first). */
  step: number;
  /** Per level, top first. */
  levels: LevelActivations[];
}

/** A run's activation log and the name it gets in the legend. */
export interface ActivationSeries {
  /** Legend label. */
  label: string;
  /** The log's rows. */
  rows: ActivationRow[];
}

/** Options of {@linkcode activationCurves}. */
export interface ActivationCurvesOptions {
  /** Patch size of the level drawn. Default: the smallest in the logs (f_small, K=32, where collapses begin). */
  patchSize?: number;
  /** Title. Default "Encoder activations during training (K=<patchSize>)". */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** Width of one panel in px. Default 300. */
  panelWidth?: number;
}

/**
 * Draw one level of several runs' activation logs.
 *
 * @param series the runs
 * @param options level, title, panel width
 * @returns the figure
 * @throws {RangeError} when no run has a row for the level
 * @example
 * ```ts
 * import { activationCurves } from "./activation_curves.ts";
 * import { ok } from "node:assert/strict";
 * const row = (step: number, pre: number, saturated: number, spread: number) => ({
 *   step,
 *   levels: [{ patchSize: 32, preact: [0.1, pre], saturated, spread }],
 * });
 * const fig = activationCurves([{ label: "collapsed", rows: [row(0, 0.03, 0, 1e-4), row(100, 18, 1, 1e-6)] }]);
 * ok(fig.svg.includes("saturated"));
 * ```
 */
export function activationCurves(series: ActivationSeries[], options: ActivationCurvesOptions = {}): Figure {
  const sizes = series.flatMap((s) => s.rows.flatMap((r) => r.levels.map((l) => l.patchSize)));
  const k = options.patchSize ?? Math.min(...sizes);
  const points = series.flatMap((s) =>
    s.rows.flatMap((r) => {
      const level = r.levels.find((l) => l.patchSize === k);
      return level ? [{ label: s.label, step: r.step, ...level, last: level.preact.at(-1)! }] : [];
    })
  );
  if (points.length === 0) throw new RangeError(`Expected activation rows for K=${k} but found none`);
  const labels = series.map((s) => s.label);
  const colors = labels.map((_, i) => PALETTE[i % PALETTE.length]);
  const panelWidth = options.panelWidth ?? 300;
  type Point = (typeof points)[number];
  const panel = (title: string, y: (p: Point) => number, log: boolean, domain?: [number, number]) => {
    const shown = points.filter((p) => !log || y(p) > 0);
    const plot = renderPlot({
      width: panelWidth,
      height: 240,
      marginLeft: 52,
      marginTop: 16,
      x: { label: "step", labelAnchor: "center", labelArrow: "none" },
      y: { type: log ? "log" : "linear", label: null, grid: true, ...(log ? { tickFormat: logTick } : {}), domain },
      color: { domain: labels, range: colors },
      marks: [
        Plot.line(shown, { x: "step", y, z: "label", stroke: "label", strokeWidth: 1.8 }),
        Plot.dot(shown, { x: "step", y, fill: "label", r: 2 }),
      ],
    });
    return titled(plot, { title, padding: 2, titleSize: 12.5 });
  };
  const panels = stack([
    panel("last layer: mean |pre-activation| (log)", (p) => p.last, true),
    panel(`tanh outputs saturated (|y| > 0.99)`, (p) => p.saturated, false, [0, 1]),
    panel("spread of the codes over the probe (log)", (p) => p.spread, true),
  ], { direction: "row", gap: 12 });
  const legend = swatchLegend(labels.map((l, i) => ({ label: l, color: colors[i], shape: "dot-line" as const })), 960);
  return titled(panels, {
    title: options.title ?? `Encoder activations during training (K=${k})`,
    subtitle: options.subtitle,
    legends: [legend],
  });
}
