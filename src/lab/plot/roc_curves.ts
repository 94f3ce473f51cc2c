/**
 * ROC curves, one per method or class, with the AUC in the legend and the chance diagonal.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import { renderPlot } from "./render.ts";
import { PALETTE, REFERENCE_COLOR } from "./theme.ts";

/** One ROC curve, e.g. from `rocCurve()` in `src/metrics`. */
export interface NamedRocCurve {
  /** Legend name. */
  name: string;
  /** False-positive rates, non-decreasing, from 0 to 1. */
  fpr: ArrayLike<number>;
  /** True-positive rates, same length as `fpr`. */
  tpr: ArrayLike<number>;
  /** Area under the curve, printed in the legend. */
  auc: number;
}

/** Options of {@linkcode rocCurves}. */
export interface RocCurvesOptions {
  /** Figure title. Default `"ROC curves"`. */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** Side of the square plot in px. Default 420. */
  size?: number;
  /** Points kept per curve (curves with millions of thresholds are thinned). Default 2000. */
  maxPoints?: number;
}

/**
 * Thin a curve to at most about `maxPoints` points, keeping every point that moves the curve
 * by at least `2 / maxPoints` in |dFPR| + |dTPR| since the last kept one, and both end points.
 *
 * @param fpr false-positive rates
 * @param tpr true-positive rates
 * @param maxPoints target number of points (>= 2)
 * @returns indices of the kept points, increasing
 * @example
 * ```ts
 * import { thinCurve } from "./roc_curves.ts";
 * const fpr = Array.from({ length: 1001 }, (_, i) => i / 1000);
 * thinCurve(fpr, fpr, 101).length <= 102; // true
 * ```
 */
export function thinCurve(fpr: ArrayLike<number>, tpr: ArrayLike<number>, maxPoints: number): number[] {
  const n = fpr.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const step = 2 / maxPoints;
  const kept = [0];
  for (let i = 1; i < n - 1; i++) {
    const last = kept[kept.length - 1];
    if (Math.abs(fpr[i] - fpr[last]) + Math.abs(tpr[i] - tpr[last]) >= step) kept.push(i);
  }
  kept.push(n - 1);
  return kept;
}

/**
 * ROC curves on the unit square, AUC in each legend entry, the chance diagonal dashed.
 *
 * @param curves the curves (drawn in order, coloured by the shared palette)
 * @param options title, subtitle, size, thinning
 * @returns the figure
 * @throws {RangeError} when there is no curve or a curve's arrays differ in length
 * @example
 * ```ts
 * import { rocCurves } from "./roc_curves.ts";
 * import { ok } from "node:assert/strict";
 * const figure = rocCurves([{ name: "bottle", fpr: [0, 0.1, 1], tpr: [0, 0.9, 1], auc: 0.9 }]);
 * ok(figure.svg.includes("AUC 0.900"));
 * ```
 */
export function rocCurves(curves: NamedRocCurve[], options: RocCurvesOptions = {}): Figure {
  if (curves.length === 0) throw new RangeError("Expected at least one ROC curve but found none");
  const { title = "ROC curves", size = 420, maxPoints = 2000 } = options;
  const labels = curves.map((c) => `${c.name} (AUC ${c.auc.toFixed(3)})`);
  const points = curves.flatMap((c, k) => {
    if (c.fpr.length !== c.tpr.length) {
      throw new RangeError(
        `Expected equal fpr and tpr lengths for "${c.name}" but found ${c.fpr.length} and ${c.tpr.length}`,
      );
    }
    return thinCurve(c.fpr, c.tpr, maxPoints).map((i) => ({ curve: labels[k], fpr: c.fpr[i], tpr: c.tpr[i] }));
  });
  const colors = labels.map((_, i) => PALETTE[i % PALETTE.length]);
  const figure = renderPlot({
    width: size + 20,
    height: size,
    marginLeft: 50,
    marginRight: 20,
    marginBottom: 40,
    x: { domain: [0, 1], label: "False-positive rate", labelAnchor: "center", labelArrow: "none", grid: true },
    y: { domain: [0, 1], label: "True-positive rate", labelAnchor: "center", labelArrow: "none", grid: true },
    color: { domain: labels, range: colors },
    marks: [
      Plot.line([[0, 0], [1, 1]], { stroke: REFERENCE_COLOR, strokeDasharray: "5,4" }),
      Plot.line(points, { x: "fpr", y: "tpr", z: "curve", stroke: "curve", strokeWidth: 2 }),
      Plot.frame({ stroke: "#999" }),
    ],
  });
  const legend = swatchLegend([
    ...labels.map((label, i) => ({ label, color: colors[i], shape: "line" as const })),
    { label: "chance", color: REFERENCE_COLOR, shape: "dash" },
  ], Math.max(size, 200));
  return titled(figure, { title, subtitle: options.subtitle, legends: [legend] });
}
