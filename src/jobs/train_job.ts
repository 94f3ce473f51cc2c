/**
 * A training job: load a category, train (or resume) a run into a folder, and write the
 * run's config and summary. Used by `deno task train`, `demo` and `ablate`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { DEFAULT_CONFIG, type RunConfig, type RunOptions, validateConfig, validateRunOptions } from "../config.ts";
import { type BackendName, type MatmulPrecision, selectBackend } from "../backend/mod.ts";
import { loadDataset, normalize } from "../data/dataset.ts";
import { UserError } from "../errors.ts";
import { readCheckpoint } from "../train/checkpoint.ts";
import { trainRun } from "../train/loop.ts";
import { disposeModel } from "../train/model.ts";
import type { WarningSink } from "../train/observer.ts";
import type { PositionFinding } from "../train/observers/position_watch.ts";
import type { SaturationFinding } from "../train/observers/saturation_watch.ts";
import { RunFolder } from "../train/run_folder.ts";
import { writeJsonAtomic } from "../util/atomic.ts";
import { gitCommit } from "../util/git_commit.ts";

/** What to train and where; the run options (checkpoints, probe, collapse stop) are those of src/config.ts. */
export interface TrainJob extends Partial<RunOptions> {
  /** Dataset root (MVTec layout). */
  data: string;
  /** Category folder name. */
  category: string;
  /** Run folder. */
  out: string;
  /** Run configuration. */
  config: RunConfig;
  /** Name of the preset `config` was built from (src/presets.ts), recorded in config.json; absent: none. */
  preset?: string;
  /** Step budget (0 saves the randomly initialised model). */
  steps?: number;
  /** Budget in reference epochs. */
  epochs?: number;
  /** Wall-clock budget in minutes. */
  maxMinutes?: number;
  /** Continue the run in `out`. */
  resume?: boolean;
  /** Overwrite a run in `out`. */
  force?: boolean;
  /** Compute backend. Default "auto". */
  backend?: BackendName;
  /** Arithmetic of the native convolutions and matmuls. Default "fp32" (as the reference). */
  precision?: MatmulPrecision;
  /** Skip unreadable images. */
  skipBad?: boolean;
  /** Accept mixed grayscale/colour categories. */
  allowMixedChannels?: boolean;
  /** Require a mask for every defect image (default true); false for image-labelled datasets (`--no-masks`). */
  masks?: boolean;
  /** No progress output. */
  quiet?: boolean;
  /** Where training warnings go (see `TrainRunOptions.onWarning`). Default: stderr, prefixed with `warning: `. */
  onWarning?: WarningSink;
}

/** `RUN/train_summary.json`. */
export interface TrainSummary {
  /** Steps done in total. */
  steps: number;
  /** Training seconds in total. */
  train_seconds: number;
  /** Steps per second of the last invocation. */
  steps_per_second: number;
  /** Pairs per second (all pair sets) of the last invocation. */
  pairs_per_second: number;
  /** Loss values of the last step. */
  last_losses: Record<string, number> | null;
  /** Why training stopped. */
  stopped_by: string;
  /** tfjs backend and its note. */
  backend: string;
  /** Arithmetic of the native convolutions and matmuls ("fp32" or "bf16"). */
  precision: MatmulPrecision;
  /** Step at which the run was seen to collapse (see src/train/collapse.ts), or null. */
  collapsed_at_step: number | null;
  /** First activation probe at which a level's codes were pinned (see src/train/activation_probe.ts), or null. */
  pinned_at_step: number | null;
  /**
   * Levels whose position task (L_SSL) ended above chance or never left it, at the end of this
   * invocation (see src/train/observers/position_watch.ts); empty when all is well.
   */
  ssl_warnings: PositionFinding[];
  /**
   * Levels whose last layer ended blown up into saturation, judged on the last activation probe
   * (see src/train/observers/saturation_watch.ts); empty when all is well or the probe was off.
   */
  saturation_warnings: SaturationFinding[];
  /** Seconds spent loading and normalising data. */
  data_seconds: number;
  /** Git commit of the kit. */
  commit: string;
}

/** Files a run folder holds (src/train/run_folder.ts). */
export { RUN_FILES } from "../train/run_folder.ts";

/**
 * Train a run.
 *
 * @param job what to train and where
 * @returns the summary written to `RUN/train_summary.json`
 */
export async function runTrainJob(job: TrainJob): Promise<TrainSummary> {
  validateConfig(job.config);
  validateRunOptions(job);
  const folder = await RunFolder.claim(job.out, { resume: job.resume, force: job.force });
  let config = job.config;
  if (job.resume) {
    // A resumed run keeps its recorded settings (trainRun uses the checkpoint's); load the data at its image size too.
    const { meta } = await readCheckpoint(folder.checkpoint);
    config = meta.config;
    const retired = [["emaDecay" in config.train, "--ema"], ["fp32Steps" in meta.extra, "--fp32-steps"]]
      .filter(([used]) => used).map(([, flag]) => flag);
    if (retired.length) {
      const why = "results/time_to_quality/README.md, Retired options";
      throw new UserError(
        `Cannot resume ${job.out}: it was trained with ${retired.join(" and ")}, since retired (${why}); ` +
          `start a new run with --force`,
      );
    }
    const ignored = configDifferences(job.config, config);
    if (ignored.length) {
      console.error(
        `warning: --resume continues with the run's recorded settings; ignoring ${ignored.join(", ")} ` +
          `(use --force to start a new run with them)`,
      );
    }
  }
  const backend = await selectBackend(job.backend ?? "auto", { precision: job.precision });
  if (!job.quiet) console.error(`backend: ${backend.note}`);
  const t0 = performance.now();
  const dataset = await loadDataset(job.data, job.category, {
    size: config.imageSize,
    skipBad: job.skipBad,
    allowMixedChannels: job.allowMixedChannels,
    requireMasks: job.masks ?? true,
    onWarning: (m) => console.error(`warning: ${m}`),
  });
  const images = normalize(dataset.train.images, dataset.meanImage);
  const dataSeconds = (performance.now() - t0) / 1000;
  const commit = await gitCommit();
  await folder.create();
  const precision = job.precision ?? "fp32";
  const extra = {
    data: job.data,
    category: job.category,
    ...(job.preset ? { preset: job.preset } : {}),
    backend: backend.name,
    precision,
    commit,
  };
  if (!job.resume) await writeJsonAtomic(folder.config, { ...extra, config: job.config });
  const result = await trainRun({
    config,
    data: { images, count: dataset.train.samples.length, size: dataset.train.size },
    runDir: job.out,
    steps: job.steps,
    epochs: job.epochs,
    maxMinutes: job.maxMinutes,
    resume: job.resume,
    checkpointMinutes: job.checkpointMinutes,
    probeEvery: job.probeEvery,
    stopOnCollapse: job.stopOnCollapse,
    defaultEpochs: job.defaultEpochs,
    extra,
    quiet: job.quiet,
    onWarning: job.onWarning,
  });
  const levels = result.model.levels.length;
  const t = config.train;
  const setsPerLevel = Number(t.losses.ssl) + Number(t.losses.svddPrime || t.losses.svdd);
  const summary: TrainSummary = {
    steps: result.step,
    train_seconds: result.elapsedSeconds,
    steps_per_second: result.stepsPerSecond,
    pairs_per_second: result.stepsPerSecond * t.batchSize * levels * setsPerLevel,
    last_losses: result.last,
    stopped_by: result.stoppedBy,
    backend: backend.name,
    precision,
    collapsed_at_step: result.collapsedAt,
    pinned_at_step: result.pinnedAt,
    ssl_warnings: result.sslWarnings,
    saturation_warnings: result.saturationWarnings,
    data_seconds: dataSeconds,
    commit,
  };
  await writeJsonAtomic(folder.summary, summary);
  disposeModel(result.model);
  tf.disposeVariables();
  return summary;
}

/**
 * Settings given (different from the defaults) that differ from a run's recorded ones, leaf by leaf.
 *
 * @param given the configuration from the command line
 * @param recorded the run's configuration
 * @param defaults leaves of `given` equal to these count as not given (default DEFAULT_CONFIG)
 * @returns one entry per differing leaf, e.g. `train.learningRate=0.001 (run: 0.0001)`
 */
export function configDifferences(
  given: RunConfig,
  recorded: RunConfig,
  defaults: RunConfig = DEFAULT_CONFIG,
): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, d: unknown, path: string) => {
    if (a && b && typeof a === "object" && typeof b === "object") {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const at = (o: unknown) => (o && typeof o === "object" ? (o as Record<string, unknown>)[key] : undefined);
        walk(at(a), at(b), at(d), path ? `${path}.${key}` : key);
      }
    } else if (a !== b && a !== d) out.push(`${path}=${JSON.stringify(a)} (run: ${JSON.stringify(b)})`);
  };
  walk(given, recorded, defaults, "");
  return out;
}
