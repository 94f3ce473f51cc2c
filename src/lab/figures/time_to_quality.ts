/**
 * The time-to-quality figure from `results/time_to_quality/<name>/`: for every training recipe,
 * the metrics (`metrics_<M>min.json`) and training summaries (`train_summary_<M>min.json`)
 * that scripts/time_to_quality.sh keeps after each training segment. A curve is labelled by the
 * folder's `label.txt` when there is one, else "<name> sampling". Folders whose `config.json`
 * differ only in the seeds are runs of one recipe; the seed-spread figure compares recipes over them.
 *
 * @module
 */

import { join } from "node:path";
import { type TimePoint, timeToQualityCurve } from "../plot/time_curve.ts";
import { type SeedRun, seedSpread } from "../plot/seed_spread.ts";
import type { FigureOutcome } from "./build.ts";

/** Options of {@linkcode readTimePoints}. */
export interface ReadTimePointsOptions {
  /**
   * Keep only runs whose `config.json` has this seed (and no other initialisation seed); folders
   * without a `config.json` are kept. Default: every run.
   */
  onlySeed?: number;
}

/**
 * Names of the subfolders of `dir`, sorted; none when `dir` is missing.
 *
 * @param dir a results folder
 * @returns the subfolder names
 */
export async function runFolders(dir: string): Promise<string[]> {
  const folders: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isDirectory) folders.push(e.name);
  } catch {
    return [];
  }
  return folders.sort();
}

/** A run's name in the figures: its `label.txt`, else "<folder> sampling". */
async function runLabel(dir: string, folder: string): Promise<string> {
  try {
    return (await Deno.readTextFile(join(dir, folder, "label.txt"))).trim() || `${folder} sampling`;
  } catch {
    return `${folder} sampling`;
  }
}

/** A run's `config.json` (`{ precision?, fp32Steps?, config }`), or null when it has none. */
async function readRunConfig(folder: string) {
  try {
    return JSON.parse(await Deno.readTextFile(join(folder, "config.json")));
  } catch {
    return null;
  }
}

/** Detection and segmentation AUROC of a `metrics.json`'s main map. */
function mainAuroc(metrics: Record<string, Record<string, number>> & { main?: string }): { det: number; seg: number } {
  const main = metrics.main ?? "mult";
  return { det: metrics.image_auroc[main], seg: metrics.pixel_auroc[main] };
}

/**
 * Read every committed point.
 *
 * @param dir `results/time_to_quality`
 * @param options which runs to keep
 * @returns points in folder, then minute order (none when the folder is missing)
 */
export async function readTimePoints(dir: string, options: ReadTimePointsOptions = {}): Promise<TimePoint[]> {
  const points: TimePoint[] = [];
  const order = new Map<string, number>();
  for (const [i, folder] of (await runFolders(dir)).entries()) {
    const train = (await readRunConfig(join(dir, folder)))?.config.train;
    if (options.onlySeed !== undefined && train) {
      if (train.seed !== options.onlySeed || (train.initSeed ?? train.seed) !== options.onlySeed) continue;
    }
    const label = await runLabel(dir, folder);
    order.set(label, i);
    for await (const e of Deno.readDir(join(dir, folder))) {
      const m = e.name.match(/^metrics_(\d+(?:\.\d+)?)min\.json$/);
      if (!m) continue;
      const metrics = JSON.parse(await Deno.readTextFile(join(dir, folder, e.name)));
      let steps = NaN;
      try {
        const summary = JSON.parse(await Deno.readTextFile(join(dir, folder, `train_summary_${m[1]}min.json`)));
        steps = Number(summary.steps);
      } catch {
        // no summary: steps unknown
      }
      points.push({ label, minutes: Number(m[1]), steps, ...mainAuroc(metrics) });
    }
  }
  return points.sort((a, b) => order.get(a.label)! - order.get(b.label)! || a.minutes - b.minutes);
}

/**
 * AUROC (the main map) against training minutes for each committed recipe, seed 0 (the other
 * seeds are in {@linkcode seedSpreadFigure}).
 *
 * @param resultsDir the results folder
 * @returns the outcome (no figure when nothing is committed)
 */
export async function timeToQualityFigure(resultsDir: string): Promise<FigureOutcome> {
  const dir = join(resultsDir, "time_to_quality");
  const points = await readTimePoints(dir, { onlySeed: 0 });
  if (points.length === 0) {
    return {
      name: "time-to-quality",
      figure: null,
      note: "No results/time_to_quality/ yet (run scripts/time_to_quality.sh for each sampling mode).",
      source: "none",
    };
  }
  let subtitle = "bottle, seed 0, native backend, mult map, exact search";
  try {
    subtitle = (await Deno.readTextFile(join(dir, "subtitle.txt"))).trim();
  } catch {
    // default subtitle
  }
  const rows = points.map((p) =>
    `| ${p.label} | ${p.minutes} | ${p.steps} | ${p.det.toFixed(3)} | ${p.seg.toFixed(3)} |`
  );
  return {
    name: "time-to-quality",
    figure: timeToQualityCurve(points, { subtitle }),
    note: `AUROC after each training segment: ${[...new Set(points.map((p) => p.label))].join(", ")}.`,
    source: "results/time_to_quality",
    markdown: ["| recipe | minutes | steps | det | seg |", "|---|---:|---:|---:|---:|", ...rows].join("\n") + "\n",
  };
}

/** Sort an object's keys recursively, so that equal configurations serialise equally. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

/**
 * Every run with an evaluation after `minutes` minutes, grouped into recipes: runs whose
 * `config.json` (training configuration, precision and float32 warm-up) differ only in `seed` are one recipe (a
 * run with its own `initSeed` is not a fresh draw of its recipe, so it joins only runs with the
 * same `initSeed`). A recipe is named after its lowest-seed run's `label.txt` (a trailing ", seed N"
 * dropped) and only recipes with at least two runs are kept.
 *
 * @param dir `results/time_to_quality`
 * @param minutes the evaluation to compare (default 20, the budget)
 * @returns the runs, recipe by recipe in folder order, seeds ascending (none when the folder is missing)
 */
export async function readSeedRuns(dir: string, minutes = 20): Promise<SeedRun[]> {
  const found: { key: string; label: string; seed: number; initSeed?: number; det: number; seg: number }[] = [];
  for (const folder of await runFolders(dir)) {
    const run = await readRunConfig(join(dir, folder));
    let metrics;
    try {
      metrics = JSON.parse(await Deno.readTextFile(join(dir, folder, `metrics_${minutes}min.json`)));
    } catch {
      continue; // no evaluation at this minute
    }
    if (!run) continue;
    const { seed, ...train } = run.config.train;
    const key = JSON.stringify(canonical({ precision: run.precision ?? "fp32", fp32Steps: run.fp32Steps, train }));
    const label = await runLabel(dir, folder);
    found.push({ key, label, seed, initSeed: train.initSeed, ...mainAuroc(metrics) });
  }
  const keys = [...new Set(found.map((f) => f.key))];
  return keys.flatMap((key) => {
    const own = found.filter((f) => f.key === key).sort((a, b) => a.seed - b.seed);
    if (own.length < 2) return [];
    const recipe = own[0].label.replace(/,\s*seed \d+$/, "");
    return own.map((f) => ({
      recipe,
      run: f.initSeed === undefined ? `seed ${f.seed}` : `sampling seed ${f.seed}, init seed ${f.initSeed}`,
      det: f.det,
      seg: f.seg,
    }));
  });
}

/**
 * The untrained encoder's runs (`results/random_encoder/seed<S>.metrics.json`, `train --steps 0`),
 * the baseline a training recipe has to beat.
 *
 * @param dir `results/random_encoder`
 * @returns one run per seed, ascending (none when the folder is missing)
 */
export async function readUntrainedRuns(dir: string): Promise<SeedRun[]> {
  const runs: { seed: number; det: number; seg: number }[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      const m = e.name.match(/^seed(\d+)\.metrics\.json$/);
      if (!m) continue;
      const metrics = JSON.parse(await Deno.readTextFile(join(dir, e.name)));
      runs.push({ seed: Number(m[1]), ...mainAuroc(metrics) });
    }
  } catch {
    return [];
  }
  return runs.sort((a, b) => a.seed - b.seed).map((r) => ({
    recipe: "untrained encoder (train --steps 0)",
    run: `seed ${r.seed}`,
    det: r.det,
    seg: r.seg,
  }));
}

/**
 * The 20-minute AUROC of every seed of every recipe that has more than one, with the mean.
 *
 * @param resultsDir the results folder
 * @returns the outcome (no figure when no recipe has two seeds)
 */
export async function seedSpreadFigure(resultsDir: string): Promise<FigureOutcome> {
  const runs = await readSeedRuns(join(resultsDir, "time_to_quality"));
  if (runs.length > 0) runs.unshift(...await readUntrainedRuns(join(resultsDir, "random_encoder")));
  if (runs.length === 0) {
    return {
      name: "time-to-quality-seeds",
      figure: null,
      note: "No recipe in results/time_to_quality/ has two seeds evaluated after 20 minutes.",
      source: "none",
    };
  }
  const rows = runs.map((r) => `| ${r.recipe} | ${r.run} | ${r.det.toFixed(3)} | ${r.seg.toFixed(3)} |`);
  return {
    name: "time-to-quality-seeds",
    figure: seedSpread(runs, {
      title: "AUROC after 20 minutes of training, every seed",
      subtitle: "bottle, float32 unless labelled, native backend, mult map, exact search; the untrained encoder first",
    }),
    note: `20-minute AUROC per seed: ${[...new Set(runs.map((r) => r.recipe))].join("; ")}.`,
    source: "results/time_to_quality",
    markdown: ["| recipe | run | det | seg |", "|---|---|---:|---:|", ...rows].join("\n") + "\n",
  };
}
