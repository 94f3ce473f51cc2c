/**
 * Loading committed results: a sweep folder `results/<sweep>/` holds `table.csv` and
 * `table.md` (written by `deno task ablate`) and one run folder per cell with the run's
 * `metrics.json` (and, when committed, its `train_log.jsonl`). Every reader tolerates what is
 * missing: a sweep without a table, a table without runs, no results at all.
 *
 * @module
 */

import { join, relative } from "node:path";
import { DEFAULT_CONFIG, type LossSwitches, type RunConfig } from "../../config.ts";
import type { MetricsRecord } from "../../inspect/report.ts";
import { type CsvTable, parseCsv } from "./csv.ts";
import { RESULTS_DIR } from "./paths.ts";

/**
 * Loss logs of a run folder, in order of preference: the full log `train` writes, then the
 * thinned copy `deno task ablate` commits.
 */
export const LOG_FILES: readonly string[] = ["train_log.jsonl", "loss_curve.jsonl"];

/** Folders of `results/` that are not sweeps (`table1`: the authors' checkpoints, see referenceWeightsMethod). */
const NOT_SWEEPS = new Set(["figures", "bench", "table1"]);

/** What a run was: its category and the settings the ablations vary, read from its metrics. */
export interface RunTraits {
  /** MVTec AD class (or synthetic category). */
  category: string;
  /** Encoder family: "hier" or "flat". */
  encoder: string;
  /** Patch size K of the top level. */
  patchSize: number;
  /** Embedding dimension D. */
  embeddingDim: number;
  /** Weight of L_SVDD'. */
  lambda: number;
  /** Active loss terms. */
  losses: LossSwitches;
  /** The loss combination as the paper names it, e.g. `"L_SVDD' + L_SSL"`. */
  lossName: string;
  /** Seed. */
  seed: number;
  /** Training steps, when recorded. */
  step: number | null;
  /** The settings the ablations vary that differ from the reference's (empty for a reference run). */
  differs: AblationAxis[];
  /** True when every setting the ablations vary is the reference's (`differs` is empty). */
  reference: boolean;
}

/** Settings an ablation varies, compared with the reference to tell what a run is. */
export type AblationAxis =
  | "encoder"
  | "patchSize"
  | "embeddingDim"
  | "lambda"
  | "losses"
  | "classifierHead"
  | "sampling";

/** One evaluated run of a sweep. */
export interface RunResult {
  /** Sweep name (folder under `results/`). */
  sweep: string;
  /** Cell name: the run folder relative to `results/<sweep>/runs/`. */
  cell: string;
  /** The run folder. */
  dir: string;
  /** Contents of its `metrics.json`. */
  metrics: MetricsRecord;
  /** What the run was. */
  traits: RunTraits;
  /** Path of its loss log (`train_log.jsonl` or the committed `loss_curve.jsonl`), when there is one. */
  logPath: string | null;
}

/** A sweep folder as found on disk. */
export interface Sweep {
  /** Folder name under `results/`. */
  name: string;
  /** The folder. */
  dir: string;
  /** `table.csv`, parsed, or null when there is none. */
  table: CsvTable | null;
  /** `table.md`, or null when there is none. */
  markdown: string | null;
  /** Every `runs/**\/metrics.json`, sorted by cell. */
  runs: RunResult[];
}

/**
 * The paper's name of a loss combination.
 *
 * @param losses the active loss terms
 * @returns e.g. `"L_SVDD"`, `"L_SVDD'"`, `"L_SVDD' + L_SSL"`, `"L_SSL"`
 * @example
 * ```ts
 * import { lossName } from "./results.ts";
 * lossName({ svdd: false, svddPrime: true, ssl: true }); // "L_SVDD' + L_SSL"
 * ```
 */
export function lossName(losses: LossSwitches): string {
  const parts = [losses.svdd && "L_SVDD", losses.svddPrime && "L_SVDD'", losses.ssl && "L_SSL"].filter(Boolean);
  return parts.length > 0 ? parts.join(" + ") : "none";
}

/**
 * Read the traits of a run from its metrics record (`config` as `eval` writes it: the run
 * configuration plus `data`, `backend`, `step`); missing settings are taken as the defaults.
 *
 * @param metrics the run's metrics
 * @returns its traits
 * @example
 * ```ts
 * import { runTraits } from "./results.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 * const t = runTraits({ category: "bottle", config: {} } as never);
 * ok(t.reference);
 * strictEqual(t.lossName, "L_SVDD' + L_SSL");
 * ```
 */
export function runTraits(metrics: MetricsRecord): RunTraits {
  const config = (metrics.config ?? {}) as Partial<RunConfig> & { step?: number };
  const d = DEFAULT_CONFIG.train;
  const t = { ...d, ...(config.train ?? {}) };
  const losses = { ...d.losses, ...(config.train?.losses ?? {}) };
  const same: Record<AblationAxis, boolean> = {
    encoder: t.encoder === d.encoder,
    patchSize: t.patchSize === d.patchSize,
    embeddingDim: t.embeddingDim === d.embeddingDim,
    lambda: t.lambda === d.lambda,
    losses: losses.svdd === d.losses.svdd && losses.svddPrime === d.losses.svddPrime && losses.ssl === d.losses.ssl,
    classifierHead: t.classifierHead === d.classifierHead,
    sampling: t.sampling === d.sampling,
  };
  const differs = (Object.keys(same) as AblationAxis[]).filter((axis) => !same[axis]);
  return {
    category: metrics.category,
    encoder: t.encoder,
    patchSize: t.patchSize,
    embeddingDim: t.embeddingDim,
    lambda: t.lambda,
    losses,
    lossName: lossName(losses),
    seed: t.seed,
    step: typeof config.step === "number" ? config.step : null,
    differs,
    reference: differs.length === 0,
  };
}

async function readTextOrNull(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

/** Every folder under `dir` (itself included, depth <= maxDepth) that holds a metrics.json. */
async function metricsFolders(dir: string, maxDepth: number): Promise<string[]> {
  if (!(await isDirectory(dir))) return [];
  const found: string[] = [];
  const entries: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry);
  if (entries.some((e) => e.isFile && e.name === "metrics.json")) found.push(dir);
  if (maxDepth > 0) {
    for (const e of entries.filter((e) => e.isDirectory).sort((a, b) => a.name.localeCompare(b.name))) {
      found.push(...await metricsFolders(join(dir, e.name), maxDepth - 1));
    }
  }
  return found;
}

/**
 * Read one run folder: its `metrics.json` and whether it has a `train_log.jsonl`.
 *
 * @param dir the run folder
 * @param sweep sweep name to record
 * @param cell cell name to record (default the folder name)
 * @returns the run, or null when the folder has no metrics.json
 * @throws {SyntaxError} when metrics.json is not valid JSON (the message names the file)
 */
export async function readRun(dir: string, sweep = "", cell?: string): Promise<RunResult | null> {
  const text = await readTextOrNull(join(dir, "metrics.json"));
  if (text === null) return null;
  let metrics: MetricsRecord;
  try {
    metrics = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`Expected JSON in ${join(dir, "metrics.json")} but found: ${(e as Error).message}`);
  }
  let logPath: string | null = null;
  for (const name of LOG_FILES) {
    if ((await readTextOrNull(join(dir, name)))?.trim()) {
      logPath = join(dir, name);
      break;
    }
  }
  return {
    sweep,
    cell: cell ?? dir.split("/").filter(Boolean).pop() ?? dir,
    dir,
    metrics,
    traits: runTraits(metrics),
    logPath,
  };
}

/**
 * Read a sweep folder: its table (if any) and every run under `runs/` (up to three levels deep).
 *
 * @param dir the sweep folder, e.g. `results/losses_100steps`
 * @returns the sweep (empty lists where nothing is there)
 */
export async function readSweep(dir: string): Promise<Sweep> {
  const name = dir.split("/").filter(Boolean).pop() ?? dir;
  const csv = await readTextOrNull(join(dir, "table.csv"));
  const runsDir = join(dir, "runs");
  const runs: RunResult[] = [];
  for (const folder of await metricsFolders(runsDir, 3)) {
    const run = await readRun(folder, name, relative(runsDir, folder) || name);
    if (run) runs.push(run);
  }
  return {
    name,
    dir,
    table: csv === null ? null : parseCsv(csv),
    markdown: await readTextOrNull(join(dir, "table.md")),
    runs,
  };
}

/**
 * Every sweep under a results folder: each subfolder (except `figures` and `bench`) holding a
 * `table.csv`, a `table.md` or a `runs/` folder.
 *
 * @param resultsDir the results folder. Default `<root>/results`.
 * @returns the sweeps, sorted by name (none when the folder does not exist)
 */
export async function listSweeps(resultsDir: string = RESULTS_DIR): Promise<Sweep[]> {
  if (!(await isDirectory(resultsDir))) return [];
  const names: string[] = [];
  for await (const e of Deno.readDir(resultsDir)) if (e.isDirectory && !NOT_SWEEPS.has(e.name)) names.push(e.name);
  const sweeps: Sweep[] = [];
  for (const name of names.sort()) {
    const sweep = await readSweep(join(resultsDir, name));
    if (sweep.table || sweep.markdown || sweep.runs.length > 0) sweeps.push(sweep);
  }
  return sweeps;
}

/** The ablations and tables the notebooks and figures look for. */
export type SweepKind = "losses" | "hierarchy" | "lambda" | "categories";

/** How each kind's sweep folder is recognised by name. */
export const SWEEP_PATTERNS: Readonly<Record<SweepKind, RegExp>> = {
  losses: /loss/i,
  hierarchy: /hier/i,
  lambda: /lambda/i,
  categories: /categor|table|mvtec|paper|main|full/i,
};

/**
 * A sweep's training budget in steps: the `budget: N steps` line of its `table.md`, else a trailing
 * number in its folder name (`losses_2400`, `lambda_100steps`).
 *
 * @param sweep the sweep
 * @returns the steps, or null when neither says (e.g. an epoch budget)
 * @example
 * ```ts
 * import { sweepSteps } from "./results.ts";
 * sweepSteps({ name: "losses_100steps", dir: "", table: null, markdown: null, runs: [] }); // 100
 * ```
 */
export function sweepSteps(sweep: Sweep): number | null {
  const fromTable = sweep.markdown?.match(/budget: (\d+) steps/)?.[1];
  const fromName = sweep.name.match(/_(\d+)(?:steps)?$/)?.[1];
  const text = fromTable ?? fromName;
  return text === undefined ? null : Number(text);
}

/**
 * Whether a sweep has a finished trained cell: a row of its `table.csv` with n > 0 that is not the
 * untrained encoder's, or (without a table) a run folder with metrics.
 *
 * @param sweep the sweep
 * @returns true when there is something of the method to draw
 */
export function hasTrainedResults(sweep: Sweep): boolean {
  if (!sweep.table) return sweep.runs.length > 0;
  return sweep.table.rows.some((r) => Number(r.n) > 0 && r.training !== "untrained");
}

/**
 * Every sweep of a kind (folder name matching {@linkcode SWEEP_PATTERNS}), the longest step budget
 * first (`losses_2400` before `losses_100steps`), sweeps of unknown budget last; at equal budgets a
 * name holding the kind's whole word first (`hierarchy_2400` before its side check
 * `hier32_crops_2400`), then by name.
 *
 * @param sweeps the sweeps found
 * @param kind which ablation or table
 * @returns the matching sweeps in order of preference
 */
export function findSweeps(sweeps: Sweep[], kind: SweepKind): Sweep[] {
  const steps = (s: Sweep) => sweepSteps(s) ?? -1;
  const notNamedAfterKind = (s: Sweep) => s.name.toLowerCase().includes(kind) ? 0 : 1;
  return sweeps.filter((s) => SWEEP_PATTERNS[kind].test(s.name))
    .sort((a, b) => steps(b) - steps(a) || notNamedAfterKind(a) - notNamedAfterKind(b) || a.name.localeCompare(b.name));
}

/**
 * The sweep of a kind to show: of {@linkcode findSweeps}, the first with a finished trained cell
 * ({@linkcode hasTrainedResults}), so a 2400-step sweep is preferred over a 100-step one once it
 * has results; else the first match.
 *
 * @param sweeps the sweeps found
 * @param kind which ablation or table
 * @returns the sweep, or null when none matches
 * @example
 * ```ts
 * import { findSweep } from "./results.ts";
 * findSweep([{ name: "lambda", dir: "", table: null, markdown: null, runs: [] }], "lambda")?.name; // "lambda"
 * ```
 */
export function findSweep(sweeps: Sweep[], kind: SweepKind): Sweep | null {
  const found = findSweeps(sweeps, kind);
  return found.find(hasTrainedResults) ?? found[0] ?? null;
}

/**
 * For a notebook that wants one sweep (e.g. `losses_2400`): null when {@linkcode findSweep} shows
 * it, else a Markdown line saying it is not run yet (or has no finished trained cell) and what is
 * shown instead, with that sweep's budget.
 *
 * @param sweeps the sweeps found
 * @param kind which ablation
 * @param wanted the wanted sweep's folder name
 * @returns the notice, or null
 * @example
 * ```ts
 * import { sweepNotice } from "./results.ts";
 * sweepNotice([], "losses", "losses_2400")?.startsWith("**`results/losses_2400/` is not run yet**"); // true
 * ```
 */
export function sweepNotice(sweeps: Sweep[], kind: SweepKind, wanted: string): string | null {
  const shown = findSweep(sweeps, kind);
  if (shown?.name === wanted) return null;
  const target = sweeps.find((s) => s.name === wanted);
  const state = target ? "has no finished trained cell yet" : "is not run yet";
  if (!shown) return `**\`results/${wanted}/\` ${state}**, and no other ${kind} sweep is committed.`;
  const steps = sweepSteps(shown);
  return `**\`results/${wanted}/\` ${state}**: shown instead, \`results/${shown.name}/\`` +
    `${steps === null ? "" : ` (${steps} steps per cell)`}, labelled as such.`;
}

/**
 * Every run of every sweep, in one list, a cell copied into several sweeps (same hash) once.
 *
 * @param sweeps the sweeps
 * @returns their runs
 */
export function allRuns(sweeps: Sweep[]): RunResult[] {
  // A cell shared by several sweeps (same hash suffix: the same experiment, copied) counts once.
  const seen = new Set<string>();
  return sweeps.flatMap((s) => s.runs).filter((r) => {
    const hash = r.cell.match(/-([0-9a-f]{8})$/)?.[1];
    if (hash === undefined) return true;
    if (seen.has(hash)) return false;
    seen.add(hash);
    return true;
  });
}

// The tolerant JSON-lines readers live in src/util/ (eval's run report reads the loss log too).
export { readJsonLines, readLossLog } from "../../util/json_lines.ts";
