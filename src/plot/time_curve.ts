/**
 * Time to quality: AUROC against training minutes, one line per sampling mode and metric,
 * with the targets marked (det 0.95, seg 0.93).
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import { renderPlot } from "./render.ts";
import { PALETTE, REFERENCE_COLOR } from "./theme.ts";

/** One evaluated point of a training run. */
export interface TimePoint {
  /** Sampling mode or run label, e.g. "reference", "dense". */
  label: string;
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
  /** Width in px. Default 640. */
  width?: number;
}

/**
 * Draw the curves: colour by label, solid for detection and dashed for segmentation, the step
 * count printed at each point.
 *
 * @param points evaluated points (any order)
 * @param options title and targets
 * @returns the figure
 * @example
 * ```ts
 * import { timeToQualityCurve } from "./time_curve.ts";
 * const fig = timeToQualityCurve([
 *   { label: "dense", minutes: 4, steps: 90, det: 0.9, seg: 0.85 },
 *   { label: "dense", minutes: 8, steps: 180, det: 0.93, seg: 0.88 },
 * ]);
 * console.assert(fig.svg.startsWith("<svg"));
 * ```
 */
export function timeToQualityCurve(points: TimePoint[], options: TimeCurveOptions = {}): Figure {
  if (points.length === 0) throw new RangeError("Expected at least one point but found none");
  const { title = "AUROC vs. training minutes", targets = { det: 0.95, seg: 0.93 }, width = 640 } = options;
  const labels = [...new Set(points.map((p) => p.label))];
  const colors = labels.map((_, i) => PALETTE[i % PALETTE.length]);
  const rows = [...points].sort((a, b) => a.minutes - b.minutes).flatMap((p) => [
    { ...p, metric: "detection", auroc: p.det, series: `${p.label} detection` },
    { ...p, metric: "segmentation", auroc: p.seg, series: `${p.label} segmentation` },
  ]);
  const marks: Plot.Markish[] = [];
  if (targets) {
    marks.push(
      Plot.ruleY([targets.det, targets.seg], { stroke: REFERENCE_COLOR, strokeDasharray: "5,4" }),
      Plot.text([targets.det, targets.seg], {
        y: (d: number) => d,
        frameAnchor: "left",
        textAnchor: "start",
        dx: 4,
        dy: -6,
        text: (d: number) => `target ${d === targets.det ? "det" : "seg"} ${d}`,
        fill: "#555",
      }),
    );
  }
  for (const metric of ["detection", "segmentation"]) {
    const data = rows.filter((r) => r.metric === metric);
    const dash = metric === "detection" ? undefined : "6,3";
    marks.push(
      Plot.line(data, {
        x: "minutes",
        y: "auroc",
        z: "series",
        stroke: "label",
        strokeWidth: 2,
        strokeDasharray: dash,
      }),
      Plot.dot(data, { x: "minutes", y: "auroc", fill: "label", r: 3.5 }),
    );
  }
  marks.push(
    Plot.text(rows.filter((r) => r.metric === "detection"), {
      x: "minutes",
      y: "auroc",
      text: (r: TimePoint) => `${r.steps} steps`,
      dy: -9,
      fill: "label",
      fontSize: 10,
    }),
  );
  const figure = renderPlot({
    width,
    height: 360,
    marginTop: 24,
    x: {
      label: "training minutes",
      labelAnchor: "center",
      labelArrow: "none",
      grid: true,
      domain: [0, Math.max(...points.map((p) => p.minutes)) * 1.1],
    },
    y: { label: "AUROC", grid: true },
    color: { domain: labels, range: colors },
    marks,
  });
  const legend = swatchLegend([
    ...labels.map((l, i) => ({ label: l, color: colors[i], shape: "line" as const })),
    { label: "detection: solid, segmentation: dashed", color: "#333", shape: "line" as const },
    ...(targets ? [{ label: "issue targets", color: REFERENCE_COLOR, shape: "dash" as const }] : []),
  ], width);
  return titled(figure, { title, subtitle: options.subtitle, legends: [legend] });
}
