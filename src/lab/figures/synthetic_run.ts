/**
 * A small trained run on the kit's synthetic data, for notebooks and for figures that need a
 * model when no run folder is given: generate a synthetic category, train for a short budget
 * (seconds or steps), and keep the result so a second call with the same settings reuses it.
 *
 * @module
 */

import { join } from "node:path";
import type { BackendName } from "../../backend/mod.ts";
import { type DeepPartial, DEFAULT_CONFIG, mergeConfig, type RunConfig } from "../../config.ts";
import { generateSynthetic, type SyntheticKind } from "../../data/synthetic.ts";
import { runTrainJob, type TrainSummary } from "../../jobs/train_job.ts";
import { fromRoot } from "./paths.ts";

/** Options of {@linkcode trainSyntheticRun}; everything but `out` has a default. */
export interface SyntheticRunOptions {
  /** Output folder (relative to the project root or absolute): data in `out/data`, the run in `out/run`. */
  out: string;
  /** Wall-clock training budget in seconds. Default 90 (ignored when `steps` is given). */
  seconds?: number;
  /** Step budget (overrides `seconds`). */
  steps?: number;
  /** Image side. Default 128 (the reference uses 256; smaller trains and inspects faster). */
  imageSize?: number;
  /** Synthetic kind. Default "texture". */
  kind?: SyntheticKind;
  /** Normal training images. Default 24. */
  numTrain?: number;
  /** Normal test images. Default 8. */
  numTestGood?: number;
  /** Test images per defect type. Default 4. */
  numTestDefect?: number;
  /** Pairs per pair set per step. Default 64 (the reference's). */
  batchSize?: number;
  /** Seed of data, initialisation and sampling. Default 0. */
  seed?: number;
  /** Further configuration overrides (e.g. `{ train: { embeddingDim: 16 } }`). */
  config?: DeepPartial<RunConfig>;
  /** Compute backend. Default "auto". */
  backend?: BackendName;
  /** Reuse a run trained with exactly these settings in `out/run`. Default true. */
  reuse?: boolean;
  /** No progress output. Default false. */
  quiet?: boolean;
}

/** What {@linkcode trainSyntheticRun} produced. */
export interface SyntheticRun {
  /** Dataset root (absolute). */
  dataRoot: string;
  /** Category name. */
  category: string;
  /** The run folder (absolute). */
  runDir: string;
  /** The run's configuration. */
  config: RunConfig;
  /** The training summary (read back when reused). */
  summary: TrainSummary;
  /** True when an existing run with the same settings was kept. */
  reused: boolean;
  /** One line saying what the run is, for figure titles. */
  label: string;
}

/** Name of the file in the output folder recording the settings of the run there. */
export const SYNTHETIC_RUN_SETTINGS = "synthetic_run.json";

async function readJson<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch {
    return null;
  }
}

/**
 * Generate a synthetic category and train a run on it (or reuse one with the same settings).
 *
 * @param options output folder, budget, data size, configuration
 * @returns where the data and the run are, and the training summary
 * @throws {RangeError} when neither budget is positive
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: trains for a minute
 * import { trainSyntheticRun } from "./synthetic_run.ts";
 * const run = await trainSyntheticRun({ out: "runs/notebooks/01", seconds: 60 });
 * console.log(run.runDir, run.summary.steps);
 * ```
 */
export async function trainSyntheticRun(options: SyntheticRunOptions): Promise<SyntheticRun> {
  const out = fromRoot(options.out);
  const settings = {
    seconds: options.steps === undefined ? options.seconds ?? 90 : null,
    steps: options.steps ?? null,
    imageSize: options.imageSize ?? 128,
    kind: options.kind ?? "texture",
    numTrain: options.numTrain ?? 24,
    numTestGood: options.numTestGood ?? 8,
    numTestDefect: options.numTestDefect ?? 4,
    batchSize: options.batchSize ?? 64,
    seed: options.seed ?? 0,
    config: options.config ?? {},
  };
  if (!((settings.steps ?? 0) > 0 || (settings.seconds ?? 0) > 0)) {
    throw new RangeError(`Expected a positive budget (seconds or steps) but found ${JSON.stringify(settings)}`);
  }
  const dataRoot = join(out, "data"), runDir = join(out, "run");
  const synthetic = await generateSynthetic(dataRoot, {
    kind: settings.kind,
    size: settings.imageSize,
    numTrain: settings.numTrain,
    numTestGood: settings.numTestGood,
    numTestDefect: settings.numTestDefect,
    seed: settings.seed,
  });
  const config = mergeConfig(
    mergeConfig(DEFAULT_CONFIG, {
      imageSize: settings.imageSize,
      train: { batchSize: settings.batchSize, seed: settings.seed },
      inspect: { nn: "exact" },
    }),
    settings.config,
  );
  const budget = settings.steps !== null ? `${settings.steps} steps` : `${settings.seconds} s`;
  const describe = (summary: TrainSummary) =>
    `synthetic ${settings.kind} (${settings.imageSize} px), ${summary.steps} steps (${budget} budget)`;
  const settingsPath = join(out, SYNTHETIC_RUN_SETTINGS);
  if (options.reuse ?? true) {
    const previous = await readJson<typeof settings>(settingsPath);
    const summary = await readJson<TrainSummary>(join(runDir, "train_summary.json"));
    if (previous && summary && JSON.stringify(previous) === JSON.stringify(settings)) {
      return {
        dataRoot,
        category: synthetic.category,
        runDir,
        config,
        summary,
        reused: true,
        label: describe(summary),
      };
    }
  }
  await Deno.remove(settingsPath).catch(() => {});
  const summary = await runTrainJob({
    data: dataRoot,
    category: synthetic.category,
    out: runDir,
    config,
    steps: settings.steps ?? undefined,
    maxMinutes: settings.steps === null ? settings.seconds! / 60 : undefined,
    force: true,
    backend: options.backend,
    quiet: options.quiet,
  });
  await Deno.writeTextFile(settingsPath, JSON.stringify(settings, null, 2) + "\n");
  return { dataRoot, category: synthetic.category, runDir, config, summary, reused: false, label: describe(summary) };
}
