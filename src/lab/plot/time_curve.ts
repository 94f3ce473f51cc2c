/**
 * Time to quality: AUROC against training minutes, one line per training recipe in two panels
 * (detection, segmentation), with the targets marked (det 0.95, seg 0.93).
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import { renderPlot } from "./render.ts";
import { METRIC_NAMES, PALETTE, REFERENCE_COLOR } from "./theme.ts";

/** One evaluated point of a training run. */
export interface TimePoint {
  /** Sampling mode or run label, e.g. "reference", "dense": the colour and the legend entry. */
  label: string;
  /** The line the point belongs to, when a label has several (e.g. one per seed). Default: the label. */
  line?: string;
  /** Wall-clock training minutes so far. */
  minutes: number;
  /** Optimisation steps so far. */
  steps: number;
  /** Detection AUROC (image level). */
  det: number;
  /** Segmentation AUROC (pixel level). */
  seg: number;
}

/** Options of {@linkcode timeToQualityCurve}. */
export interface TimeCurveOptions {
  /** Title. Default "AUROC vs. training minutes". */
  title?: string;
  /** Line under the title (machine, load, map). */
  subtitle?: string;
  /** Targets drawn as dashed rules. Default det 0.95, seg 0.93. */
  targets?: { det: number; seg: number } | null;
  /** Width in px. Default 720. */
  width?: number;
  /** Write each line's step count at its last point. Default true; off for many overlapping lines. */
  stepLabels?: boolean;
}

/**
 * Draw the curves in two panels, detection and segmentation, coloured by label (dashed once the
 * palette's colours repeat), one line per `line` (default: per label); each line's last point carries its
 * step count (unless `stepLabels` is false).
 *
 * @param points evaluated points (any order)
 * @param options title and targets
 * @returns the figure
 * @example
 * ```ts
 * import { timeToQualityCurve } from "./time_curve.ts";
 * import { ok } from "node:assert/strict";
 * const fig = timeToQualityCurve([
 *   { label: "dense", minutes: 4, steps: 90, det: 0.9, seg: 0.85 },
 *   { label: "dense", minutes: 8, steps: 180, det: 0.93, seg: 0.88 },
 * ]);
 * ok(fig.svg.startsWith("<svg"));
 * ```
 */
export function timeToQualityCurve(points: TimePoint[], options: TimeCurveOptions = {}): Figure {
  if (points.length === 0) throw new RangeError("Expected at least one point but found none");
  const { title = "AUROC vs. training minutes", targets = { det: 0.95, seg: 0.93 }, width = 720 } = options;
  const stepLabels = options.stepLabels ?? true;
  const labels = [...new Set(points.map((p) => p.label))];
  const colors = labels.map((_, i) => PALETTE[i % PALETTE.length]);
  const dashed = (label: string) => labels.indexOf(label) >= PALETTE.length;
  const panels = [METRIC_NAMES.det, METRIC_NAMES.seg];
  const rows = [...points].sort((a, b) => a.minutes - b.minutes).flatMap((p) => [
    { ...p, line: p.line ?? p.label, metric: METRIC_NAMES.det, auroc: p.det },
    { ...p, line: p.line ?? p.label, metric: METRIC_NAMES.seg, auroc: p.seg },
  ]);
  const last = [...new Set(rows.map((r) => r.line))].flatMap((line) => {
    const own = rows.filter((r) => r.line === line);
    const end = Math.max(...own.map((r) => r.minutes));
    return own.filter((r) => r.minutes === end);
  });
  const marks: Plot.Markish[] = [];
  if (targets) {
    const rules = [{ metric: panels[0], y: targets.det }, { metric: panels[1], y: targets.seg }];
    marks.push(
      Plot.ruleY(rules, { fx: "metric", y: "y", stroke: REFERENCE_COLOR, strokeDasharray: "5,4" }),
      Plot.text(rules, {
        fx: "metric",
        y: "y",
        frameAnchor: "left",
        textAnchor: "start",
        dx: 4,
        dy: -6,
        text: (d: { y: number }) => `target ${d.y}`,
        fill: "#555",
      }),
    );
  }
  marks.push(
    // past the palette's length, colours repeat: those curves are dashed
    ...[true, false].map((dash) =>
      Plot.line(rows.filter((r) => dashed(r.label) === dash), {
        fx: "metric",
        x: "minutes",
        y: "auroc",
        z: "line",
        stroke: "label",
        strokeWidth: 1.8,
        strokeDasharray: dash ? "6,3" : undefined,
      })
    ),
    Plot.dot(rows, { fx: "metric", x: "minutes", y: "auroc", fill: "label", r: 3 }),
    Plot.text(stepLabels ? last : [], {
      fx: "metric",
      x: "minutes",
      y: "auroc",
      text: (r: TimePoint) => `${r.steps} steps`,
      textAnchor: "start",
      dx: 6,
      fill: "label",
      fontSize: 9,
    }),
  );
  const end = Math.max(...points.map((p) => p.minutes));
  const figure = renderPlot({
    width,
    height: 380,
    marginTop: 28,
    marginRight: 56,
    fx: { domain: panels, label: null, padding: 0.12 },
    x: {
      label: "training minutes",
      labelAnchor: "center",
      labelArrow: "none",
      grid: true,
      domain: [0, end * 1.05],
    },
    y: { label: "AUROC", grid: true },
    color: { domain: labels, range: colors },
    marks,
  });
  const legend = swatchLegend([
    ...labels.map((l, i) => ({ label: l, color: colors[i], shape: dashed(l) ? "dash" as const : "dot-line" as const })),
    ...(targets ? [{ label: "issue targets", color: REFERENCE_COLOR, shape: "dash" as const }] : []),
  ], width);
  return titled(figure, { title, subtitle: options.subtitle, legends: [legend] });
}
