/**
 * The whole speed benchmark: load a category with a cold decode cache, time reference training
 * steps, run the inspection phases with exact and/or hnsw search, compare with the reference
 * numbers, and write one JSON record.
 *
 * @module
 */

import { type BackendName, selectBackend } from "../../backend/select.ts";
import type { MatmulPrecision } from "../../backend/native.ts";
import { DEFAULT_CONFIG, mergeConfig, type RunConfig, validateConfig } from "../../config.ts";
import { DecodeCache } from "../../data/cache.ts";
import { loadDataset, normalize } from "../../data/dataset.ts";
import { generateSynthetic } from "../../data/synthetic.ts";
import sharp from "sharp";
import { UserError } from "../../errors.ts";
import { CHECKPOINT_FILE, loadModelState, readCheckpoint } from "../../train/checkpoint.ts";
import { createModel, disposeModel, type PatchSvddModel } from "../../train/model.ts";
import { benchFileName, type BenchFileParts } from "./file_name.ts";
import { hostInfo, loadAverage } from "./host.ts";
import { benchInspection, type NnMethod } from "./inspect_bench.ts";
import { measurePhase } from "./memory.ts";
import { REFERENCE, speedups } from "./reference.ts";
import { BENCH_SCHEMA, type BenchReport } from "./report.ts";
import { benchTraining } from "./train_bench.ts";
import { timeTorchReference } from "./torch_reference.ts";

/** Options of {@linkcode runBench}. */
export interface BenchOptions {
  /** Dataset root (default: $MVTEC_ROOT, then the run's). Ignored in short mode. */
  data?: string;
  /** Category (default: the run's, else "bottle"). Ignored in short mode. */
  category?: string;
  /** Compute backend. Default "auto". */
  backend?: BackendName;
  /** Arithmetic of the native convolutions and matmuls. Default "fp32". */
  precision?: MatmulPrecision;
  /** Tiny synthetic category and small training batch: a smoke run of a minute or less. */
  short?: boolean;
  /** Nearest-neighbour methods. Default both. */
  nn?: NnMethod[];
  /** Inspect with this run's encoder (checkpoint) instead of a random one. */
  run?: string;
  /**
   * Output file (default `results/bench/<host-kind>-<isa>-<backend>[-<precision>][-short].json` in the
   * project; see {@linkcode benchFileName}).
   */
  out?: string;
  /** Untimed training steps. Default 2 (short: 1). */
  warmupSteps?: number;
  /** Timed training steps. Default 5 (short: 2). */
  timedSteps?: number;
  /** Training pairs per pair set. Default 64 (short: 8). */
  trainBatch?: number;
  /** Pair sampling of the timed training steps. Default "reference". */
  sampling?: "reference" | "dense";
  /**
   * Also time the reference step in PyTorch right after ours ({@linkcode timeTorchReference}):
   * "auto" (default) does so in full mode when a Python with torch is found, "no" never, "yes"
   * always (its absence is then recorded as skipped).
   */
  torch?: "auto" | "yes" | "no";
  /** Queries per level for recall@1 without a full exact search. Default 20000. */
  recallQueries?: number;
  /** Progress lines (stderr in the CLI). */
  onProgress?: (message: string) => void;
}

/** The project root (results are written below it by default). */
export const PROJECT_ROOT: string = new URL("../../../", import.meta.url).pathname;

/**
 * The default output path of a benchmark.
 *
 * @param parts host kind, native instruction set, backend, precision and mode
 * @returns `<project>/results/bench/` and {@linkcode benchFileName}'s name
 */
export function defaultBenchPath(parts: BenchFileParts): string {
  return `${PROJECT_ROOT}results/bench/${benchFileName(parts)}`;
}

/**
 * Run the benchmark and write its record.
 *
 * @param opts what to measure
 * @returns the record and where it was written
 */
export async function runBench(opts: BenchOptions = {}): Promise<{ report: BenchReport; path: string }> {
  const started = performance.now();
  const created = new Date().toISOString();
  const say = opts.onProgress ?? (() => {});
  const short = opts.short ?? false;
  const loadStart = loadAverage();
  const precision = opts.precision ?? "fp32";
  const backend = await selectBackend(opts.backend ?? "auto", { precision });
  say(`backend: ${backend.note}`);
  const host = hostInfo();

  // The inspection encoder: random (seed 0) or a run's checkpoint.
  let config: RunConfig = DEFAULT_CONFIG;
  let runData: string | undefined, runCategory: string | undefined, step = 0;
  let model: PatchSvddModel;
  if (opts.run) {
    const checkpoint = await readCheckpoint(`${opts.run}/${CHECKPOINT_FILE}`);
    config = validateConfig(structuredClone(checkpoint.meta.config));
    const extra = checkpoint.meta.extra as { data?: string; category?: string };
    [runData, runCategory, step] = [extra.data, extra.category, checkpoint.meta.step];
    model = createModel(config);
    loadModelState(model, checkpoint);
  } else {
    model = createModel(config);
  }

  const temp = await Deno.makeTempDir({ prefix: "patchsvdd-bench-" });
  // An interrupted benchmark still removes its temporary data and decode cache.
  const onSignal = () => {
    try {
      Deno.removeSync(temp, { recursive: true });
    } catch { /* already gone */ }
    Deno.exit(130);
  };
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    let root: string, category: string;
    if (short) {
      say("generating a tiny synthetic category");
      const s = await generateSynthetic(`${temp}/data`, {
        kind: "object",
        size: config.imageSize,
        numTrain: 4,
        numTestGood: 2,
        numTestDefect: 1,
        seed: 0,
      });
      [root, category] = [s.root, s.category];
    } else {
      const r = opts.data ?? Deno.env.get("MVTEC_ROOT") ?? runData;
      if (!r) throw new UserError("No dataset root: pass --data ROOT or set MVTEC_ROOT (or use --short)");
      [root, category] = [r, opts.category ?? runCategory ?? "bottle"];
    }
    say(`loading ${category} from ${root} (cold decode cache)`);
    const cache = new DecodeCache(`${temp}/cache`);
    const { value: dataset, measure: load } = await measurePhase(() =>
      loadDataset(root, category, { size: config.imageSize, cache, onWarning: (m) => say(`warning: ${m}`) })
    );
    say(`  load: ${load.seconds.toFixed(2)} s, peak RSS ${load.peak_rss_mb.toFixed(0)} MiB`);

    say("training steps");
    const training = await benchTraining(
      {
        images: normalize(dataset.train.images, dataset.meanImage),
        count: dataset.train.samples.length,
        size: dataset.train.size,
      },
      {
        batchSize: opts.trainBatch ?? (short ? 8 : DEFAULT_CONFIG.train.batchSize),
        config: mergeConfig(DEFAULT_CONFIG, { train: { sampling: opts.sampling ?? "reference" } }),
        warmupSteps: opts.warmupSteps ?? (short ? 1 : 2),
        timedSteps: opts.timedSteps ?? (short ? 2 : 5),
        onProgress: say,
      },
    );

    const torchMode = opts.torch ?? "auto";
    let torchStep = null;
    if (torchMode === "yes" || (torchMode === "auto" && !short)) {
      say("reference step in PyTorch, same machine (scripts/reference_step_time.py)");
      const threads = host.native?.threads ?? navigator.hardwareConcurrency;
      const r = await timeTorchReference({ threads, steps: Math.max(5, training.step_seconds.length) });
      say(
        "skipped" in r
          ? `  skipped: ${r.skipped}`
          : `  median ${r.median_step_seconds.toFixed(3)} s (torch ${r.torch})`,
      );
      torchStep = "skipped" in r && torchMode === "auto" ? null : r;
    }
    training.torch_same_machine = torchStep;

    const methods = opts.nn ?? ["exact", "hnsw"];
    const recallQueries = opts.recallQueries ?? 20000;
    const inspection = await benchInspection(model.encoder, dataset, load, {
      inspect: config.inspect,
      methods,
      recallQueries,
      onProgress: say,
    });
    const exact = inspection.methods.exact, hnsw = inspection.methods.hnsw;
    const report: BenchReport = {
      schema: BENCH_SCHEMA,
      created,
      mode: short ? "short" : "full",
      host,
      backend: { requested: opts.backend ?? "auto", name: backend.name, note: backend.note, precision },
      load_average: { start: loadStart, end: loadAverage() },
      dataset: {
        root,
        category,
        synthetic: short,
        num_train: inspection.num_train,
        num_test: inspection.num_test,
        image_size: inspection.image_size,
        source_image_size: await sourceImageSize(dataset.train.samples[0].path),
      },
      encoder: { source: opts.run ? "run" : "random", run: opts.run ?? null, seed: config.train.seed, step },
      options: { nn: methods, recall_queries: recallQueries, inspect: config.inspect },
      training,
      inspection,
      reference: REFERENCE,
      speedup: speedups({
        median_step_seconds: training.median_step_seconds,
        pairs_per_second: training.pairs_per_second,
        batch_size: training.batch_size,
        num_train: inspection.num_train,
        num_test: inspection.num_test,
        load: inspection.shared.load.seconds,
        embed_bank: inspection.shared.embed_bank.seconds,
        embed_test: inspection.shared.embed_test.seconds,
        search_exact: exact?.phases.search.seconds ?? null,
        total_exact: exact?.total_seconds ?? null,
        total_hnsw: hnsw?.total_seconds ?? null,
      }),
      wall_seconds: 0,
    };
    report.wall_seconds = (performance.now() - started) / 1000;
    const path = opts.out ??
      defaultBenchPath({ hostKind: host.kind, isa: host.native?.isa ?? null, backend: backend.name, precision, short });
    const dir = path.replace(/\/[^/]*$/, "");
    if (dir && dir !== path) await Deno.mkdir(dir, { recursive: true });
    const tmp = `${path}.tmp-${Deno.pid}`;
    await Deno.writeTextFile(tmp, JSON.stringify(report, null, 2) + "\n");
    await Deno.rename(tmp, path);
    return { report, path };
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    disposeModel(model);
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
}

/** [width, height] of an image file, [0, 0] when unreadable. */
async function sourceImageSize(path: string): Promise<number[]> {
  try {
    const m = await sharp(path).metadata();
    return [m.width ?? 0, m.height ?? 0];
  } catch {
    return [0, 0];
  }
}
