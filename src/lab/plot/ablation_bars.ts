/**
 * Ablation bar chart in the paper's style: one group per configuration, detection and
 * segmentation AUROC side by side, ± std over seeds as error bars, the paper's value as a
 * black tick; optionally one row of panels per facet (class, or the mean over classes) and the
 * untrained encoder's level (± std) as a dashed grey rule and band across each bar.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import { renderPlot } from "./render.ts";
import { METRIC_COLORS, METRIC_NAMES, PAPER_COLOR, UNTRAINED_COLOR } from "./theme.ts";

/** One bar: a configuration's mean AUROC over seeds for one metric. AUROCs are fractions in [0, 1]. */
export interface AblationRow {
  /** Configuration name, e.g. `"L_SVDD'"` or `"hierarchical K=32"`. */
  group: string;
  /** Detection (image) or segmentation (pixel) AUROC. */
  metric: "det" | "seg";
  /** Mean AUROC over seeds. */
  mean: number;
  /** Standard deviation over seeds (0 for a single seed). */
  std: number;
  /** Number of seeds. */
  n: number;
  /** The paper's value for this configuration and metric, if it reports one. */
  paper?: number;
  /** Facet (row of panels), e.g. the class or `"mean over 2 classes"`; rows without one share a single row. */
  facet?: string;
  /** The untrained encoder's AUROC (same facet, metric and map): mean and std over the same seeds. */
  untrained?: { mean: number; std: number };
  /** This row's gain over the untrained encoder: mean and std over the seeds both have, and their number. */
  gain?: { mean: number; std: number; n: number };
}

/** Options of {@linkcode ablationBars}. */
export interface AblationBarsOptions {
  /** Figure title. */
  title: string;
  /** Line under the title. Default: what the bars and error bars show. */
  subtitle?: string;
  /** Width in px. Default 640. */
  width?: number;
  /** Height of the plot area in px, per facet. Default 340 (one facet), 260 (several). */
  height?: number;
}

/** A group name broken at spaces into lines of at most 16 characters (long names would overlap their neighbours). */
function wrapLabel(text: string): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= 16) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join("\n");
}

/**
 * Grouped bars of AUROC with ± std error bars, the mean printed above each bar (with the gain over
 * the untrained encoder below it, where given), the paper's value marked as a black tick and the
 * untrained encoder's level as a dashed grey tick over a grey ± std band. Bars start at chance
 * (0.5) unless a value lies below. Rows with a `facet` get one row of panels per facet.
 *
 * @param rows one row per configuration and metric (order of first appearance is kept)
 * @param options title, subtitle, size
 * @returns the figure
 * @throws {RangeError} when `rows` is empty or a value is not an AUROC in [0, 1]
 * @example
 * ```ts
 * import { ablationBars } from "./ablation_bars.ts";
 * import { ok } from "node:assert/strict";
 * const figure = ablationBars([
 *   { group: "L_SVDD", metric: "det", mean: 0.71, std: 0.01, n: 3, paper: 0.703 },
 *   { group: "L_SVDD", metric: "seg", mean: 0.84, std: 0.02, n: 3, paper: 0.832 },
 * ], { title: "Effect of the losses" });
 * ok(figure.svg.includes("Effect of the losses"));
 * ```
 */
export function ablationBars(rows: AblationRow[], options: AblationBarsOptions): Figure {
  if (rows.length === 0) throw new RangeError("Expected at least one ablation row but found none");
  for (const r of rows) {
    for (
      const [name, v] of [["mean", r.mean], ["paper", r.paper ?? 0.5], ["untrained", r.untrained?.mean ?? 0.5]] as const
    ) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`Expected ${r.group}/${r.metric} ${name} in [0, 1] but found ${v}`);
    }
    if (!(r.std >= 0)) throw new RangeError(`Expected ${r.group}/${r.metric} std >= 0 but found ${r.std}`);
  }
  const { title, width = 640 } = options;
  const groups = [...new Set(rows.map((r) => r.group))];
  const facets = [...new Set(rows.map((r) => r.facet ?? ""))];
  const faceted = facets.some((f) => f !== "");
  const height = (options.height ?? (facets.length > 1 ? 260 : 340)) * facets.length;
  const metrics = (["det", "seg"] as const).filter((m) => rows.some((r) => r.metric === m));
  const lowest = Math.min(
    ...rows.map((r) => Math.min(r.mean - r.std, r.paper ?? 1, r.untrained ? r.untrained.mean - r.untrained.std : 1)),
  );
  const base = lowest >= 0.5 ? 0.5 : 0;
  const withPaper = rows.filter((r) => r.paper !== undefined);
  const withUntrained = rows.filter((r) => r.untrained !== undefined);
  const fy = faceted ? { fy: (r: AblationRow) => r.facet ?? "" } : {};
  const top = (r: AblationRow) =>
    Math.max(r.mean + r.std, r.paper ?? 0, r.untrained ? r.untrained.mean + r.untrained.std : 0);
  const label = (r: AblationRow) => {
    if (!r.gain || Number.isNaN(r.gain.mean)) return r.mean.toFixed(3);
    return `${r.mean.toFixed(3)}\n${r.gain.mean >= 0 ? "+" : "−"}${Math.abs(r.gain.mean).toFixed(3)}`;
  };
  const ns = [...new Set(rows.map((r) => r.n))];
  const seeds = ns.length === 1
    ? `${ns[0]} seed${ns[0] === 1 ? "" : "s"}`
    : `${Math.min(...ns)}-${Math.max(...ns)} seeds`;
  const figure = renderPlot({
    width,
    height,
    marginTop: rows.some((r) => r.gain) ? 40 : 24, // two-line labels above the highest bars
    marginBottom: groups.some((g) => wrapLabel(g).includes("\n")) ? 58 : 44,
    marginRight: faceted ? 110 : 20,
    fx: { domain: groups, label: null, padding: 0.15, tickFormat: wrapLabel },
    ...(faceted ? { fy: { domain: facets, label: null, padding: 0.14 } } : {}),
    x: { domain: metrics, axis: null, padding: 0.1 },
    y: { domain: [base, 1], label: "AUROC", grid: true, nice: false },
    color: { domain: metrics, range: metrics.map((m) => METRIC_COLORS[m]) },
    marks: [
      Plot.barY(rows, { fx: "group", ...fy, x: "metric", y1: base, y2: "mean", fill: "metric" }),
      Plot.barY(withUntrained, {
        fx: "group",
        ...fy,
        x: "metric",
        y1: (r: AblationRow) => Math.max(base, r.untrained!.mean - r.untrained!.std),
        y2: (r: AblationRow) => Math.min(1, r.untrained!.mean + r.untrained!.std),
        fill: UNTRAINED_COLOR,
        fillOpacity: 0.35,
        insetLeft: -3,
        insetRight: -3,
      }),
      Plot.tickY(withUntrained, {
        fx: "group",
        ...fy,
        x: "metric",
        y: (r: AblationRow) => r.untrained!.mean,
        stroke: UNTRAINED_COLOR,
        strokeWidth: 2,
        strokeDasharray: "4,2",
        inset: -3,
      }),
      Plot.ruleX(rows, {
        fx: "group",
        ...fy,
        x: "metric",
        y1: (r: AblationRow) => r.mean - r.std,
        y2: (r: AblationRow) => Math.min(1, r.mean + r.std),
        stroke: "#333",
      }),
      Plot.tickY(rows, {
        fx: "group",
        ...fy,
        x: "metric",
        y: (r: AblationRow) => r.mean - r.std,
        stroke: "#333",
        inset: 8,
      }),
      Plot.tickY(rows, {
        fx: "group",
        ...fy,
        x: "metric",
        y: (r: AblationRow) => Math.min(1, r.mean + r.std),
        stroke: "#333",
        inset: 8,
      }),
      Plot.tickY(withPaper, {
        fx: "group",
        ...fy,
        x: "metric",
        y: "paper",
        stroke: PAPER_COLOR,
        strokeWidth: 3,
        inset: -2,
      }),
      Plot.text(rows, {
        fx: "group",
        ...fy,
        x: "metric",
        y: (r: AblationRow) => Math.min(1, top(r)),
        text: label,
        lineAnchor: "bottom",
        dy: -4,
        fontSize: 9.5,
      }),
      Plot.ruleY([base], { stroke: "#333" }),
    ],
  });
  const legend = swatchLegend([
    ...metrics.map((m) => ({ label: METRIC_NAMES[m], color: METRIC_COLORS[m], shape: "rect" as const })),
    { label: `± std over ${seeds}`, color: "#333", shape: "errorbar" },
    ...(withPaper.length > 0 ? [{ label: "paper", color: PAPER_COLOR, shape: "htick" as const }] : []),
    ...(withUntrained.length > 0
      ? [{
        label: "untrained encoder (± std); number under a mean: gain over it",
        color: UNTRAINED_COLOR,
        shape: "dash" as const,
      }]
      : []),
  ], width);
  return titled(figure, {
    title,
    subtitle: options.subtitle ?? `Mean AUROC over ${seeds}; bars start at ${base === 0.5 ? "chance (0.5)" : "0"}.`,
    legends: [legend],
  });
}
