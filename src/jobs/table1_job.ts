/**
 * A Table 1 job: the authors' published checkpoints (`WEIGHTS/<category>/enchier.pkl`), each
 * imported ({@linkcode runImportJob}) and evaluated by our inspection ({@linkcode runEvalJob},
 * exact search by default), into `OUT/<category>/` (a run folder with `metrics.json` and
 * `report.html`, plus `table1.json`), then
 * `OUT/table.md`, `OUT/table.csv` and `OUT/table.svg`/`.png` with the paper's numbers beside ours.
 *
 * Resumable like a sweep: a category whose `table1.json` and `metrics.json` exist for the same
 * checkpoint (same SHA-256) and search is not redone. Every checkpoint to run is read and
 * checked before anything is written, so a bad one stops the job with nothing written.
 *
 * @module
 */

import { join } from "node:path";
import { type BackendName, selectBackend } from "../backend/mod.ts";
import { hostInfo, loadAverage } from "../lab/bench/host.ts";
import { writeJsonAtomic } from "../util/atomic.ts";
import { exists } from "../util/exists.ts";
import { UserError } from "../errors.ts";
import { importReferenceEncoder } from "../model/reference_weights.ts";
import { aurocTable } from "../lab/plot/auroc_table.ts";
import { PAPER_TABLE1 } from "../lab/plot/paper.ts";
import type { MetricsRecord } from "../inspect/report.ts";
import { runEvalJob } from "./eval_job.ts";
import { runImportJob, sha256Hex } from "./import_job.ts";
import { RUN_FILES } from "./train_job.ts";
import {
  skippedLine,
  table1AurocRows,
  table1Csv,
  table1Markdown,
  type Table1Row,
  type Table1Skipped,
} from "./table1_table.ts";

/** The checkpoint file of each category, as the reference repository ships it. */
export const TABLE1_CHECKPOINT = "enchier.pkl";

/** Files a Table 1 job writes. */
export const TABLE1_FILES = {
  /** Per category: checkpoint hash, search, wall time, machine. */
  record: "table1.json",
  /** The table. */
  markdown: "table.md",
  /** The table as CSV. */
  csv: "table.csv",
  /** The figure's file stem (`.svg` and `.png`). */
  figure: "table",
} as const;

/** What `OUT/.gitignore` says: checkpoints and overlays stay out of git. */
export const TABLE1_GITIGNORE =
  `# Written by \`deno task table1\`: the imported checkpoints, overlays and reports stay out of git.
# Kept: table.md, table.csv, table.svg/.png, and per category config.json, metrics.json, table1.json.
*/checkpoint.safetensors
*/overlays/
*/report.html
*.tmp-*
`;

/** The method's name in the figure's legend. */
export const TABLE1_METHOD = "authors' checkpoints, our inspection";

/** What to run. */
export interface Table1Job {
  /** Folder of `<category>/enchier.pkl` (the reference repository's `ckpts/`). */
  weights: string;
  /** MVTec AD root (`<category>/train`, `test`, `ground_truth`). */
  data: string;
  /** Only these categories (default: every category with a checkpoint or data). */
  categories?: string[];
  /** Output folder. Default `runs/table1`. */
  out?: string;
  /** Nearest-neighbour search. Default "exact" (as `deno task eval --nn exact`, the reference's K=64 choice). */
  nn?: "exact" | "hnsw";
  /** Compute backend. Default "auto". */
  backend?: BackendName;
  /** Write overlay PNGs per test image. Default false (the table needs none). */
  overlays?: boolean;
  /** Write `OUT/<category>/report.html` (as `deno task eval` does). Default true. */
  report?: boolean;
  /** Where progress goes. Default stderr. */
  log?: (line: string) => void;
}

/** `OUT/<category>/table1.json`. */
export interface Table1Record {
  /** Category. */
  category: string;
  /** The checkpoint evaluated. */
  checkpoint: string;
  /** Its SHA-256 (a changed file is evaluated again). */
  weights_sha256: string;
  /** Nearest-neighbour search used. */
  nn: string;
  /** Wall seconds: import, evaluation, both. */
  seconds: { import: number; eval: number; total: number };
  /** CPU model, cores, native kernels' ISA, and the 1-minute load average at the start. */
  machine: { cpu_model: string; cores: number; isa: string | null; load_1min: number };
  /** ISO time it finished. */
  finished_at: string;
}

/** What {@linkcode runTable1} did. */
export interface Table1Result {
  /** The output folder. */
  out: string;
  /** Categories evaluated by this invocation. */
  ran: string[];
  /** Categories already finished and not redone. */
  reused: string[];
  /** Categories left out, by reason. */
  skipped: Table1Skipped;
  /** The table's rows. */
  rows: Table1Row[];
  /** Files written (table, csv, figure). */
  files: string[];
}

/** Sub-folders of a folder (empty when it does not exist). */
async function subfolders(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isDirectory) names.push(e.name);
  return names;
}

/**
 * Table order: the paper's (textures, then objects), then any other category alphabetically.
 *
 * @param categories names
 * @returns them sorted
 */
export function table1Order(categories: Iterable<string>): string[] {
  const paper = Object.keys(PAPER_TABLE1).filter((c) => c !== "mean");
  const rank = (c: string) => (paper.includes(c) ? paper.indexOf(c) : paper.length);
  return [...new Set(categories)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Which categories to run and which to skip.
 *
 * @param withCheckpoint categories with `<category>/enchier.pkl` under the weights folder
 * @param withData categories with a folder under the dataset root
 * @param requested `--categories` (default: every category of either list)
 * @returns the categories to run (table order) and the skipped ones by reason
 * @example
 * ```ts
 * import { planTable1 } from "./table1_job.ts";
 * import { strictEqual } from "node:assert/strict";
 * const plan = planTable1(["bottle", "cable", "transistor"], ["transistor", "bottle"]);
 * strictEqual(plan.run.join(), "bottle,transistor");
 * strictEqual(plan.skipped.noData.join(), "cable");
 * ```
 */
export function planTable1(
  withCheckpoint: string[],
  withData: string[],
  requested?: string[],
): { run: string[]; skipped: Table1Skipped } {
  const candidates = table1Order(requested ?? [...withCheckpoint, ...withData]);
  const run: string[] = [], noData: string[] = [], noCheckpoint: string[] = [];
  for (const c of candidates) {
    if (!withCheckpoint.includes(c)) noCheckpoint.push(c);
    else if (!withData.includes(c)) noData.push(c);
    else run.push(c);
  }
  return { run, skipped: { noData, noCheckpoint } };
}

/**
 * A category folder's record and row, or null when it is not finished (no `table1.json` or
 * `metrics.json`, or unreadable).
 *
 * @param dir `OUT/<category>`
 * @returns the record and the row
 */
async function readCategory(dir: string): Promise<{ record: Table1Record; row: Table1Row } | null> {
  try {
    const record = JSON.parse(await Deno.readTextFile(join(dir, TABLE1_FILES.record))) as Table1Record;
    const metrics = JSON.parse(await Deno.readTextFile(join(dir, RUN_FILES.metrics))) as MetricsRecord;
    return { record, row: rowOf(metrics, record) };
  } catch {
    return null;
  }
}

/** A finished category's row, or null when it has to be (re)done (another checkpoint or search). */
async function finishedRow(dir: string, sha256: string, nn: string): Promise<Table1Row | null> {
  const done = await readCategory(dir);
  return done && done.record.weights_sha256 === sha256 && done.record.nn === nn ? done.row : null;
}

/**
 * The rows of a Table 1 folder as written (every finished `<category>/`), in table order.
 *
 * @param out the folder `deno task table1 --out` wrote
 * @returns the rows (empty when the folder is missing or holds no finished category)
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: reads the results that `deno task table1` wrote
 * import { readTable1Rows } from "./table1_job.ts";
 * const rows = await readTable1Rows("results/table1");
 * ```
 */
export async function readTable1Rows(out: string): Promise<Table1Row[]> {
  let categories: string[];
  try {
    categories = table1Order(await subfolders(out));
  } catch {
    return [];
  }
  const rows: Table1Row[] = [];
  for (const c of categories) {
    const done = await readCategory(join(out, c));
    if (done) rows.push(done.row);
  }
  return rows;
}

function rowOf(metrics: MetricsRecord, record: Table1Record): Table1Row {
  return {
    category: record.category,
    det: metrics.image_auroc[metrics.main],
    seg: metrics.pixel_auroc?.[metrics.main] ?? null,
    aupro: metrics.aupro,
    seconds: record.seconds.total,
  };
}

/**
 * Import and evaluate every selected checkpoint, then write the table, CSV and figure.
 *
 * @param job folders, categories, search and backend
 * @returns what ran, what was reused and skipped, the rows and the files written
 * @throws {UserError} when a folder is missing or no category has both a checkpoint and data
 * @throws {DataError} naming the checkpoint when one is truncated, malicious, not a state dict
 *   or another architecture (before anything is written), or naming the image the evaluation
 *   could not read
 */
export async function runTable1(job: Table1Job): Promise<Table1Result> {
  const log = job.log ?? ((line: string) => console.error(line));
  const out = job.out ?? "runs/table1";
  const nn = job.nn ?? "exact";
  for (const [flag, dir] of [["--weights", job.weights], ["--data", job.data]]) {
    if (!(await Deno.stat(dir).then((s) => s.isDirectory, () => false))) {
      throw new UserError(
        `${flag} ${dir} is not a folder; pass the ${
          flag === "--weights" ? "reference repository's ckpts/ folder" : "MVTec AD root"
        }`,
      );
    }
  }
  const withCheckpoint: string[] = [];
  for (const c of await subfolders(job.weights)) {
    if (await exists(join(job.weights, c, TABLE1_CHECKPOINT))) withCheckpoint.push(c);
  }
  const plan = planTable1(withCheckpoint, await subfolders(job.data), job.categories);
  const skip = skippedLine(plan.skipped);
  if (plan.run.length === 0) {
    throw new UserError(
      `No category has both ${job.weights}/<category>/${TABLE1_CHECKPOINT} and ${job.data}/<category>` +
        (skip ? ` (${skip.slice(0, -1)})` : "") + "; check --weights, --data and --categories",
    );
  }

  // Read and check every checkpoint first: a bad one stops the job before anything is written.
  await selectBackend(job.backend ?? "auto");
  const sha = new Map<string, string>();
  for (const c of plan.run) {
    const file = join(job.weights, c, TABLE1_CHECKPOINT);
    const encoder = await importReferenceEncoder(file, { encoder: "hier", patchSize: 64 });
    for (const t of encoder.params.values()) t.dispose();
    sha.set(c, await sha256Hex(await Deno.readFile(file)));
  }
  log(
    `table1: ${plan.run.length} categor${plan.run.length === 1 ? "y" : "ies"} (${plan.run.join(", ")}), ` +
      `search ${nn}, into ${out}${skip ? `. ${skip}` : ""}`,
  );

  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(join(out, ".gitignore"), TABLE1_GITIGNORE);
  const host = hostInfo();
  const result: Table1Result = { out, ran: [], reused: [], skipped: plan.skipped, rows: [], files: [] };
  for (const [i, c] of plan.run.entries()) {
    const dir = join(out, c);
    const tag = `[${i + 1}/${plan.run.length}] ${c}`;
    const done = await finishedRow(dir, sha.get(c)!, nn);
    if (done) {
      log(`${tag}: finished before (det ${done.det.toFixed(3)}), not redone`);
      result.rows.push(done);
      result.reused.push(c);
      continue;
    }
    const file = join(job.weights, c, TABLE1_CHECKPOINT);
    const load = loadAverage()[0];
    log(`${tag}: importing ${file}`);
    const t0 = performance.now();
    await runImportJob({ file, out: dir, data: job.data, category: c, force: true });
    const t1 = performance.now();
    log(`${tag}: evaluating (${nn} search)`);
    const metrics = await runEvalJob({
      run: dir,
      data: job.data,
      category: c,
      inspect: { nn },
      backend: job.backend,
      overlays: job.overlays ?? false,
      report: job.report ?? true,
      quiet: false,
    });
    const t2 = performance.now();
    const record: Table1Record = {
      category: c,
      checkpoint: file,
      weights_sha256: sha.get(c)!,
      nn,
      seconds: { import: (t1 - t0) / 1000, eval: (t2 - t1) / 1000, total: (t2 - t0) / 1000 },
      machine: { cpu_model: host.cpu_model, cores: host.cores, isa: host.native?.isa ?? null, load_1min: load },
      finished_at: new Date().toISOString(),
    };
    await writeJsonAtomic(join(dir, TABLE1_FILES.record), record);
    const row = rowOf(metrics, record);
    log(
      `${tag}: det ${row.det.toFixed(3)}  seg ${row.seg?.toFixed(3) ?? "–"}  AUPRO ${row.aupro?.toFixed(3) ?? "–"}  ${
        record.seconds.total.toFixed(0)
      } s`,
    );
    result.rows.push(row);
    result.ran.push(c);
  }
  result.files = await writeTable1(out, result.rows, plan.skipped, {
    nn,
    machine: `${host.cpu_model}, ${host.cores} cores${host.native ? `, native kernels ${host.native.isa}` : ""}`,
  });
  for (const f of result.files) log(`wrote ${f}`);
  return result;
}

/**
 * Write `table.md`, `table.csv` and the figure (`table.svg`, `table.png`) into a folder.
 *
 * @param out the folder
 * @param rows evaluated categories
 * @param skipped categories left out
 * @param info the search used and the machine, for the markdown's preamble
 * @returns the files written
 */
export async function writeTable1(
  out: string,
  rows: Table1Row[],
  skipped: Table1Skipped,
  info: { nn: string; machine: string },
): Promise<string[]> {
  const preamble = [
    "# Table 1 from the authors' checkpoints, our inspection",
    "",
    `The authors' trained encoders (\`ckpts/<category>/enchier.pkl\`, read as published), evaluated by ` +
    `\`deno task table1\` (${info.nn} nearest-neighbour search, main map \`mult\`). AUROC and AUPRO as fractions; ` +
    `Δ = ours − paper (Table 1 of Yi & Yoon 2020; the paper reports no AUPRO). The mean's paper column is the ` +
    `paper's mean over the same categories. Time: wall seconds to import and evaluate one category on ${info.machine}.`,
  ];
  const md = join(out, TABLE1_FILES.markdown), csv = join(out, TABLE1_FILES.csv);
  await Deno.writeTextFile(md, table1Markdown(rows, skipped, preamble));
  await Deno.writeTextFile(csv, table1Csv(rows));
  const files = [md, csv];
  const figureRows = table1AurocRows(rows, TABLE1_METHOD);
  if (figureRows.length > 0) {
    const skip = skippedLine(skipped);
    const figure = aurocTable(figureRows, {
      title: "Table 1 from the authors' checkpoints: our inspection vs. the paper",
      subtitle: `Dots: ours (AUROC %, difference from the paper in brackets); black tick: the paper; mean: over ` +
        `the categories shown, the paper's too. ${info.nn} search, map mult.${skip ? ` ${skip}` : ""}`,
      width: 700,
    });
    const saved = await figure.save(join(out, TABLE1_FILES.figure));
    files.push(saved.svg, saved.png);
  }
  return files;
}
