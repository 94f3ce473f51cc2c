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
import sharp from "sharp";
import { titled } from "../plot/compose.ts";
import { textBlock } from "../plot/compose.ts";
import type { Figure } from "../plot/figure.ts";
import { ablationBars, type AblationRow } from "../plot/ablation_bars.ts";
import { anomalyMapGallery } from "../plot/anomaly_map.ts";
import { type AurocRow, aurocTable, aurocTableMarkdown } from "../plot/auroc_table.ts";
import { embeddingPca } from "../plot/embedding_pca.ts";
import { lambdaCurve, powerOfTenLabel } from "../plot/lambda_curve.ts";
import { PAPER_HIERARCHY_ABLATION, PAPER_LOSS_ABLATION, PAPER_TABLE1 } from "../plot/paper.ts";
import { rocCurves } from "../plot/roc_curves.ts";
import { trainingCurves } from "../plot/training_curves.ts";
import { renderPlot } from "../plot/render.ts";
import * as Plot from "@observablehq/plot";
import { PALETTE, PAPER_COLOR } from "../plot/theme.ts";
import { swatchLegend } from "../plot/legend.ts";
import { FIGURES_DIR, PROJECT_ROOT } from "./paths.ts";
import {
  allRuns,
  findSweep,
  findSweeps,
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
  untrainedLevelsFromTable,
} from "./summarize.ts";

/** A built figure (or the reason there is none) and where its numbers came from. */
export interface FigureOutcome {
  /** File stem under the figures folder, e.g. `"ablation-losses"`. */
  name: string;
  /** The figure, or null when there was nothing to draw. */
  figure: Figure | null;
  /** What the figure shows, or why it is missing and how to produce its inputs. */
  note: string;
  /** Where the numbers came from, e.g. `"results/losses_100steps: 9 runs"`. */
  source: string;
  /** A markdown table of the same numbers, where one helps. */
  markdown?: string;
  /**
   * How {@linkcode saveOutcome} writes the figure: `"svg+png"` (default), or `"jpg"` for figures
   * made of photographs (anomaly-map galleries), whose SVG and PNG run to megabytes.
   */
  format?: "svg+png" | "jpg";
}

/** Width of the result figures in px. */
const WIDTH = 700;

/** A path relative to the project root, for notes. */
function shown(path: string): string {
  return path.startsWith(PROJECT_ROOT + "/") ? path.slice(PROJECT_ROOT.length + 1) : path;
}

/** How to produce a sweep's results, for notes. */
function howToRun(kind: SweepKind): string {
  if (kind === "categories") {
    return "evaluate reference-configuration runs (e.g. a sweep over categories with `deno task ablate`) and commit " +
      "results/<sweep>/";
  }
  return `run \`deno task ablate experiments/${kind}_2400.json\` and commit results/${kind}_2400/`;
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
  /** e.g. "results/losses_100steps/table.csv". */
  source: string;
  /** Classes behind the rows. */
  categories: string[];
  /** Whether the rows come from the sweep of this kind (table or runs) rather than a fallback. */
  own: boolean;
  /** The sweep the rows come from (null for the fallback over every run). */
  sweep: Sweep | null;
  /** That sweep's table rows, when the rows come from its table. */
  table: SweepTableRow[] | null;
  /** When a longer-budget sweep of this kind exists but has nothing to draw: what was passed over. */
  passedOver: Sweep[];
}

/**
 * Find an ablation's rows: the table of the sweep of this kind with the longest step budget that
 * has rows to draw (`*_2400` before `*_100steps`), else the preferred sweep's runs, else every
 * committed run.
 */
function sourced<T>(
  sweeps: Sweep[],
  kind: SweepKind,
  fromTable: (rows: SweepTableRow[]) => T[],
  fromRuns: (runs: RunResult[]) => T[],
): Sourced<T> {
  const candidates = findSweeps(sweeps, kind);
  for (const [i, sweep] of candidates.entries()) {
    if (!sweep.table) continue;
    const table = sweepTableRows(sweep.table);
    const rows = fromTable(table);
    if (rows.length > 0) {
      return {
        rows,
        source: `${shown(sweep.dir)}/table.csv`,
        categories: tableCategories(table),
        own: true,
        sweep,
        table,
        passedOver: candidates.slice(0, i),
      };
    }
  }
  const { sweep, runs, own } = runsFor(sweeps, kind);
  const rows = fromRuns(runs);
  const source = own ? `${shown(sweep!.dir)}/runs (${runs.length} runs)` : `all committed runs (${runs.length})`;
  return {
    rows,
    source,
    categories: [...new Set(runs.map((r) => r.traits.category))],
    own,
    sweep: own ? sweep : null,
    table: null,
    passedOver: own ? candidates.slice(0, candidates.indexOf(sweep!)) : candidates,
  };
}

/** A sweep's training budget as its table.md states it ("100 steps"), or null. */
function sweepBudget(sweep: Sweep | null): string | null {
  return sweep?.markdown?.match(/budget: ([^;\n]+);/)?.[1] ?? null;
}

/** What a figure passed over, for its note: longer-budget sweeps with nothing to draw yet. */
function passedOverText(passed: Sweep[], budget: string | null): string {
  if (passed.length === 0) return "";
  const names = passed.map((s) => `${shown(s.dir)}/`).join(", ");
  return ` ${names} ${passed.length === 1 ? "has" : "have"} no finished trained cell yet, so this shows the ` +
    `${budget ?? "shorter"} sweep, labelled as such.`;
}

/** How the facets are laid out, for subtitles ("" for a single class). */
function facetText(categories: string[], unit: "row" | "panel"): string {
  return categories.length > 1 ? `one ${unit} per class, the last the mean over ${categories.length} classes` : "";
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
  const { rows, source, categories, own, sweep, passedOver } = sourced(sweeps, kind, fromTable, fromRuns);
  if (rows.length === 0) {
    const note = `No ${kind} sweep under results/ yet and no committed run that differs from the reference only ` +
      `along this axis, so the figure shows the paper's numbers alone; ${howToRun(kind)}.`;
    const figure = ablationBars(paperOnlyRows(paper), {
      title: `${title}: the paper's numbers only (ours not run yet)`,
      subtitle: `Bars: Yi & Yoon 2020, means over the 15 MVTec AD classes${
        kind === "hierarchy" ? " (read off the paper's bar chart, approximate)" : ""
      }; published means, no error bars. Our sweep has not been committed yet.`,
      width: WIDTH,
    });
    return { name, figure, note, source: "the paper (src/lab/plot/paper.ts)" };
  }
  const budget = own ? sweepBudget(sweep) : null;
  const note =
    (own
      ? `${title} from ${source}${budget ? ` (${budget} per cell)` : ""}.`
      : `No ${kind} sweep under results/ yet; showing the committed runs that differ from the reference only along ` +
        `this axis (${source}).`) + passedOverText(passedOver, budget);
  const hasPaper = rows.some((r) => r.paper !== undefined);
  const hasUntrained = rows.some((r) => r.untrained !== undefined);
  const facets = facetText(categories, "row");
  const groups = new Set(rows.map((r) => r.group)).size;
  const figure = ablationBars(rows, {
    title: `${title}${budget ? ` after ${budget}` : ""}: ours vs. the paper`,
    subtitle: `Mean AUROC over ${seedsText(rows.map((r) => r.n))}${
      facets ? ` (${facets}; a mean row averages over classes per seed first)` : ` (${classesText(categories)})`
    }${budget ? `, ${budget} of training per cell` : ""}, ± std over seeds.${
      hasUntrained
        ? " Dashed grey tick and band: the untrained encoder (0 steps, same seeds and map) ± std; the signed " +
          "number under each mean is the gain over it (mean over seeds)."
        : ""
    }${
      hasPaper
        ? ` Black tick: the paper (${
          facets ? "Table 1 per class; on the mean row its means over 15 classes" : "its means over 15 classes"
        }, 300 epochs).`
        : ""
    } Source: ${source}.`,
    width: Math.max(WIDTH, 150 + 95 * groups),
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
  const { rows, source, categories, own, sweep, table, passedOver } = sourced(
    sweeps,
    "lambda",
    lambdaRowsFromTable,
    lambdaRows,
  );
  if (rows.length === 0) {
    const note = `No lambda sweep under results/ yet and no committed run with another lambda; ${howToRun("lambda")}.`;
    return { name: "lambda", figure: messageFigure("AUROC vs. lambda: no results yet", note), note, source: "none" };
  }
  const lambdas = new Set(rows.map((r) => r.lambda));
  const budget = own ? sweepBudget(sweep) : null;
  const note =
    (own
      ? `AUROC vs. lambda from ${source}${budget ? ` (${budget} per cell)` : ""}.`
      : `No lambda sweep under results/ yet; showing the ${lambdas.size} lambda value(s) among the committed runs.`) +
    passedOverText(passedOver, budget);
  const untrained = table ? untrainedLevelsFromTable(table) : [];
  const facets = facetText(categories, "panel");
  const figure = lambdaCurve(rows, {
    title: `AUROC vs. λ, the weight of L_SVDD'${budget ? `, after ${budget}` : ""}`,
    subtitle:
      `Main map (mult); mean ± std over seeds${
        facets ? ` (${facets}, averaged per seed first)` : `, each seed the mean over ${classesText(categories)}`
      }${budget ? `, ${budget} of training per cell` : ""}. ` +
      (untrained.length > 0
        ? "Dashed line and band in each metric's colour: the untrained encoder (0 steps, same seeds) ± std. "
        : "") +
      `The paper's command uses λ = 10⁻³, the reference code's default is 1. Source: ${source}.`,
    untrained,
    width: Math.max(WIDTH, 260 * new Set(rows.map((r) => r.facet ?? "")).size),
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
  const sources = [
    ...(ours.length > 0 ? [source] : []),
    ...extra.map((e) => `${e.method}: ${e.runs.map((r) => shown(r.dir)).join(", ")}`),
  ];
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
      source: "the paper (src/lab/plot/paper.ts)",
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

/** One phase of a bench file: our seconds and the reference code's on the same machine. */
export interface BenchPhase {
  /** Bench file (without `.json`), e.g. `2core-intel-xeon-processor-native`. */
  file: string;
  /** Phase name, e.g. `"embed memory bank"`. */
  phase: string;
  /** Our wall-clock seconds. */
  ours: number;
  /** The reference implementation's seconds, when the file quotes them. */
  reference: number | null;
}

type Json = Record<string, unknown>;

function at(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) v = v && typeof v === "object" ? (v as Json)[key] : undefined;
  return v;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : null;
}

function sum(...values: unknown[]): number | null {
  const ns = values.map(num);
  return ns.every((n) => n !== null) ? (ns as number[]).reduce((a, b) => a + b, 0) : null;
}

/**
 * The phases of a `deno task bench` file (schema `patchsvdd-bench/1`): a training step and the
 * inspection phases (load, memory-bank and test embedding, exact search, totals), ours and the
 * reference code's as the file quotes them.
 *
 * @param file name shown for the file
 * @param bench the parsed JSON
 * @returns the phases with a time of ours (empty for another schema)
 * @example
 * ```ts
 * import { benchPhases } from "./build.ts";
 * benchPhases("x", { schema: "other" }); // []
 * ```
 */
export function benchPhases(file: string, bench: unknown): BenchPhase[] {
  if (at(bench, "schema") !== "patchsvdd-bench/1") return [];
  const ref = (...path: string[]) => at(bench, "reference", ...path);
  const ours = (...path: string[]) => at(bench, "inspection", ...path);
  const pairs = num(at(bench, "training", "pairs_per_step"));
  const rows: [string, number | null, number | null][] = [
    [
      `training step (${pairs ?? "?"} pairs)`,
      num(at(bench, "training", "median_step_seconds")),
      num(ref("training", "median_step_seconds")),
    ],
    ["load + decode images", num(ours("shared", "load", "seconds")), num(ref("inspection_exact", "load"))],
    [
      "embed memory bank",
      num(ours("shared", "embed_bank", "seconds")),
      sum(ref("inspection_exact", "embed_bank_k64"), ref("inspection_exact", "embed_bank_k32")),
    ],
    [
      "embed test images",
      num(ours("shared", "embed_test", "seconds")),
      sum(ref("inspection_exact", "embed_test_k64"), ref("inspection_exact", "embed_test_k32")),
    ],
    [
      "nearest neighbours (exact)",
      num(ours("methods", "exact", "phases", "search", "seconds")),
      sum(ref("inspection_exact", "search_k64"), ref("inspection_exact", "search_k32")),
    ],
    ["inspection total (exact)", num(ours("methods", "exact", "total_seconds")), num(ref("inspection_exact", "total"))],
    ["inspection total (hnsw)", num(ours("methods", "hnsw", "total_seconds")), num(ref("inspection_exact", "total"))],
  ];
  return rows.filter(([, o]) => o !== null).map(([phase, o, r]) => ({ file, phase, ours: o!, reference: r }));
}

/**
 * Seconds per phase from `results/bench/*.json` (`deno task bench`), ours against the
 * reference PyTorch code on the same machine where the file quotes it, log scale, with the
 * speed-up printed.
 *
 * @param resultsDir the results folder
 * @returns the outcome (no figure when no bench file of a known schema is committed)
 */
export async function benchFigure(resultsDir: string): Promise<FigureOutcome> {
  const dir = join(resultsDir, "bench");
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".json")) files.push(e.name);
  } catch {
    // no bench folder
  }
  const phases: BenchPhase[] = [];
  const sourceFiles: string[] = [];
  const backends: string[] = [];
  const datasets: string[] = [];
  for (const file of files.sort()) {
    try {
      const bench = JSON.parse(await Deno.readTextFile(join(dir, file)));
      const name = file.replace(/\.json$/, "");
      // Rows are labelled without the host kind (e.g. "native-bf16"); the subtitle names the files.
      const host = String(at(bench, "host", "kind") ?? "");
      const found = benchPhases(host && name.startsWith(`${host}-`) ? name.slice(host.length + 1) : name, bench);
      if (found.length > 0) sourceFiles.push(name);
      if (found.length > 0) {
        backends.push(String(at(bench, "backend", "name") ?? "?"));
        const d = (key: string) => at(bench, "dataset", key) ?? "?";
        datasets.push(
          `${d("category")}, ${d("image_size")} px, ${d("num_train")} training / ${d("num_test")} test images`,
        );
      }
      phases.push(...found);
    } catch {
      // not JSON: skip
    }
  }
  if (phases.length === 0) {
    return {
      name: "bench",
      figure: null,
      note: `No bench file of schema patchsvdd-bench/1 under ${shown(dir)}/ (run \`deno task bench\`).`,
      source: "none",
    };
  }
  const filesShown = [...new Set(phases.map((p) => p.file))];
  const points = phases.flatMap((p) => [
    { ...p, who: "ours (Deno + tfjs)", seconds: p.ours },
    ...(p.reference !== null ? [{ ...p, who: "reference code (PyTorch)", seconds: p.reference }] : []),
  ]);
  const speed = (p: BenchPhase) => {
    if (p.reference === null) return "";
    const ratio = p.reference / p.ours;
    return ratio >= 1 ? `${ratio.toFixed(ratio < 10 ? 1 : 0)}× faster` : `${(1 / ratio).toFixed(1)}× slower`;
  };
  const who = ["ours (Deno + tfjs)", "reference code (PyTorch)"];
  const colors = [PALETTE[0], PAPER_COLOR];
  const all = points.map((p) => p.seconds);
  const plot = renderPlot({
    width: WIDTH,
    height: 40 + 30 * phases.length,
    marginLeft: 190,
    marginRight: 90,
    x: {
      type: "log",
      label: "seconds (log scale)",
      labelAnchor: "center",
      labelArrow: "none",
      grid: true,
      domain: [Math.min(...all) / 1.5, Math.max(...all) * 1.5],
    },
    y: {
      label: null,
      domain: [...new Set(phases.map((p) => `${filesShown.length > 1 ? `${p.file}: ` : ""}${p.phase}`))],
    },
    color: { domain: who, range: colors },
    marks: [
      Plot.link(phases.filter((p) => p.reference !== null), {
        x1: "ours",
        x2: "reference",
        y: (p: BenchPhase) => `${filesShown.length > 1 ? `${p.file}: ` : ""}${p.phase}`,
        stroke: "#bbb",
        strokeWidth: 2,
      }),
      Plot.dot(points, {
        x: "seconds",
        y: (p: BenchPhase) => `${filesShown.length > 1 ? `${p.file}: ` : ""}${p.phase}`,
        fill: "who",
        r: 5,
      }),
      Plot.text(phases, {
        x: (p: BenchPhase) => Math.max(p.ours, p.reference ?? 0),
        y: (p: BenchPhase) => `${filesShown.length > 1 ? `${p.file}: ` : ""}${p.phase}`,
        text: speed,
        textAnchor: "start",
        dx: 10,
        fill: "#333",
      }),
    ],
  });
  const legend = swatchLegend(who.map((label, i) => ({ label, color: colors[i], shape: "dot" as const })), WIDTH);
  const source = `${shown(dir)}/ (${sourceFiles.join(", ")})`;
  return {
    name: "bench",
    figure: titled(plot, {
      title: "Speed: our kit vs. the reference PyTorch code, same machine",
      subtitle: `${[...new Set(datasets)].join("; ")}; ours on the ${[...new Set(backends)].join(", ")} ` +
        `backend. The reference's seconds as the bench file quotes them. Source: ${source}.`,
      legends: [legend],
    }),
    note: `Bench phases from ${source}.`,
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
  const main = run.inspection.mainKey;
  const cases = selectCases(run.inspection.scores[main], run.labels, options.perGroup ?? 2);
  const chosen = [
    ...cases.bestDefect.map((i) => ({ i, why: "best detected defect" })),
    ...cases.worstDefect.map((i) => ({ i, why: "worst (lowest-scored) defect" })),
    ...cases.worstGood.map((i) => ({ i, why: "worst good image (highest score)" })),
  ];
  // Tiny maps (a briefly trained encoder: mult of distances ~1e-4) get unreadable colour-scale
  // ticks; show them scaled by a power of ten, said in the subtitle.
  const top = Math.max(...chosen.map(({ i }) => run.inspection.scores[main][i]));
  const exponent = top > 0 && top < 1e-2 ? -Math.floor(Math.log10(top)) : 0;
  const scale = 10 ** exponent;
  const items = chosen.map(({ i, why }) => {
    const item = mapItem(run, i);
    const scaled = exponent === 0 ? item : {
      ...item,
      map: item.map.map((v) => v * scale),
      score: item.score * scale,
      threshold: item.threshold * scale,
    };
    return { ...scaled, title: `${why}: ${item.title}` };
  });
  const unit = exponent === 0 ? "" : ` Map values, scores and threshold shown ×10${powerOfTenLabel(scale).slice(2)}.`;
  return {
    name: `run-${options.tag}-anomaly-maps`,
    format: "jpg",
    figure: anomalyMapGallery(items, {
      columns: items.length > 1 ? 2 : 1,
      panelSize: 184,
      title: `Best and worst cases: ${options.label}`,
      subtitle: `Ranked by image score (max of the ${main} map); predicted mask = map ≥ the pixel F1-max threshold. ` +
        `Detection AUROC ${run.auroc.image[main].toFixed(3)}, segmentation AUROC ${run.auroc.pixel[main].toFixed(3)}.` +
        unit,
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
  return (["image", "pixel"] as const).map((level) => ({
    name: `run-${options.tag}-roc-${level}`,
    figure: rocCurves(curves[level], {
      title: `${level === "image" ? "Image-level" : "Pixel-level"} ROC: ${options.label}`,
      subtitle: (level === "image"
        ? `Detection: ${run.labels.length} test images, score = max of each map.`
        : `Segmentation: all ${run.labels.length} test images' pixels pooled.`) +
        (paper ? ` The paper (${run.category}): AUROC ${paper[level === "image" ? "det" : "seg"].toFixed(3)}.` : ""),
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
      title: `Test patch embeddings (K=${e.patchSize}), PCA: ${options.label}`,
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
 * The authors' imported encoders evaluated by our inspection, from committed metrics records:
 * `results/table1/<category>/metrics.json` (written by `deno task table1` from the authors'
 * published checkpoints), then, for categories not there,
 * `results/equivalence/<category>_reference_weights_exact.json` (the exact-search file preferred
 * over the hnsw one).
 *
 * @param resultsDir the results folder
 * @returns the method for {@linkcode paperTableFigure}, or null when no such file is committed
 */
export async function referenceWeightsMethod(resultsDir: string): Promise<ExtraMethod | null> {
  const candidates: { sweep: string; cell: string; path: string }[] = [];
  const table1 = join(resultsDir, "table1");
  try {
    const categories: string[] = [];
    for await (const e of Deno.readDir(table1)) if (e.isDirectory) categories.push(e.name);
    for (const c of categories.sort()) {
      candidates.push({ sweep: "table1", cell: c, path: join(table1, c, "metrics.json") });
    }
  } catch {
    // no table1 results
  }
  const dir = join(resultsDir, "equivalence");
  const files: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /_reference_weights.*\.json$/.test(e.name)) files.push(e.name);
    }
  } catch {
    // no equivalence results
  }
  // exact before hnsw, one file per category
  files.sort((a, b) => Number(b.includes("exact")) - Number(a.includes("exact")) || a.localeCompare(b));
  for (const file of files) candidates.push({ sweep: "equivalence", cell: file, path: join(dir, file) });
  const runs: RunResult[] = [];
  for (const { sweep, cell, path } of candidates) {
    try {
      const metrics = JSON.parse(await Deno.readTextFile(path));
      if (!metrics.image_auroc || !metrics.pixel_auroc || !metrics.category) continue;
      if (runs.some((r) => r.traits.category === metrics.category)) continue;
      const traits = { ...runTraits(metrics), step: null, reference: true, differs: [] };
      runs.push({ sweep, cell, dir: path, metrics, traits, logPath: null });
    } catch {
      // not a metrics record (or a category still running)
    }
  }
  return runs.length > 0 ? { method: "authors' weights, our inspection", runs } : null;
}

/** Resolution of JPEG figures: 150 dpi (about 2 JPEG pixels per SVG pixel). */
export const JPEG_DPI = 150;

/**
 * Render a figure to JPEG (white background, quality 85), for figures made of photographs.
 *
 * @param figure the figure
 * @param dpi resolution (the SVG is taken as 72 dpi). Default {@linkcode JPEG_DPI}.
 * @returns JPEG bytes
 */
export async function toJpeg(figure: Figure, dpi = JPEG_DPI): Promise<Uint8Array> {
  const buffer = await sharp(new TextEncoder().encode(figure.svg), { density: dpi })
    .flatten({ background: "#ffffff" })
    .jpeg({ quality: 85, mozjpeg: true })
    .toBuffer();
  return new Uint8Array(buffer);
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
 * Save an outcome's figure (`.svg` + `.png`, or `.jpg` for photographic ones) and markdown
 * (`.md`) into a folder.
 *
 * @param outcome the outcome
 * @param dir the folder. Default `results/figures`.
 * @returns the files written
 */
export async function saveOutcome(outcome: FigureOutcome, dir: string = FIGURES_DIR): Promise<SavedOutcome> {
  const files: string[] = [];
  if (outcome.figure && outcome.format === "jpg") {
    await Deno.mkdir(dir, { recursive: true });
    const path = join(dir, `${outcome.name}.jpg`);
    await Deno.writeFile(path, await toJpeg(outcome.figure));
    files.push(path);
  } else if (outcome.figure) {
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
