/**
 * Running a sweep: every cell of a shard through {@linkcode runTrainJob} and
 * {@linkcode runEvalJob} into `results/<sweep>/runs/<cell-id>/`, resumable at any point
 * (a cell with `metrics.json` is finished and skipped; one killed mid-training resumes from
 * its checkpoint), then the tables rebuilt from whatever run folders exist.
 *
 * A cell's folder is an ordinary run folder (config.json, checkpoint.safetensors,
 * train_log.jsonl, train_summary.json, metrics.json) plus `cell.json` (axis values, id,
 * resolved config, status, timings) and `loss_curve.jsonl` (the loss log thinned to at most
 * {@linkcode LOSS_CURVE_POINTS} rows). `results/<sweep>/.gitignore` keeps the bulky or
 * regenerable files (checkpoints, overlays, the full loss log, synthetic data) out of git.
 *
 * @module
 */

import { type BackendName, selectBackend } from "../../backend/select.ts";
import type { MatmulPrecision } from "../../backend/native.ts";
import { generateSynthetic } from "../../data/synthetic.ts";
import { TrainingError, UserError } from "../../errors.ts";
import { runEvalJob } from "../../jobs/eval_job.ts";
import { RUN_FILES, runTrainJob } from "../../jobs/train_job.ts";
import { CHECKPOINT_FILE, readCheckpoint } from "../../train/checkpoint.ts";
import { LOSS_LOG_FILE } from "../../train/loop.ts";
import type { WarningSink } from "../../train/observer.ts";
import { writeJsonAtomic } from "../../util/atomic.ts";
import { exists } from "../../util/exists.ts";
import { gitCommit } from "../../util/git_commit.ts";
import { type Cell, type DataIdentity, expandGrid, type Shard, shardCells, sweepCategories } from "./grid.ts";
import { type Budget, loadSweep, type Sweep } from "./schema.ts";
import { buildTable, type CellMetrics, tableCsv, tableMarkdown } from "./table.ts";

/** File names a sweep writes. */
export const SWEEP_FILES = {
  /** Per cell: axis values, id, resolved config, status and timings. */
  cell: "cell.json",
  /** Per cell: the loss log thinned for committing. */
  lossCurve: "loss_curve.jsonl",
  /** Per sweep. */
  csv: "table.csv",
  /** Per sweep. */
  markdown: "table.md",
} as const;

/** Most rows kept in `loss_curve.jsonl`. */
export const LOSS_CURVE_POINTS = 200;

/** What `results/<sweep>/.gitignore` says. */
export const RESULTS_GITIGNORE = `# Written by \`deno task ablate\`: bulky or regenerable files stay out of git.
# Kept: table.csv, table.md, and per cell config.json, cell.json, metrics.json,
# train_summary.json and loss_curve.jsonl (the loss log, thinned).
data/
runs/*/${CHECKPOINT_FILE}
runs/*/overlays/
runs/*/${LOSS_LOG_FILE}
*.tmp-*
`;

/** `cell.json`. */
export interface CellRecord {
  /** Cell id (the folder's name). */
  id: string;
  /** Position in the expanded grid. */
  index: number;
  /** Sweep file. */
  sweep: string;
  /** Axis values, seed and category. */
  axes: Record<string, number | string>;
  /** Seed. */
  seed: number;
  /** Category. */
  category: string;
  /** Training budget. */
  budget: Budget;
  /** The dataset identity the id was computed from. */
  data: DataIdentity;
  /** Dataset root used. */
  data_root: string;
  /** Full resolved configuration. */
  config: Cell["config"];
  /** running (or killed), finished, or failed (training diverged, or collapsed with `stopOnCollapse`). */
  status: "running" | "finished" | "failed";
  /** How the last invocation started: fresh, resumed from a checkpoint, or evaluation only. */
  mode: "fresh" | "resume" | "eval";
  /** Error message of a failed cell. */
  error?: string;
  /** Backend of the last invocation. */
  backend: string;
  /** Arithmetic of the native convolutions and matmuls (the sweep's). */
  precision: MatmulPrecision;
  /** Git commit of the kit at the last invocation. */
  commit: string;
  /** Seconds of the last invocation: train, eval, total. */
  timing_s: Record<string, number>;
  /** ISO time the last invocation started. */
  started_at: string;
  /** ISO time the cell finished or failed. */
  finished_at?: string;
  /** Run folder this cell was copied from: an identical cell (same hash) of another sweep. */
  reused_from?: string;
}

/** Options of {@linkcode runSweep}. */
export interface SweepRunOptions {
  /** Sweep file path. */
  file: string;
  /** `--data`: dataset root, overriding the file's `data`. */
  data?: string;
  /** Parent of the sweep's results folder. Default "results". */
  results?: string;
  /** Only this shard's cells. */
  shard?: Shard;
  /** List the cells and their ids; run nothing. */
  dryRun?: boolean;
  /** Only rebuild the tables from existing run folders. */
  mergeOnly?: boolean;
  /** Backend, overriding the file's. */
  backend?: BackendName;
  /** Retry cells whose training failed (default: skip them). */
  retryFailed?: boolean;
  /** Where progress lines go. Default console.log. */
  log?: (line: string) => void;
  /**
   * The line recorded (cell.json `error`) and printed for a cell whose training failed. Default: the
   * error's message; the command line adds its advice (src/cli/advice.ts).
   */
  describeFailure?: (error: TrainingError) => string;
  /** Where the cells' training warnings go. Default: stderr, prefixed with `warning: `. */
  onWarning?: WarningSink;
}

/** Outcome of {@linkcode runSweep}. */
export interface SweepRunResult {
  /** The sweep's results folder. */
  outDir: string;
  /** The full grid. */
  cells: Cell[];
  /** Ids run to completion by this invocation. */
  ran: string[];
  /** Ids skipped as already finished. */
  skipped: string[];
  /** Ids whose training failed: diverged, or collapsed and stopped (this invocation or before). */
  failed: string[];
  /** Cells finished in total (all shards). */
  finished: number;
}

/** The dataset of a sweep: where it lies and its identity for cell ids. */
interface ResolvedData {
  root: string | undefined;
  identity: DataIdentity;
}

function resolveData(sweep: Sweep, flag: string | undefined, outDir: string): ResolvedData {
  if (flag !== undefined) {
    if (!sweep.categories) {
      throw new UserError(
        `${sweep.file}: categories: missing; --data replaces the synthetic dataset, so list categories`,
      );
    }
    return { root: flag, identity: { kind: "folder" } };
  }
  if (sweep.data === "synthetic") {
    return { root: `${outDir}/data`, identity: { kind: "synthetic", spec: sweep.synthetic! } };
  }
  return { root: sweep.data ?? Deno.env.get("MVTEC_ROOT"), identity: { kind: "folder" } };
}

/**
 * Run (or list, or merge) a sweep.
 *
 * @param opts the sweep file, shard and mode
 * @returns what ran, what was skipped, and the grid
 * @throws {UserError} for a bad sweep file, a missing dataset, or a cell that fails for
 *   another reason than divergence (the sweep stops; rerunning resumes)
 */
export async function runSweep(opts: SweepRunOptions): Promise<SweepRunResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const sweep = await loadSweep(opts.file);
  const outDir = `${opts.results ?? "results"}/${sweep.name}`;
  const data = resolveData(sweep, opts.data, outDir);
  const cells = expandGrid(sweep, data.identity);
  const mine = shardCells(cells, opts.shard);
  const result: SweepRunResult = { outDir, cells, ran: [], skipped: [], failed: [], finished: 0 };
  const runDir = (c: Cell) => `${outDir}/runs/${c.id}`;

  if (opts.dryRun) {
    const shardNote = opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.count})` : "";
    log(`${sweep.file}: ${cells.length} cells, ${mine.length} to run here${shardNote}, results in ${outDir}`);
    for (const c of mine) {
      const state = await cellState(runDir(c));
      log(`${String(c.index).padStart(4)}  ${c.id}  ${state}`);
    }
    return result;
  }
  if (opts.mergeOnly) {
    await mergeSweep(sweep, cells, outDir, result);
    return result;
  }

  const todo: Cell[] = [];
  for (const c of mine) {
    const state = await cellState(runDir(c));
    if (state === "finished") {
      result.skipped.push(c.id);
      await markFinished(runDir(c));
    } else if (state === "failed" && !opts.retryFailed) result.failed.push(c.id);
    else todo.push(c);
  }
  log(
    `${sweep.file}: ${cells.length} cells; ${mine.length} in this shard: ${result.skipped.length} finished, ` +
      `${result.failed.length} failed before, ${todo.length} to run; results in ${outDir}`,
  );
  await Deno.mkdir(`${outDir}/runs`, { recursive: true });
  await Deno.writeTextFile(`${outDir}/.gitignore`, RESULTS_GITIGNORE);
  if (todo.length > 0) {
    if (!data.root) {
      throw new UserError(
        `${sweep.file}: no dataset root: pass --data ROOT, set MVTEC_ROOT, or set "data" in the file`,
      );
    }
    if (data.identity.kind === "synthetic") {
      await generateSyntheticData(data.root, data.identity.spec, sweepCategories(sweep));
    }
    const backend = await selectBackend(opts.backend ?? sweep.backend, { precision: sweep.precision });
    log(`backend: ${backend.note}`);
    const commit = await gitCommit();
    for (const [i, cell] of todo.entries()) {
      const twin = (await cellState(runDir(cell))) === "new"
        ? await findTwin(opts.results ?? "results", sweep.name, cell)
        : null;
      if (twin) {
        await reuseTwin(twin, runDir(cell), cell, sweep.file);
        log(`[${i + 1}/${todo.length}] ${cell.id}  reused from ${twin} (identical configuration, budget and data)`);
        result.ran.push(cell.id);
        continue;
      }
      const line = await runCell(cell, runDir(cell), {
        sweep,
        data,
        backend: backend.name as BackendName,
        commit,
        describeFailure: opts.describeFailure,
        onWarning: opts.onWarning,
      });
      log(`[${i + 1}/${todo.length}] ${cell.id}  ${line.text}`);
      (line.failed ? result.failed : result.ran).push(cell.id);
    }
  }
  await mergeSweep(sweep, cells, outDir, result);
  log(
    `tables: ${outDir}/${SWEEP_FILES.markdown}, ${outDir}/${SWEEP_FILES.csv} (${result.finished} of ${cells.length} cells finished)`,
  );
  return result;
}

/** State of a cell's folder: finished (metrics.json), failed (diverged or stopped collapsed), partial, or new. */
async function cellState(dir: string): Promise<"finished" | "failed" | "partial" | "new"> {
  if (await exists(`${dir}/${RUN_FILES.metrics}`)) return "finished";
  const record = await readJson<CellRecord>(`${dir}/${SWEEP_FILES.cell}`);
  if (record?.status === "failed") return "failed";
  return (await exists(dir)) ? "partial" : "new";
}

/**
 * A finished run folder of another sweep with the same hash as `cell`: the same resolved
 * configuration, category, budget and dataset, so the same experiment. Sweeps share their
 * common cells this way (the losses sweep's default cell is the hierarchy sweep's hier-64 cell).
 */
async function findTwin(resultsRoot: string, sweepName: string, cell: Cell): Promise<string | null> {
  const suffix = `-${cell.hash}`;
  try {
    for await (const sweepDir of Deno.readDir(resultsRoot)) {
      if (!sweepDir.isDirectory || sweepDir.name === sweepName) continue;
      const runs = `${resultsRoot}/${sweepDir.name}/runs`;
      if (!(await exists(runs))) continue;
      for await (const run of Deno.readDir(runs)) {
        if (!run.isDirectory || !run.name.endsWith(suffix)) continue;
        if (await cellState(`${runs}/${run.name}`) === "finished") return `${runs}/${run.name}`;
      }
    }
  } catch {
    return null;
  }
  return null;
}

/** Copy a twin's run folder into `dir` (files only; overlays are regenerable) and record where it came from. */
async function reuseTwin(twin: string, dir: string, cell: Cell, sweepFile: string): Promise<void> {
  const tmp = `${dir}.tmp-reuse`;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(tmp, { recursive: true });
  for await (const f of Deno.readDir(twin)) {
    if (f.isFile && !f.name.includes(".tmp-")) await Deno.copyFile(`${twin}/${f.name}`, `${tmp}/${f.name}`);
  }
  const record = await readJson<CellRecord>(`${tmp}/${SWEEP_FILES.cell}`);
  if (record) {
    Object.assign(record, {
      id: cell.id,
      index: cell.index,
      sweep: sweepFile,
      axes: { ...cell.axes, seed: cell.seed, category: cell.category },
      reused_from: twin,
    });
    await writeJsonAtomic(`${tmp}/${SWEEP_FILES.cell}`, record);
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.rename(tmp, dir);
}

/** A cell killed between writing metrics.json and updating cell.json is finished: say so in cell.json. */
async function markFinished(dir: string): Promise<void> {
  const record = await readJson<CellRecord>(`${dir}/${SWEEP_FILES.cell}`);
  if (!record || record.status === "finished") return;
  const metricsTime = (await Deno.stat(`${dir}/${RUN_FILES.metrics}`)).mtime;
  record.status = "finished";
  record.finished_at = (metricsTime ?? new Date()).toISOString();
  await writeJsonAtomic(`${dir}/${SWEEP_FILES.cell}`, record);
}

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch {
    return null;
  }
}

/** Generate the sweep's synthetic categories (idempotent; tolerant of a concurrent shard doing the same). */
async function generateSyntheticData(root: string, spec: NonNullable<Sweep["synthetic"]>, categories: string[]) {
  for (const kind of spec.kinds) {
    if (!categories.includes(`synthetic_${kind}`)) continue;
    const opts = {
      kind,
      size: spec.size,
      numTrain: spec.numTrain,
      numTestGood: spec.numTestGood,
      numTestDefect: spec.numTestDefect,
      grayscale: spec.grayscale,
      seed: spec.seed,
    };
    try {
      await generateSynthetic(root, opts);
    } catch {
      await generateSynthetic(root, opts); // another shard renamed its copy into place first: now ours matches
    }
  }
}

/** Run one cell: train (fresh, or resumed from its checkpoint) unless trained, then evaluate. */
async function runCell(
  cell: Cell,
  dir: string,
  ctx: {
    sweep: Sweep;
    data: ResolvedData;
    backend: BackendName;
    commit: string;
    describeFailure?: (error: TrainingError) => string;
    onWarning?: WarningSink;
  },
): Promise<{ text: string; failed: boolean }> {
  const t0 = performance.now();
  const trained = (await exists(`${dir}/${RUN_FILES.summary}`)) && (await exists(`${dir}/${CHECKPOINT_FILE}`));
  const resumable = !trained && (await usableCheckpoint(`${dir}/${CHECKPOINT_FILE}`));
  const mode: CellRecord["mode"] = trained ? "eval" : resumable ? "resume" : "fresh";
  await Deno.mkdir(dir, { recursive: true });
  const record: CellRecord = {
    id: cell.id,
    index: cell.index,
    sweep: ctx.sweep.file,
    axes: { ...cell.axes, seed: cell.seed, category: cell.category },
    seed: cell.seed,
    category: cell.category,
    budget: cell.budget,
    data: ctx.data.identity,
    data_root: ctx.data.root!,
    config: cell.config,
    status: "running",
    mode,
    backend: ctx.backend,
    precision: ctx.sweep.precision,
    commit: ctx.commit,
    timing_s: {},
    started_at: new Date().toISOString(),
  };
  await writeJsonAtomic(`${dir}/${SWEEP_FILES.cell}`, record);
  let trainNote = "already trained";
  if (mode !== "eval") {
    try {
      const summary = await runTrainJob({
        data: ctx.data.root!,
        category: cell.category,
        out: dir,
        config: cell.config,
        ...cell.budget,
        resume: mode === "resume",
        force: mode === "fresh",
        backend: ctx.backend,
        precision: ctx.sweep.precision,
        stopOnCollapse: ctx.sweep.stopOnCollapse,
        quiet: true,
        onWarning: ctx.onWarning,
      });
      trainNote = `${mode === "resume" ? "resumed to" : "trained"} ${summary.steps} steps`;
    } catch (e) {
      if (!(e instanceof TrainingError)) throw e;
      record.status = "failed";
      const line = ctx.describeFailure?.(e) ?? e.message;
      record.error = line;
      record.finished_at = new Date().toISOString();
      record.timing_s = { total: (performance.now() - t0) / 1000 };
      await writeJsonAtomic(`${dir}/${SWEEP_FILES.cell}`, record);
      return { text: `FAILED: ${line}`, failed: true };
    }
  }
  await writeLossCurve(dir);
  const t1 = performance.now();
  const m = await runEvalJob({
    run: dir,
    data: ctx.data.root,
    category: cell.category,
    backend: ctx.backend,
    precision: ctx.sweep.precision,
    overlays: ctx.sweep.overlays,
    quiet: true,
  });
  const t2 = performance.now();
  record.status = "finished";
  record.finished_at = new Date().toISOString();
  record.timing_s = { train: (t1 - t0) / 1000, eval: (t2 - t1) / 1000, total: (t2 - t0) / 1000 };
  await writeJsonAtomic(`${dir}/${SWEEP_FILES.cell}`, record);
  const s = (x: number) => x.toFixed(1);
  return {
    text: `${trainNote} (${s(record.timing_s.train)} s), eval ${s(record.timing_s.eval)} s: ` +
      `det ${m.image_auroc[m.main].toFixed(3)} seg ${m.pixel_auroc?.[m.main].toFixed(3)} (${m.main})`,
    failed: false,
  };
}

async function usableCheckpoint(path: string): Promise<boolean> {
  if (!(await exists(path))) return false;
  try {
    await readCheckpoint(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Thin a loss log to at most `points` rows, evenly spaced, always keeping the last.
 *
 * @param lines the log's JSON lines (one per step)
 * @param points most rows kept
 * @returns the kept lines
 * @example
 * ```ts
 * import { thinLog } from "./run.ts";
 * const lines = Array.from({ length: 1000 }, (_, i) => `{"step":${i + 1}}`);
 * const kept = thinLog(lines, 200);
 * if (kept.length > 200 || kept[kept.length - 1] !== '{"step":1000}') throw new Error();
 * ```
 */
export function thinLog(lines: string[], points = LOSS_CURVE_POINTS): string[] {
  if (lines.length <= points) return lines;
  const every = Math.ceil(lines.length / points);
  const kept = lines.filter((_, i) => (i + 1) % every === 0);
  if (kept[kept.length - 1] !== lines[lines.length - 1]) kept[kept.length - 1] = lines[lines.length - 1];
  return kept;
}

async function writeLossCurve(dir: string): Promise<void> {
  let text = "";
  try {
    text = await Deno.readTextFile(`${dir}/${LOSS_LOG_FILE}`);
  } catch {
    return;
  }
  const kept = thinLog(text.split("\n").filter(Boolean));
  const path = `${dir}/${SWEEP_FILES.lossCurve}`;
  await Deno.writeTextFile(`${path}.tmp-${Deno.pid}`, kept.map((l) => l + "\n").join(""));
  await Deno.rename(`${path}.tmp-${Deno.pid}`, path);
}

function budgetWords(b: Budget): string {
  const parts = [
    b.steps !== undefined ? `${b.steps} steps` : "",
    b.epochs !== undefined ? `${b.epochs} epochs` : "",
    b.maxMinutes !== undefined ? `${b.maxMinutes} minutes` : "",
  ].filter(Boolean);
  return parts.join(" or ") + (parts.length > 1 ? ", whichever ends first" : "");
}

/**
 * Rebuild `table.csv` and `table.md` from the run folders that exist (finished cells of the
 * current grid; folders of other configurations are listed as ignored).
 *
 * @param sweep the sweep
 * @param cells its full grid
 * @param outDir `results/<sweep>`
 * @param result filled in: finished count and failed ids
 */
export async function mergeSweep(sweep: Sweep, cells: Cell[], outDir: string, result: SweepRunResult): Promise<void> {
  const metrics = new Map<string, CellMetrics>();
  const failed = new Set(result.failed);
  for (const c of cells) {
    const m = await readJson<CellMetrics>(`${outDir}/runs/${c.id}/${RUN_FILES.metrics}`);
    if (m) metrics.set(c.id, m);
    else if ((await readJson<CellRecord>(`${outDir}/runs/${c.id}/${SWEEP_FILES.cell}`))?.status === "failed") {
      failed.add(c.id);
    }
  }
  const ids = new Set(cells.map((c) => c.id));
  const stale: string[] = [];
  try {
    for await (const e of Deno.readDir(`${outDir}/runs`)) if (e.isDirectory && !ids.has(e.name)) stale.push(e.name);
  } catch {
    // no runs yet
  }
  stale.sort();
  const categories = sweepCategories(sweep);
  const axisNames = sweep.axes.map((a) => a.name);
  const rows = buildTable(cells, metrics, sweep.maps, categories);
  await Deno.mkdir(outDir, { recursive: true });
  await writeTextAtomic(`${outDir}/${SWEEP_FILES.csv}`, tableCsv(rows, axisNames));
  await writeTextAtomic(
    `${outDir}/${SWEEP_FILES.markdown}`,
    tableMarkdown(rows, axisNames, {
      name: sweep.name,
      file: sweep.file,
      description: sweep.description,
      budget: budgetWords(sweep.budget),
      seeds: sweep.seeds,
      categories,
      finished: metrics.size,
      total: cells.length,
      failed: [...failed],
      stale,
    }),
  );
  result.finished = metrics.size;
  result.failed = [...failed];
}

async function writeTextAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, text);
  await Deno.rename(tmp, path);
}
