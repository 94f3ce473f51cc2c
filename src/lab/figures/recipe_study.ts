/**
 * The recipe study's figures from `results/recipe/runs/<recipe>/<category>/seed<N>/`: the
 * metrics (`metrics_step<N>.json`) and training summaries (`train_summary_step<N>.json`) that
 * scripts/recipe_study.sh keeps after each budget. One figure per category: AUROC (the main map)
 * against training minutes, one line per recipe and seed, step 0 being the untrained encoder, with
 * the issue's target (the paper's Table 1 minus 0.02) marked.
 *
 * @module
 */

import { join } from "node:path";
import { type TimePoint, timeToQualityCurve } from "../plot/time_curve.ts";
import { PAPER_TABLE1 } from "../plot/paper.ts";
import type { FigureOutcome } from "./build.ts";
import { type MeanStd, meanStd } from "./summarize.ts";
import { runFolders } from "./time_to_quality.ts";

/** One evaluated point of one seed. */
export interface RecipePoint {
  /** `fast` (the preset) or `reference` (the defaults). */
  recipe: string;
  /** Category. */
  category: string;
  /** Seed. */
  seed: number;
  /** Steps trained (0: the untrained encoder). */
  steps: number;
  /** Training minutes to reach them, as measured (0 when unknown or untrained). */
  minutes: number;
  /**
   * Steps per second of the training segment that ended at this point (from the previous point's
   * steps), as measured; 0 or absent when unknown.
   */
  stepsPerSecond?: number;
  /** Detection AUROC of the main map. */
  det: number;
  /** Segmentation AUROC of the main map. */
  seg: number;
  /** The kinds of the sanity warnings `eval` wrote into the point's metrics (e.g. `inverted`). */
  warnings: string[];
}

/**
 * Read every committed point.
 *
 * @param dir `results/recipe/runs`
 * @returns the points, by recipe, category, seed and steps (none when the folder is missing)
 */
export async function readRecipePoints(dir: string): Promise<RecipePoint[]> {
  const points: RecipePoint[] = [];
  for (const recipe of await runFolders(dir)) {
    for (const category of await runFolders(join(dir, recipe))) {
      for (const seedDir of await runFolders(join(dir, recipe, category))) {
        const seed = Number(seedDir.replace(/^seed/, ""));
        const runDir = join(dir, recipe, category, seedDir);
        for await (const e of Deno.readDir(runDir)) {
          const m = e.name.match(/^metrics_step(\d+)\.json$/);
          if (!m) continue;
          const metrics = JSON.parse(await Deno.readTextFile(join(runDir, e.name)));
          const main = metrics.main ?? "mult";
          let minutes = 0, stepsPerSecond = 0;
          try {
            const s = JSON.parse(await Deno.readTextFile(join(runDir, `train_summary_step${m[1]}.json`)));
            minutes = Number(s.train_seconds ?? 0) / 60;
            stepsPerSecond = Number(s.steps_per_second ?? 0);
          } catch {
            // untrained point copied from another recipe: no summary
          }
          points.push({
            recipe,
            category,
            seed,
            steps: Number(m[1]),
            minutes,
            stepsPerSecond,
            det: metrics.image_auroc[main],
            seg: metrics.pixel_auroc[main],
            warnings: [...new Set<string>((metrics.warnings ?? []).map((w: { kind: string }) => w.kind))],
          });
        }
      }
    }
  }
  const key = (p: RecipePoint) => [p.recipe, p.category, String(p.seed).padStart(4, "0"), p.steps];
  return points.sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
}

/**
 * The curves: one colour per recipe, one line per seed, step 0 (the untrained encoder) at minute 0.
 * Seeds are drawn apart rather than averaged: they reach different budgets.
 *
 * @param points one category's points
 * @returns the curve points
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { seedCurves } from "./recipe_study.ts";
 * const p = (seed: number, steps: number, det: number) =>
 *   ({ recipe: "fast", category: "bottle", seed, steps, minutes: steps / 240, det, seg: det, warnings: [] });
 * const curve = seedCurves([p(0, 0, 0.9), p(0, 2400, 0.95), p(1, 2400, 0.93)]);
 * equal(curve.map((c) => c.line).join("; "), "fast, seed 0; fast, seed 0; fast, seed 1");
 * equal(new Set(curve.map((c) => c.label)).size, 1);
 * ```
 */
export function seedCurves(points: RecipePoint[]): TimePoint[] {
  return points.map((p) => ({
    label: p.recipe,
    line: `${p.recipe}, seed ${p.seed}`,
    steps: p.steps,
    minutes: p.minutes,
    det: p.det,
    seg: p.seg,
  }));
}

/** One recipe at one budget, over its seeds. */
export interface RecipeSummary {
  /** Recipe (folder name). */
  recipe: string;
  /** Steps trained. */
  steps: number;
  /** Seeds evaluated at that budget. */
  seeds: number;
  /** Detection AUROC, mean and sample std over seeds. */
  det: MeanStd;
  /** Segmentation AUROC, mean and sample std over seeds. */
  seg: MeanStd;
  /** The lowest seed's detection and segmentation AUROC. */
  worst: { det: number; seg: number };
  /** Seeds whose det (seg) is below the same seed's untrained encoder (step 0 of the same folder). */
  belowUntrained: { det: number; seg: number };
  /** Seeds with any sanity warning from `eval`. */
  warned: number;
}

/**
 * Summarise one category's points per recipe and budget (step 0, the untrained encoder, included),
 * each trained seed set against its own untrained encoder.
 *
 * @param points one category's points
 * @returns one row per recipe and budget, by recipe, then steps
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { recipeSummary } from "./recipe_study.ts";
 * const p = (seed: number, steps: number, det: number) =>
 *   ({ recipe: "fast", category: "bottle", seed, steps, minutes: 0, det, seg: det, warnings: [] });
 * const [untrained, trained] = recipeSummary([p(0, 0, 0.9), p(0, 2400, 0.95), p(1, 0, 0.9), p(1, 2400, 0.85)]);
 * equal(untrained.det.mean.toFixed(2), "0.90");
 * equal(trained.belowUntrained.det, 1);
 * // a budget first seen after a larger one (a seed without it) still sorts by steps
 * const rows = recipeSummary([p(0, 2400, 0.95), p(1, 900, 0.9), p(1, 2400, 0.9)]);
 * equal(rows.map((r) => r.steps).join(" "), "900 2400");
 * ```
 */
export function recipeSummary(points: RecipePoint[]): RecipeSummary[] {
  const groups = new Map<string, RecipePoint[]>();
  for (const p of points) {
    const key = `${p.recipe}\u0000${p.steps}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const untrained = (p: RecipePoint) => points.find((q) => q.recipe === p.recipe && q.seed === p.seed && q.steps === 0);
  return [...groups.values()].map((group) => {
    const below = (p: RecipePoint, k: "det" | "seg") => {
      const u = untrained(p);
      return p.steps > 0 && u !== undefined && p[k] < u[k];
    };
    return {
      recipe: group[0].recipe,
      steps: group[0].steps,
      seeds: group.length,
      det: meanStd(group.map((p) => p.det)),
      seg: meanStd(group.map((p) => p.seg)),
      worst: { det: Math.min(...group.map((p) => p.det)), seg: Math.min(...group.map((p) => p.seg)) },
      belowUntrained: {
        det: group.filter((p) => below(p, "det")).length,
        seg: group.filter((p) => below(p, "seg")).length,
      },
      warned: group.filter((p) => p.warnings.length > 0).length,
    };
  }).sort((a, b) => a.recipe < b.recipe ? -1 : a.recipe > b.recipe ? 1 : a.steps - b.steps);
}

/** Points on a common time axis: each recipe's minutes at its quiet rate on the machine that trained it. */
export interface QuietTime {
  /** The points, `minutes` replaced by steps at the quiet rate (measured minutes kept where no rate is known). */
  points: RecipePoint[];
  /** Steps per second per recipe and category (`recipe/category`), the fastest segment measured. */
  rates: Map<string, number>;
}

/**
 * Put points trained under different loads on one time axis. Runs share the machine with other
 * work, so a segment's measured minutes depend on what else ran; the fastest segment of a recipe
 * and category (at least `minSegment` steps, so start-up does not count) is the machine's quiet
 * rate, and every point's minutes become its steps at that rate.
 *
 * @param points one or more runs' points
 * @param minSegment the shortest segment whose rate counts
 * @returns the points with minutes at the quiet rate, and the rates
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { atQuietRate } from "./recipe_study.ts";
 * const p = (steps: number, minutes: number, stepsPerSecond: number) =>
 *   ({ recipe: "fast", category: "bottle", seed: 0, steps, minutes, stepsPerSecond, det: 1, seg: 1, warnings: [] });
 * // 4800 steps shared the cores (2.4 steps/s), the next 3200 ran alone (8 steps/s)
 * const { points, rates } = atQuietRate([p(0, 0, 0), p(4800, 33.3, 2.4), p(8000, 40, 8)]);
 * equal(rates.get("fast/bottle"), 8);
 * equal(points.map((q) => q.minutes).join(" "), "0 10 16.666666666666668");
 * ```
 */
export function atQuietRate(points: RecipePoint[], minSegment = 300): QuietTime {
  const rates = new Map<string, number>();
  const previous = new Map<string, number>();
  for (const p of [...points].sort((a, b) => a.steps - b.steps)) {
    const run = `${p.recipe}/${p.category}/${p.seed}`, key = `${p.recipe}/${p.category}`;
    const segment = p.steps - (previous.get(run) ?? 0);
    previous.set(run, p.steps);
    if (segment >= minSegment && (p.stepsPerSecond ?? 0) > (rates.get(key) ?? 0)) rates.set(key, p.stepsPerSecond!);
  }
  return {
    points: points.map((p) => {
      const rate = rates.get(`${p.recipe}/${p.category}`);
      return rate ? { ...p, minutes: p.steps / rate / 60 } : p;
    }),
    rates,
  };
}

/**
 * The recipes of the issue's 0-60 minute curves (the preset, its three-level form and the reference
 * default, trained from scratch to 60 minutes on the same seeds): drawn on their own in
 * `recipe-curves-<category>`, and left out of `recipe-<category>`, which compares recipes at 20 minutes.
 */
export const CURVE_RECIPES: readonly string[] = ["fast-bound5-60", "fast-hier128-60", "reference-60"];

/**
 * One category's figure and its per-seed table: every recipe but {@linkcode CURVE_RECIPES}
 * (`recipe-<category>`), or, with `curves`, only those (`recipe-curves-<category>`).
 *
 * @param resultsDir the results folder
 * @param category e.g. "bottle"
 * @param curves draw the 0-60 minute curves instead of the recipe comparison
 * @returns the outcome (no figure when nothing is committed for the category)
 */
export async function recipeStudyFigure(resultsDir: string, category: string, curves = false): Promise<FigureOutcome> {
  const name = curves ? `recipe-curves-${category}` : `recipe-${category}`;
  const points = (await readRecipePoints(join(resultsDir, "recipe", "runs")))
    .filter((p) => p.category === category && CURVE_RECIPES.includes(p.recipe) === curves);
  if (points.length === 0) {
    return {
      name,
      figure: null,
      note: `No results/recipe/runs/${curves ? `{${CURVE_RECIPES.join(",")}}` : "*"}/${category}/ yet ` +
        "(scripts/recipe_study.sh).",
      source: "none",
    };
  }
  // The curves span an hour of each recipe, trained under different loads: one time axis at each
  // recipe's quiet rate. The comparison keeps measured minutes (its recipes stop at about 20).
  const quiet = curves ? atQuietRate(points) : null;
  const rates = quiet ? [...quiet.rates].map(([k, r]) => `${k.split("/")[0]} ${r.toFixed(2)} steps/s`).join(", ") : "";
  const paper = PAPER_TABLE1[category];
  const targets = paper ? { det: paper.det - 0.02, seg: paper.seg - 0.02 } : null;
  const rows = points.map((p, i) =>
    `| ${p.recipe} | ${p.seed} | ${p.steps} | ${p.minutes.toFixed(1)} | ` +
    (quiet ? `${quiet.points[i].minutes.toFixed(1)} | ` : "") +
    `${p.det.toFixed(3)} | ${p.seg.toFixed(3)} | ${p.warnings.join(", ") || "-"} |`
  );
  const f = (x: number) => x.toFixed(3), pm = (m: MeanStd) => `${f(m.mean)} ± ${f(m.std)}`;
  const summary = recipeSummary(points).map((s) => {
    const below = s.steps === 0 ? "-" : `${s.belowUntrained.det} / ${s.belowUntrained.seg}`;
    return `| ${s.recipe} | ${s.steps} | ${s.seeds} | ${pm(s.det)} | ${pm(s.seg)} | ` +
      `${f(s.worst.det)} / ${f(s.worst.seg)} | ${below} | ${s.warned} |`;
  });
  return {
    name,
    figure: timeToQualityCurve(seedCurves(quiet ? quiet.points : points), {
      title: curves
        ? `${category}: AUROC against training minutes, 0-60, the preset and the reference default`
        : `${category}: AUROC against training minutes (minute 0: the untrained encoder)`,
      subtitle: "fp32, native backend, mult map, exact search, one line per seed; " +
        (quiet
          ? `minutes at each recipe's quiet rate on the machine that trained them (${rates}; ` +
            "results/recipe/README.md)"
          : "minutes of the machine that trained them (results/recipe/README.md)") +
        "; dashed: the paper's Table 1 minus 0.02",
      targets,
      stepLabels: curves, // the comparison has one line per seed: their labels would overlap
    }),
    note: `${category}: ${new Set(points.map((p) => `${p.recipe}/${p.seed}`)).size} runs of ` +
      `${[...new Set(points.map((p) => p.recipe))].join(", ")}.`,
    source: `results/recipe/runs (${category})`,
    markdown: [
      `Over seeds (target: det ${targets ? targets.det.toFixed(3) : "-"}, seg ${
        targets ? targets.seg.toFixed(3) : "-"
      }; ` +
      "below untrained: seeds under their own step 0):",
      "",
      "| recipe | steps | seeds | det | seg | worst det / seg | below untrained det / seg | warned |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
      ...summary,
      "",
      "Per seed:",
      "",
      ...(quiet
        ? [
          `quiet min: the steps at the recipe's fastest measured segment (${rates}); train min: as measured, ` +
          "with whatever shared the machine.",
          "",
          "| recipe | seed | steps | train min | quiet min | det | seg | eval warnings |",
          "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        : ["| recipe | seed | steps | train min | det | seg | eval warnings |", "|---|---:|---:|---:|---:|---:|---|"]),
      ...rows,
    ].join("\n") + "\n",
  };
}
