/**
 * Seed spread: for each training recipe, the AUROC of every seed's run as a dot and the mean
 * over seeds as a tick, detection and segmentation side by side, with targets marked. It shows
 * what a single curve cannot: how far one recipe moves between seeds.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import { renderPlot } from "./render.ts";
import { METRIC_COLORS, METRIC_NAMES, PAPER_COLOR, REFERENCE_COLOR } from "./theme.ts";

/** One run of a recipe. AUROCs are fractions in [0, 1]. */
export interface SeedRun {
  /** Recipe name (the y-axis row). */
  recipe: string;
  /** Which run of the recipe, e.g. "seed 1" (printed beside its dot). */
  run: string;
  /** Detection AUROC. */
  det: number;
  /** Segmentation AUROC. */
  seg: number;
}

/** Options of {@linkcode seedSpread}. */
export interface SeedSpreadOptions {
  /** Title. Default "AUROC over seeds, per recipe". */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** Targets drawn as dashed rules. Default det 0.95, seg 0.93; null for none. */
  targets?: { det: number; seg: number } | null;
  /** Width in px. Default 720. */
  width?: number;
}

/** Mean of a list. */
function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Draw one row per recipe (in order of first appearance) in two panels, detection and
 * segmentation: a hollow dot per run and a black tick with its value at the mean over runs.
 *
 * @param runs one entry per run
 * @param options title, subtitle, targets, width
 * @returns the figure
 * @throws {RangeError} when `runs` is empty or an AUROC is outside [0, 1]
 * @example
 * ```ts
 * import { seedSpread } from "./seed_spread.ts";
 * import { ok } from "node:assert/strict";
 * const fig = seedSpread([
 *   { recipe: "dense", run: "seed 0", det: 0.97, seg: 0.92 },
 *   { recipe: "dense", run: "seed 1", det: 0.72, seg: 0.87 },
 * ]);
 * ok(fig.svg.includes("0.845"));
 * ```
 */
export function seedSpread(runs: SeedRun[], options: SeedSpreadOptions = {}): Figure {
  if (runs.length === 0) throw new RangeError("Expected at least one run but found none");
  for (const r of runs) {
    for (const v of [r.det, r.seg]) {
      if (!(v >= 0 && v <= 1)) throw new RangeError(`Expected ${r.recipe} ${r.run} AUROC in [0, 1] but found ${v}`);
    }
  }
  const { title = "AUROC over seeds, per recipe", targets = { det: 0.95, seg: 0.93 }, width = 720 } = options;
  const recipes = [...new Set(runs.map((r) => r.recipe))];
  const metrics = ["det", "seg"] as const;
  const dots = runs.flatMap((r) => metrics.map((m) => ({ ...r, metric: METRIC_NAMES[m], auroc: r[m] })));
  const means = recipes.flatMap((recipe) => {
    const own = runs.filter((r) => r.recipe === recipe);
    return metrics.map((m) => ({
      recipe,
      metric: METRIC_NAMES[m],
      auroc: mean(own.map((r) => r[m])),
      n: own.length,
    }));
  });
  const lowest = Math.min(...dots.map((d) => d.auroc), targets ? Math.min(targets.det, targets.seg) : 1);
  const tenths: number[] = [];
  // Each panel starts at a labelled tenth, so a low point cannot look as if it sat in the panel to its left.
  const from = Math.floor(lowest * 10);
  for (let t = from; t <= 10; t++) tenths.push(t / 10);
  const marks: Plot.Markish[] = [];
  if (targets) {
    const rules = metrics.map((m) => ({ metric: METRIC_NAMES[m], x: targets[m] }));
    marks.push(Plot.ruleX(rules, { fx: "metric", x: "x", stroke: REFERENCE_COLOR, strokeDasharray: "5,4" }));
  }
  marks.push(
    Plot.dot(dots, { fx: "metric", x: "auroc", y: "recipe", stroke: "metric", r: 4, strokeWidth: 1.5 }),
    Plot.tickX(means, { fx: "metric", x: "auroc", y: "recipe", stroke: PAPER_COLOR, strokeWidth: 2.5 }),
    Plot.text(means, {
      fx: "metric",
      x: "auroc",
      y: "recipe",
      text: (d: { auroc: number; n: number }) => `${d.auroc.toFixed(3)} (n=${d.n})`,
      textAnchor: "start",
      dx: 3,
      dy: -12,
      fontSize: 9.5,
    }),
  );
  const rowHeight = 34;
  const figure = renderPlot({
    width,
    height: 60 + rowHeight * recipes.length,
    marginLeft: Math.min(320, 12 + 5.6 * Math.max(...recipes.map((r) => r.length))),
    marginTop: 30,
    marginRight: 72,
    fx: { domain: metrics.map((m) => METRIC_NAMES[m]), label: null, padding: 0.14 },
    x: { domain: [from / 10, 1], label: "AUROC", grid: true, nice: false, ticks: tenths },
    y: { domain: recipes, label: null },
    color: { domain: metrics.map((m) => METRIC_NAMES[m]), range: metrics.map((m) => METRIC_COLORS[m]) },
    marks,
  });
  const legend = swatchLegend([
    ...metrics.map((m) => ({ label: `${METRIC_NAMES[m]}, one run`, color: METRIC_COLORS[m], shape: "ring" as const })),
    { label: "mean over runs", color: PAPER_COLOR, shape: "tick" as const },
    ...(targets ? [{ label: "issue targets", color: REFERENCE_COLOR, shape: "dash" as const }] : []),
  ], width);
  return titled(figure, { title, subtitle: options.subtitle, legends: [legend] });
}
