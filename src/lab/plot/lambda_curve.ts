/**
 * AUROC against lambda (the weight of L_SVDD' in the total loss) on a log axis (symlog when
 * lambda 0 is among the values), with ± std error bars over seeds, the published lambda marked,
 * optionally one panel per facet (class, or the mean over classes) and the untrained encoder's
 * level (± std) as a dashed rule over a band in each metric's colour.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import { renderPlot } from "./render.ts";
import { METRIC_COLORS, METRIC_NAMES, PALETTE, REFERENCE_COLOR } from "./theme.ts";

/** One point of the sweep: a metric's mean and std over seeds at one lambda. */
export interface LambdaRow {
  /** Weight of L_SVDD' (>= 0; a log axis, symlog when 0 is among the values). */
  lambda: number;
  /** Metric name: `"det"` / `"seg"` get the usual names and colours, anything else is shown as is. */
  metric: string;
  /** Mean over seeds. */
  mean: number;
  /** Standard deviation over seeds. */
  std: number;
  /** Facet (panel), e.g. the class or `"mean over 2 classes"`; rows without one share a single panel. */
  facet?: string;
}

/** The untrained encoder's level of one metric (in one facet): mean and std over seeds. */
export interface UntrainedLevel {
  /** Facet it belongs to (as in {@linkcode LambdaRow.facet}); none: every panel. */
  facet?: string;
  /** Metric, as in {@linkcode LambdaRow.metric}. */
  metric: string;
  /** Mean over seeds. */
  mean: number;
  /** Standard deviation over seeds. */
  std: number;
}

/** Options of {@linkcode lambdaCurve}. */
export interface LambdaCurveOptions {
  /** Figure title. Default `"AUROC vs. lambda"`. */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** y-axis label. Default `"AUROC"`. */
  yLabel?: string;
  /** Lambda to mark with a dashed line; default 1e-3 (the published command); `null` for none. */
  referenceLambda?: number | null;
  /** Chance level to mark (default 0.5; `null` for none). */
  chance?: number | null;
  /** The untrained encoder's levels, drawn as a dashed rule and a ± std band per metric (and facet). */
  untrained?: UntrainedLevel[];
  /** Width in px. Default 640. */
  width?: number;
}

const SUPERSCRIPT: Record<string, string> = {
  "-": "⁻",
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
};

/**
 * Label a power of ten as `10⁻³` (1 and 10 as themselves, 0 as `0`); other values as `~g`.
 *
 * @param value the tick value
 * @returns the label
 * @example
 * ```ts
 * import { powerOfTenLabel } from "./lambda_curve.ts";
 * powerOfTenLabel(0.001); // "10⁻³"
 * ```
 */
export function powerOfTenLabel(value: number): string {
  if (value === 0) return "0";
  const exponent = Math.round(Math.log10(value));
  if (Math.abs(value / 10 ** exponent - 1) > 1e-9) return String(Number(value.toPrecision(3)));
  if (exponent === 0) return "1";
  if (exponent === 1) return "10";
  return "10" + [...String(exponent)].map((c) => SUPERSCRIPT[c]).join("");
}

/** The powers of ten spanning the given positive values. */
function powersOfTen(values: number[]): number[] {
  const lo = Math.floor(Math.log10(Math.min(...values))), hi = Math.ceil(Math.log10(Math.max(...values)));
  return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
}

function metricName(metric: string): string {
  return metric === "det" || metric === "seg" ? METRIC_NAMES[metric] : metric;
}

/**
 * Mean ± std of each metric against lambda, log x axis (symlog, linear near 0, when a lambda is 0),
 * one panel per facet when the rows have facets, the untrained encoder's level where given.
 *
 * @param rows one row per lambda and metric (and facet)
 * @param options title, labels, reference lambda, chance level, untrained levels, width
 * @returns the figure
 * @throws {RangeError} when `rows` is empty or a lambda is negative
 * @example
 * ```ts
 * import { lambdaCurve } from "./lambda_curve.ts";
 * import { ok } from "node:assert/strict";
 * const figure = lambdaCurve([
 *   { lambda: 1e-3, metric: "det", mean: 0.9, std: 0.01 },
 *   { lambda: 1, metric: "det", mean: 0.6, std: 0.05 },
 * ]);
 * ok(figure.svg.includes("λ"));
 * ```
 */
export function lambdaCurve(rows: LambdaRow[], options: LambdaCurveOptions = {}): Figure {
  if (rows.length === 0) throw new RangeError("Expected at least one lambda row but found none");
  for (const r of rows) {
    if (!(r.lambda >= 0)) throw new RangeError(`Expected lambda >= 0 but found ${r.lambda}`);
  }
  const {
    title = "AUROC vs. lambda",
    yLabel = "AUROC",
    referenceLambda = 1e-3,
    chance = 0.5,
    width = 640,
  } = options;
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const colors = metrics.map((m, i) =>
    m === "det" || m === "seg" ? METRIC_COLORS[m] : PALETTE[(i + 2) % PALETTE.length]
  );
  const data = [...rows].sort((a, b) => a.lambda - b.lambda).map((r) => ({ ...r, name: metricName(r.metric) }));
  const names = metrics.map(metricName);
  const facets = [...new Set(rows.map((r) => r.facet ?? ""))];
  const faceted = facets.some((f) => f !== "");
  const fx = faceted ? { fx: "facet" } : {};
  const untrained = (options.untrained ?? []).map((u) => ({ ...u, name: metricName(u.metric) }));
  const marks: Plot.Markish[] = [];
  if (chance !== null) marks.push(Plot.ruleY([chance], { stroke: REFERENCE_COLOR, strokeDasharray: "2,3" }));
  if (untrained.length > 0) {
    const ufx = faceted ? { fx: "facet" } : {};
    marks.push(
      Plot.rect(untrained, {
        ...ufx,
        y1: (u: UntrainedLevel) => u.mean - u.std,
        y2: (u: UntrainedLevel) => u.mean + u.std,
        fill: "name",
        fillOpacity: 0.12,
      }),
      Plot.ruleY(untrained, { ...ufx, y: "mean", stroke: "name", strokeDasharray: "6,3", strokeWidth: 1.5 }),
    );
  }
  if (referenceLambda !== null) {
    marks.push(
      Plot.ruleX([referenceLambda], { stroke: REFERENCE_COLOR, strokeDasharray: "5,4" }),
      Plot.text([referenceLambda], {
        x: (d: number) => d,
        frameAnchor: "bottom",
        dy: -6,
        dx: 4,
        textAnchor: "start",
        text: () => `published λ = ${referenceLambda}`,
        fill: "#555",
      }),
    );
  }
  marks.push(
    Plot.ruleX(data, {
      ...fx,
      x: "lambda",
      y1: (r: LambdaRow) => r.mean - r.std,
      y2: (r: LambdaRow) => r.mean + r.std,
      stroke: "name",
      strokeWidth: 1.5,
    }),
    Plot.lineY(data, { ...fx, x: "lambda", y: "mean", stroke: "name", strokeWidth: 2 }),
    Plot.dot(data, { ...fx, x: "lambda", y: "mean", fill: "name", r: 3.5 }),
  );
  const positive = data.map((r) => r.lambda).concat(referenceLambda ?? []).filter((v) => v > 0);
  const withZero = data.some((r) => r.lambda === 0);
  // Lambda 0 cannot sit on a log axis: symlog is linear within `constant` of 0 and logarithmic beyond.
  const constant = positive.length > 0 ? Math.min(...positive) / 10 : 1e-4;
  const figure = renderPlot({
    width,
    height: 340,
    marginTop: faceted ? 30 : 24,
    ...(faceted ? { fx: { domain: facets, label: null, padding: 0.12 } } : {}),
    x: {
      ...(withZero ? { type: "symlog" as const, constant } : { type: "log" as const }),
      label: `λ (weight of L_SVDD')${withZero ? "; symlog axis, 0 at the left" : ""}`,
      labelAnchor: "center",
      labelArrow: "none",
      ticks: [...(withZero ? [0] : []), ...(positive.length > 0 ? powersOfTen(positive) : [])],
      tickFormat: powerOfTenLabel,
    },
    y: { label: yLabel, grid: true },
    color: { domain: names, range: colors },
    marks,
  });
  const legend = swatchLegend([
    ...names.map((n, i) => ({ label: n, color: colors[i], shape: "line" as const })),
    { label: "± std over seeds", color: "#333", shape: "errorbar" },
    ...(referenceLambda !== null ? [{ label: "published λ", color: REFERENCE_COLOR, shape: "dash" as const }] : []),
    ...(chance !== null ? [{ label: `chance (${chance})`, color: REFERENCE_COLOR, shape: "dot-line" as const }] : []),
    ...(untrained.length > 0
      ? [{ label: "untrained encoder (± std band)", color: REFERENCE_COLOR, shape: "dash" as const }]
      : []),
  ], width);
  return titled(figure, { title, subtitle: options.subtitle, legends: [legend] });
}
