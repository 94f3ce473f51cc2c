/**
 * Every figure of `results/figures/`, built from committed results (sweeps, loss logs, bench
 * files) or from an inspected run. Each builder returns a {@linkcode FigureOutcome}: the figure
 * (or null), a note saying what it shows or why it is missing, and its source. Builders never
 * throw for missing results: a missing sweep falls back to whatever runs exist, then to the
 * paper's numbers alone (said in the title), so notebooks can call them unconditionally.
 *
 * @module
 */

import { join } from "node:path";
import { titled } from "../plot/compose.ts";
import { textBlock } from "../plot/compose.ts";
import type { Figure } from "../plot/figure.ts";
import { ablationBars, type AblationRow } from "../plot/ablation_bars.ts";
import { anomalyMapGallery } from "../plot/anomaly_map.ts";
import { type AurocRow, aurocTable, aurocTableMarkdown } from "../plot/auroc_table.ts";
import { embeddingPca } from "../plot/embedding_pca.ts";
import { lambdaCurve } from "../plot/lambda_curve.ts";
import { PAPER_HIERARCHY_ABLATION, PAPER_LOSS_ABLATION, PAPER_TABLE1 } from "../plot/paper.ts";
import { rocCurves } from "../plot/roc_curves.ts";
import { trainingCurves } from "../plot/training_curves.ts";
import { renderPlot } from "../plot/render.ts";
import * as Plot from "@observablehq/plot";
import { PALETTE } from "../plot/theme.ts";
import { FIGURES_DIR, PROJECT_ROOT } from "./paths.ts";
import {
  allRuns,
  findSweep,
  readLossLog,
  readRun,
  type RunResult,
  runTraits,
  type Sweep,
  type SweepKind,
} from "./results.ts";
import { mapItem, type RunInspection, runRocCurves, selectCases } from "./run_inspection.ts";
import {
  categoryRows,
  hierarchyAblationRows,
  hierarchyRowsFromTable,
  lambdaRows,
  lambdaRowsFromTable,
  lossAblationRows,
  lossRowsFromTable,
  OUR_METHOD,
  type SweepTableRow,
  sweepTableRows,
  tableCategories,
} from "./summarize.ts";

/** A built figure (or the reason there is none) and where its numbers came from. */
export interface FigureOutcome {
  /** File stem under the figures folder, e.g. `"ablation-losses"`. */
  name: string;
  /** The figure, or null when there was nothing to draw. */
  figure: Figure | null;
  /** What the figure shows, or why it is missing and how to produce its inputs. */
  note: string;
  /** Where the numbers came from, e.g. `"results/losses: 9 runs"`. */
  source: string;
  /** A markdown table of the same numbers, where one helps. */
  markdown?: string;
}

/** Width of the result figures in px. */
const WIDTH = 700;

/** A path relative to the project root, for notes. */
function shown(path: string): string {
  return path.startsWith(PROJECT_ROOT + "/") ? path.slice(PROJECT_ROOT.length + 1) : path;
}

/** How to produce a sweep's results, for notes. */
function howToRun(kind: SweepKind): string {
  const name = { losses: "losses", hierarchy: "hierarchy", lambda: "lambda", categories: "categories" }[kind];
  return `run the ${name} sweep with \`deno task ablate\` (see experiments/) and commit results/<sweep>/`;
}

/** A figure holding only a message: a title and wrapped text. */
export function messageFigure(title: string, text: string, width = WIDTH): Figure {
  return titled(textBlock(text, { fontSize: 12.5, maxWidth: width, color: "#444" }), { title, padding: 12 });
}

/** Runs of one kind: the sweep's own when it has runs, else every committed run. */
function runsFor(sweeps: Sweep[], kind: SweepKind): { sweep: Sweep | null; runs: RunResult[]; own: boolean } {
  const sweep = findSweep(sweeps, kind);
  if (sweep && sweep.runs.length > 0) return { sweep, runs: sweep.runs, own: true };
  return { sweep, runs: allRuns(sweeps), own: false };
}

function seedsText(ns: number[]): string {
  const unique = [...new Set(ns)];
  return unique.length === 1
    ? `${unique[0]} seed${unique[0] === 1 ? "" : "s"}`
    : `${Math.min(...unique)}-${Math.max(...unique)} seeds`;
}

function classesText(categories: string[]): string {
  return categories.length === 1 ? `class ${categories[0]}` : `${categories.length} classes`;
}

/** The paper's values as bars, for when no result of ours exists. */
function paperOnlyRows(paper: Readonly<Record<string, { det: number; seg: number }>>): AblationRow[] {
  return Object.entries(paper).flatMap(([group, v]) =>
    (["det", "seg"] as const).map((metric) => ({ group, metric, mean: v[metric], std: 0, n: 1 }))
  );
}

/** Rows of an ablation with where they came from: a sweep table, its runs, every run, or none. */
interface Sourced<T> {
  rows: T[];
  /** e.g. "results/losses/table.csv". */
  source: string;
  /** Classes behind the rows. */
  categories: string[];
  /** Whether the rows come from the sweep of this kind (table or runs) rather than a fallback. */
  own: boolean;
}

/** Find an ablation's rows: the sweep's table, else its runs, else every committed run. */
function sourced<T>(
  sweeps: Sweep[],
  kind: SweepKind,
  fromTable: (rows: SweepTableRow[]) => T[],
  fromRuns: (runs: RunResult[]) => T[],
): Sourced<T> {
  const sweep = findSweep(sweeps, kind);
  if (sweep?.table) {
    const table = sweepTableRows(sweep.table);
    const rows = fromTable(table);
    if (rows.length > 0) {
      return { rows, source: `${shown(sweep.dir)}/table.csv`, categories: tableCategories(table), own: true };
    }
  }
  const { runs, own } = runsFor(sweeps, kind);
  const rows = fromRuns(runs);
  const source = own ? `${shown(sweep!.dir)}/runs (${runs.length} runs)` : `all committed runs (${runs.length})`;
  return { rows, source, categories: [...new Set(runs.map((r) => r.traits.category))], own };
}

/** Shared logic of the two ablation bar charts. */
function ablationFigure(
  sweeps: Sweep[],
  kind: "losses" | "hierarchy",
  fromTable: (rows: SweepTableRow[]) => AblationRow[],
  fromRuns: (runs: RunResult[]) => AblationRow[],
  paper: Readonly<Record<string, { det: number; seg: number }>>,
  title: string,
): FigureOutcome {
  const name = kind === "losses" ? "ablation-losses" : "ablation-hierarchy";
  const { rows, source, categories, own } = sourced(sweeps, kind, fromTable, fromRuns);
  if (rows.length === 0) {
    const note = `No ${kind} sweep under results/ yet and no committed run that differs from the reference only ` +
      `along this axis, so the figure shows the paper's numbers alone; ${howToRun(kind)}.`;
    const figure = ablationBars(paperOnlyRows(paper), {
      title: `${title}: the paper's numbers only (ours not run yet)`,
      subtitle: "Bars: Yi & Yoon 2020 (mean over the 15 MVTec AD classes). Our sweep has not been committed yet.",
      width: WIDTH,
    });
    return { name, figure, note, source: "the paper (src/plot/paper.ts)" };
  }
  const note = own
    ? `${title} from ${source}.`
    : `No ${kind} sweep under results/ yet; showing the committed runs that differ from the reference only along ` +
      `this axis (${source}).`;
  const hasPaper = rows.some((r) => r.paper !== undefined);
  const figure = ablationBars(rows, {
    title: `${title}: ours vs. the paper`,
    subtitle: `Mean AUROC over ${seedsText(rows.map((r) => r.n))} (each seed: mean over ${
      classesText(categories)
    }), ± std over seeds.${
      hasPaper ? " Black tick: the paper (mean over its 15 classes, 300 epochs)." : ""
    } Source: ${source}.`,
    width: WIDTH,
  });
  return { name, figure, note, source };
}

/**
 * The loss ablation (L_SVDD, L_SVDD', L_SVDD' + L_SSL) with the paper's values.
 *
 * @param sweeps committed sweeps (see `listSweeps`)
 * @returns the outcome (never throws for missing results)
 */
export function lossesFigure(sweeps: Sweep[]): FigureOutcome {
  return ablationFigure(
    sweeps,
    "losses",
    lossRowsFromTable,
    lossAblationRows,
    PAPER_LOSS_ABLATION,
    "Effect of the losses",
  );
}

/**
 * The hierarchy ablation (flat K=64, hierarchical K=64 and K=32, fused) with the paper's values.
 *
 * @param sweeps committed sweeps
 * @returns the outcome
 */
export function hierarchyFigure(sweeps: Sweep[]): FigureOutcome {
  return ablationFigure(
    sweeps,
    "hierarchy",
    hierarchyRowsFromTable,
    hierarchyAblationRows,
    PAPER_HIERARCHY_ABLATION,
    "Effect of the hierarchy",
  );
}

/**
 * AUROC against lambda with ± std over seeds and the published lambda marked.
 *
 * @param sweeps committed sweeps
 * @returns the outcome (a message figure when no run varies lambda)
 */
export function lambdaFigure(sweeps: Sweep[]): FigureOutcome {
  const { rows, source, categories, own } = sourced(sweeps, "lambda", lambdaRowsFromTable, lambdaRows);
  if (rows.length === 0) {
    const note = `No lambda sweep under results/ yet and no committed run with another lambda; ${howToRun("lambda")}.`;
    return { name: "lambda", figure: messageFigure("AUROC vs. lambda: no results yet", note), note, source: "none" };
  }
  const lambdas = new Set(rows.map((r) => r.lambda));
  const note = own
    ? `AUROC vs. lambda from ${source}.`
    : `No lambda sweep under results/ yet; showing the ${lambdas.size} lambda value(s) among the committed runs.`;
  const figure = lambdaCurve(rows, {
    title: "AUROC vs. λ, the weight of L_SVDD'",
    subtitle: `Main map (mult); mean ± std over seeds, each seed the mean over ${classesText(categories)}. ` +
      `The paper's command uses λ = 10⁻³, the reference code's default is 1. Source: ${source}.`,
    width: WIDTH,
  });
  return { name: "lambda", figure, note, source };
}

/** Rows of the per-class table for an extra run (e.g. the authors' imported weights). */
export interface ExtraMethod {
  /** Method name in the table, e.g. `"authors' weights, our inspection"`. */
  method: string;
  /** The runs (their main map's AUROCs are used). */
  runs: RunResult[];
}

/**
 * Our per-class AUROC against the paper's Table 1 (dot table and markdown).
 *
 * @param sweeps committed sweeps; a categories sweep is used alone when present, else every
 *   reference-configuration run
 * @param extra further methods to show beside ours (not from committed results, e.g. a run folder)
 * @returns the outcome, with a markdown table
 */
export function paperTableFigure(sweeps: Sweep[], extra: ExtraMethod[] = []): FigureOutcome {
  const { sweep, runs, own } = runsFor(sweeps, "categories");
  const ours = categoryRows(runs);
  const others = extra.flatMap((e) =>
    categoryRows(
      e.runs.map((r) => ({ ...r, traits: { ...r.traits, step: null, reference: true, differs: [] } })),
      e.method,
    )
  );
  const source = ours.length === 0
    ? "none"
    : own
    ? `${shown(sweep!.dir)}: ${sweep!.runs.length} runs`
    : `reference-configuration runs of all sweeps (${runs.filter((r) => r.traits.reference).length})`;
  const rows: AurocRow[] = [...ours, ...others];
  const sources = [source, ...extra.map((e) => `${e.method}: ${e.runs.map((r) => shown(r.dir)).join(", ")}`)];
  if (rows.length === 0) {
    const paperRows = Object.entries(PAPER_TABLE1).map(([category, v]) => ({
      category,
      method: "paper (Yi & Yoon 2020)",
      ours: v,
    }));
    const note = `No committed run with the reference configuration yet, so the table shows the paper's numbers ` +
      `alone; ${howToRun("categories")}.`;
    return {
      name: "auroc-table",
      figure: aurocTable(paperRows, {
        title: "MVTec AD AUROC: the paper's Table 1 only (no results of ours yet)",
        subtitle: "Detection (image) and segmentation (pixel) AUROC (%) as published.",
        width: WIDTH,
      }),
      note,
      source: "the paper (src/plot/paper.ts)",
      markdown: aurocTableMarkdown(paperRows),
    };
  }
  const note = ours.length === 0
    ? `No committed reference run yet; the table shows only ${extra.map((e) => e.method).join(", ")}.`
    : `Per-class AUROC of ${OUR_METHOD} from ${source}.`;
  return {
    name: "auroc-table",
    figure: aurocTable(rows, {
      title: "MVTec AD AUROC per class: ours vs. the paper (Table 1)",
      subtitle: `Dots: ours, value printed with its difference from the paper in brackets; black tick: the paper. ` +
        `Main map (mult). Sources: ${sources.join("; ")}.`,
      width: WIDTH,
    }),
    note,
    source: sources.join("; "),
    markdown: aurocTableMarkdown(rows),
  };
}

/**
 * Training curves from a committed loss log: the reference-configuration run with the longest
 * log (any run with a log when none is reference).
 *
 * @param sweeps committed sweeps
 * @returns the outcome (no figure when no log is committed)
 */
export async function committedTrainingCurvesFigure(sweeps: Sweep[]): Promise<FigureOutcome> {
  const withLog = allRuns(sweeps).filter((r) => r.logPath);
  const candidates = withLog.some((r) => r.traits.reference) ? withLog.filter((r) => r.traits.reference) : withLog;
  let best: { run: RunResult; log: Record<string, number>[] } | null = null;
  for (const run of candidates) {
    const log = await readLossLog(run.logPath!);
    if (log.length > 0 && (!best || log.length > best.log.length)) best = { run, log };
  }
  if (!best) {
    return {
      name: "training-curves",
      figure: null,
      note: "No train_log.jsonl is committed under results/*/runs/; the run figures include training curves instead.",
      source: "none",
    };
  }
  const { run, log } = best;
  const source = shown(run.logPath!);
  return {
    name: "training-curves",
    figure: trainingCurves(log, {
      title: `Training losses: ${run.sweep}/${run.cell} (${run.traits.category}, seed ${run.traits.seed})`,
      subtitle: `${run.traits.lossName}, λ = ${run.traits.lambda}; ${log.length} logged steps. Source: ${source}.`,
    }),
    note: `Training curves of ${run.sweep}/${run.cell}.`,
    source,
  };
}

/** A numeric throughput field of a bench record and its label, in order of preference. */
const BENCH_FIELDS: [string, string][] = [
  ["pairs_per_second", "pairs / s"],
  ["pairsPerSecond", "pairs / s"],
  ["steps_per_second", "steps / s"],
  ["stepsPerSecond", "steps / s"],
  ["images_per_second", "images / s"],
  ["gflops", "GFLOP/s"],
];

/** Records with a string `backend` field anywhere in a JSON value (depth-first). */
function benchRecords(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) value.forEach((v) => benchRecords(v, out));
  else if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (typeof record.backend === "string") out.push(record);
    else Object.values(record).forEach((v) => benchRecords(v, out));
  }
  return out;
}

/**
 * Throughput per backend from `results/bench/*.json`: any record with a `backend` and one of the
 * throughput fields (pairs/s, steps/s, images/s, GFLOP/s), median per backend and file.
 *
 * @param resultsDir the results folder
 * @returns the outcome (no figure when no bench file is committed or none is readable)
 */
export async function benchFigure(resultsDir: string): Promise<FigureOutcome> {
  const dir = join(resultsDir, "bench");
  const points: { file: string; backend: string; value: number }[] = [];
  let unit = "";
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".json")) files.push(e.name);
  } catch {
    // no bench folder
  }
  for (const file of files.sort()) {
    let records: Record<string, unknown>[];
    try {
      records = benchRecords(JSON.parse(await Deno.readTextFile(join(dir, file))));
    } catch {
      continue;
    }
    const field = BENCH_FIELDS.find(([f]) => records.some((r) => typeof r[f] === "number"));
    if (!field || (unit && field[1] !== unit)) continue;
    unit = field[1];
    const byBackend = new Map<string, number[]>();
    for (const r of records) {
      if (typeof r[field[0]] === "number") {
        byBackend.set(r.backend as string, [...(byBackend.get(r.backend as string) ?? []), r[field[0]] as number]);
      }
    }
    for (const [backend, values] of byBackend) {
      const sorted = [...values].sort((a, b) => a - b);
      points.push({ file: file.replace(/\.json$/, ""), backend, value: sorted[Math.floor(sorted.length / 2)] });
    }
  }
  if (points.length === 0) {
    return {
      name: "bench",
      figure: null,
      note: `No readable bench file (records with a backend and a throughput) under ${shown(dir)}/.`,
      source: "none",
    };
  }
  const backends = [...new Set(points.map((p) => p.backend))];
  const plot = renderPlot({
    width: WIDTH,
    height: Math.max(120, 28 * points.length + 40),
    marginLeft: 140,
    marginRight: 60,
    x: { label: unit, grid: true, labelAnchor: "center", labelArrow: "none" },
    y: { label: null },
    color: { domain: backends, range: backends.map((_, i) => PALETTE[i % PALETTE.length]) },
    marks: [
      Plot.barX(points, { y: (p) => `${p.file} · ${p.backend}`, x: "value", fill: "backend" }),
      Plot.text(points, {
        y: (p) => `${p.file} · ${p.backend}`,
        x: "value",
        text: (p) => p.value.toPrecision(3),
        textAnchor: "start",
        dx: 4,
      }),
      Plot.ruleX([0]),
    ],
  });
  const source = `${shown(dir)}/ (${files.length} file${files.length === 1 ? "" : "s"})`;
  return {
    name: "bench",
    figure: titled(plot, {
      title: `Throughput per backend (${unit})`,
      subtitle: `Median per backend and file. Source: ${source}.`,
    }),
    note: `Backend throughput from ${source}.`,
    source,
  };
}

/** Figures of one inspected run: gallery, ROC curves, PCA, training curves. */
export interface RunFigureOptions {
  /** File-name tag: figures are named `run-<tag>-...`. */
  tag: string;
  /** What the run is, for titles (e.g. "synthetic texture, 40 steps"). */
  label: string;
  /** Images per group in the gallery (best/worst defective, worst good). Default 2. */
  perGroup?: number;
}

/**
 * The run's best and worst cases as one gallery on a shared colour scale.
 *
 * @param run the inspected run
 * @param options tag, label, images per group
 * @returns the outcome
 */
export function galleryFigure(run: RunInspection, options: RunFigureOptions): FigureOutcome {
  const cases = selectCases(run.inspection.scores[run.inspection.mainKey], run.labels, options.perGroup ?? 2);
  const chosen = [
    ...cases.bestDefect.map((i) => ({ i, why: "best detected defect" })),
    ...cases.worstDefect.map((i) => ({ i, why: "worst (lowest-scored) defect" })),
    ...cases.worstGood.map((i) => ({ i, why: "worst good image (highest score)" })),
  ];
  const items = chosen.map(({ i, why }) => {
    const item = mapItem(run, i);
    return { ...item, title: `${why}: ${item.title}` };
  });
  return {
    name: `run-${options.tag}-anomaly-maps`,
    figure: anomalyMapGallery(items, {
      columns: 1,
      panelSize: 150,
      title: `Best and worst cases: ${options.label}`,
      subtitle: `Ranked by image score (max of the mult map); predicted mask = map ≥ the pixel F1-max threshold ` +
        `${run.thresholds.pixel.toPrecision(3)}. Detection AUROC ${
          run.auroc.image[run.inspection.mainKey].toFixed(3)
        }, ` +
        `segmentation AUROC ${run.auroc.pixel[run.inspection.mainKey].toFixed(3)}.`,
    }),
    note: `Anomaly maps of ${options.label}.`,
    source: shown(run.runDir),
  };
}

/**
 * Image- and pixel-level ROC curves of every map of the run.
 *
 * @param run the inspected run
 * @param options tag, label
 * @returns two outcomes: image, then pixel
 */
export function rocFigures(run: RunInspection, options: RunFigureOptions): FigureOutcome[] {
  const curves = runRocCurves(run);
  const paper = PAPER_TABLE1[run.category];
  const paperNote = paper
    ? ` Paper (${run.category}): detection ${paper.det.toFixed(3)}, segmentation ${paper.seg.toFixed(3)}.`
    : "";
  return (["image", "pixel"] as const).map((level) => ({
    name: `run-${options.tag}-roc-${level}`,
    figure: rocCurves(curves[level], {
      title: `${level === "image" ? "Detection (image-level)" : "Segmentation (pixel-level)"} ROC: ${options.label}`,
      subtitle: (level === "image"
        ? `${run.labels.length} test images, score = max of each map.`
        : `All ${run.labels.length} test images' pixels pooled.`) + paperNote,
      size: 400,
    }),
    note: `${level} ROC curves of ${options.label}.`,
    source: shown(run.runDir),
  }));
}

/**
 * PCA of the run's test patch embeddings (top level), normal against defective patches.
 *
 * @param run the inspected run (with embeddings)
 * @param options tag, label
 * @returns the outcome (no figure when the run was inspected without embeddings)
 */
export function pcaFigure(run: RunInspection, options: RunFigureOptions): FigureOutcome {
  const name = `run-${options.tag}-pca`;
  const e = run.embeddings;
  if (!e) return { name, figure: null, note: "The run was inspected without embeddings.", source: shown(run.runDir) };
  return {
    name,
    figure: embeddingPca(e.data, e.dim, e.labels, {
      title: `Patch embeddings (K=${e.patchSize}), first two principal components: ${options.label}`,
      subtitle: `Every test patch at stride ${e.stride}; anomalous = a defect pixel in the patch's central ` +
        `${e.patchSize / 2}x${e.patchSize / 2} square.`,
      size: 420,
    }),
    note: `PCA of ${options.label}.`,
    source: shown(run.runDir),
  };
}

/**
 * Training curves of a run folder's `train_log.jsonl`.
 *
 * @param runDir the run folder
 * @param options tag, label
 * @returns the outcome (no figure when the run has no log, e.g. imported weights)
 */
export async function runTrainingCurvesFigure(runDir: string, options: RunFigureOptions): Promise<FigureOutcome> {
  const name = `run-${options.tag}-training-curves`;
  const log = await readLossLog(join(runDir, "train_log.jsonl"));
  if (log.length === 0) {
    return {
      name,
      figure: null,
      note: `${shown(runDir)} has no training log (e.g. imported weights).`,
      source: "none",
    };
  }
  return {
    name,
    figure: trainingCurves(log, { title: `Training losses: ${options.label}` }),
    note: `Training curves of ${options.label}.`,
    source: shown(join(runDir, "train_log.jsonl")),
  };
}

/**
 * A run folder as an extra method of the per-class table (its own `metrics.json`).
 *
 * @param runDir the run folder
 * @param method the name shown, default: "authors' weights (imported)" when its config.json
 *   records `imported_from`, else "run <folder>"
 * @returns the method, or null when the run has no metrics.json
 */
export async function runAsMethod(runDir: string, method?: string): Promise<ExtraMethod | null> {
  const run = await readRun(runDir, "run");
  if (!run) return null;
  let imported = false;
  try {
    imported = Boolean(JSON.parse(await Deno.readTextFile(join(runDir, "config.json"))).imported_from);
  } catch {
    // no config.json
  }
  return { method: method ?? (imported ? "authors' weights, our inspection" : `run ${run.cell}`), runs: [run] };
}

/**
 * The authors' imported encoder evaluated by our inspection, from committed files
 * `results/equivalence/<category>_reference_weights_exact.json` (a metrics record each; the
 * exact-search file preferred over the hnsw one).
 *
 * @param resultsDir the results folder
 * @returns the method for {@linkcode paperTableFigure}, or null when no such file is committed
 */
export async function referenceWeightsMethod(resultsDir: string): Promise<ExtraMethod | null> {
  const dir = join(resultsDir, "equivalence");
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /_reference_weights.*\.json$/.test(e.name)) files.push(e.name);
    }
  } catch {
    return null;
  }
  // exact before hnsw, one file per category
  files.sort((a, b) => Number(b.includes("exact")) - Number(a.includes("exact")) || a.localeCompare(b));
  const runs: RunResult[] = [];
  for (const file of files) {
    try {
      const metrics = JSON.parse(await Deno.readTextFile(join(dir, file)));
      if (!metrics.image_auroc || !metrics.pixel_auroc || !metrics.category) continue;
      if (runs.some((r) => r.traits.category === metrics.category)) continue;
      const traits = { ...runTraits(metrics), step: null, reference: true, differs: [] };
      runs.push({ sweep: "equivalence", cell: file, dir: join(dir, file), metrics, traits, logPath: null });
    } catch {
      // not a metrics record
    }
  }
  return runs.length > 0 ? { method: "authors' weights, our inspection", runs } : null;
}

/** Where {@linkcode saveOutcome} wrote a figure. */
export interface SavedOutcome {
  /** File stem. */
  name: string;
  /** Files written (svg, png, and md when the outcome has markdown); empty when there was no figure. */
  files: string[];
  /** The note. */
  note: string;
  /** The source. */
  source: string;
}

/**
 * Save an outcome's figure (`.svg` + `.png`) and markdown (`.md`) into a folder.
 *
 * @param outcome the outcome
 * @param dir the folder. Default `results/figures`.
 * @returns the files written
 */
export async function saveOutcome(outcome: FigureOutcome, dir: string = FIGURES_DIR): Promise<SavedOutcome> {
  const files: string[] = [];
  if (outcome.figure) {
    const saved = await outcome.figure.save(join(dir, outcome.name));
    files.push(saved.svg, saved.png);
  }
  if (outcome.markdown && outcome.figure) {
    const md = join(dir, `${outcome.name}.md`);
    await Deno.writeTextFile(md, outcome.markdown);
    files.push(md);
  }
  return { name: outcome.name, files, note: outcome.note, source: outcome.source };
}
