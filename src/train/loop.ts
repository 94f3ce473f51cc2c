/**
 * The training loop, read top to bottom: open the run (new, or resumed from its checkpoint), then
 * step by step set the learning rate (src/train/lr_schedule.ts), train one step (src/train/step.ts),
 * stop on a NaN/Inf loss keeping the last good checkpoint (a `Divergence`, src/train/stops.ts), and
 * hand the step to the observers (src/train/observer.ts, src/train/observers/), which do everything
 * else: the loss log, the activation probe, the collapse and position-task watches, checkpoints and
 * the progress bar. An observer that sees the run collapse for good warns; with `stopOnCollapse`
 * the loop then saves a checkpoint and throws a `CollapseStop`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { DEFAULT_RUN_OPTIONS, type RunConfig, type RunOptions, stepsPerEpoch, validateRunOptions } from "../config.ts";
import { Rng } from "../util/rng.ts";
import { loadModelState, loadOptimizerState, readCheckpoint } from "./checkpoint.ts";
import { RunFolder } from "./run_folder.ts";
import { createModel, disposeModel, type PatchSvddModel } from "./model.ts";
import { type LossValues, setCenters, type TrainImages, trainStep } from "./step.ts";
import { scheduledLearningRate } from "./lr_schedule.ts";
import type { StopFact, TrainObserver, WarningSink } from "./observer.ts";
import { checkFinite, CollapseStop } from "./stops.ts";
import { LossLog } from "./observers/loss_log.ts";
import { CollapseObserver } from "./observers/collapse_watch.ts";
import { ProbeObserver } from "./observers/probe.ts";
import { Checkpoints } from "./observers/checkpoints.ts";
import { ProgressObserver } from "./observers/progress.ts";
import { type PositionFinding, PositionWatch } from "./observers/position_watch.ts";
import { type SaturationFinding, SaturationWatch } from "./observers/saturation_watch.ts";

export { LOSS_LOG_FILE } from "./observers/loss_log.ts";
export { ACTIVATION_LOG_FILE, DEFAULT_PROBE_EVERY } from "./observers/probe.ts";

/**
 * Budget and bookkeeping of a training run. The run options (`checkpointMinutes`, `probeEvery`,
 * `stopOnCollapse`, `defaultEpochs`) are documented, defaulted and validated in src/config.ts
 * ({@linkcode RunOptions}, `DEFAULT_RUN_OPTIONS`).
 */
export interface TrainRunOptions extends Partial<RunOptions> {
  /** Run configuration (ignored on resume: the checkpoint's is used). */
  config: RunConfig;
  /** Normalised training images. */
  data: TrainImages;
  /** Run folder (created). */
  runDir: string;
  /** Total step budget (counted from step 0, so a resumed run ends at the same step). */
  steps?: number;
  /** Budget in reference epochs (N_train * 100 / batchSize steps each). */
  epochs?: number;
  /** Wall-clock budget of this invocation, in minutes. */
  maxMinutes?: number;
  /** Continue from the run folder's checkpoint. */
  resume?: boolean;
  /** Extra metadata stored in the checkpoint (data root, category, backend, commit). */
  extra?: Record<string, unknown>;
  /** No progress bar. */
  quiet?: boolean;
  /**
   * Where warnings go (collapse, pinned codes, position task), as one-line facts with their kind; the
   * command line adds its advice (src/cli/advice.ts). Default: stderr, prefixed with `warning: `.
   */
  onWarning?: WarningSink;
  /** More observers, called after the kit's own (e.g. a notebook's live plot). */
  observers?: TrainObserver[];
}

/** Outcome of {@linkcode trainRun}. */
export interface TrainRunResult {
  /** The trained model (caller disposes). */
  model: PatchSvddModel;
  /** Steps done in total. */
  step: number;
  /** Training seconds in total (all invocations). */
  elapsedSeconds: number;
  /** Steps per second of this invocation. */
  stepsPerSecond: number;
  /** Loss values of the last step (null when no step ran). */
  last: LossValues | null;
  /** Why training stopped. */
  stoppedBy: "steps" | "time";
  /** Step at which this invocation saw the run collapse (see src/train/collapse.ts), or null. */
  collapsedAt: number | null;
  /** First probe step of this invocation at which a level's codes were pinned (see activation_probe.ts), or null. */
  pinnedAt: number | null;
  /** Levels whose position task ended above chance or never left it (src/train/observers/position_watch.ts). */
  sslWarnings: PositionFinding[];
  /** Levels whose last layer ended blown up into saturation (src/train/observers/saturation_watch.ts). */
  saturationWarnings: SaturationFinding[];
}

/**
 * Train (or resume) a run.
 *
 * @param opts budget, data and run folder
 * @returns the model and run statistics
 */
export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  validateRunOptions(opts);
  const run = await openRun(opts);
  const { config, model, optimizer, rng } = run;
  const t = config.train, ckptPath = run.folder.checkpoint, firstStep = run.step;
  let step = run.step, last: LossValues | null = null, stoppedBy: TrainRunResult["stoppedBy"] = "steps";
  const { totalSteps, deadline } = budget(opts, stepsPerEpoch(opts.data.count, t.batchSize));
  const start = performance.now();
  const warn = opts.onWarning ?? ((m: string) => console.error(`warning: ${m}`));
  const resumeAt = opts.resume ? step : null;
  const checkpoints = new Checkpoints(ckptPath, model, optimizer, () => ({
    config,
    step,
    rngState: rng.state(),
    elapsedSeconds: run.elapsedBefore + (performance.now() - start) / 1000,
    extra: opts.extra ?? {},
  }), opts.checkpointMinutes ?? DEFAULT_RUN_OPTIONS.checkpointMinutes);
  // The observers, in the order they see each step: the logs before the checkpoint that covers them.
  const logRate = t.lrSchedule !== undefined || t.lrWarmupSteps !== undefined; // a constant rate is not logged
  const lossLog = await LossLog.open(opts.runDir, resumeAt, logRate);
  const collapse = new CollapseObserver(lossLog.kept, warn);
  const every = opts.probeEvery ?? DEFAULT_RUN_OPTIONS.probeEvery;
  const { runDir, data } = opts;
  const probe = await ProbeObserver.open({ runDir, data, resumeAt, every, encoder: model.encoder, seed: t.seed, warn });
  const pairsPerStep = t.batchSize * model.levels.length *
    (Number(t.losses.ssl) + Number(t.losses.svddPrime || t.losses.svdd));
  const progress = new ProgressObserver({ totalSteps, pairsPerStep, firstStep, deadline, quiet: opts.quiet });
  const position = new PositionWatch(lossLog.kept, warn);
  const saturation = new SaturationWatch(() => probe.latest, warn);
  const kit: TrainObserver[] = [lossLog, collapse, probe, checkpoints, progress, position, saturation];
  const observers = [...kit, ...(opts.observers ?? [])];
  /** Stop a collapsed run when asked to: checkpoint the step reached (unless saved already) and throw. */
  const stopIfAsked = async (fact: StopFact | undefined) => {
    if (!fact || !(opts.stopOnCollapse ?? DEFAULT_RUN_OPTIONS.stopOnCollapse)) return;
    if (checkpoints.savedStep !== step) await checkpoints.save();
    throw new CollapseStop(fact, step, ckptPath);
  };
  try {
    if (!opts.resume) await checkpoints.save(); // step 0: the random initialisation
    await stopIfAsked(await notify(observers, (o) => o.start?.(step)));
    while (step < totalSteps) {
      if (performance.now() >= deadline) {
        stoppedBy = "time";
        break;
      }
      const trained = run.elapsedBefore + (performance.now() - start) / 1000;
      const lr = scheduledLearningRate(t.learningRate, t.lrSchedule, step, t.lrWarmupSteps, trained);
      (optimizer as unknown as { learningRate: number }).learningRate = lr; // Adam reads it at every update
      const values = await trainStep(model, optimizer, t, opts.data, rng);
      step++;
      checkFinite(values, step, checkpoints.savedStep, ckptPath);
      last = values;
      const report = { step, values, lr, seconds: (performance.now() - start) / 1000 };
      await stopIfAsked(await notify(observers, (o) => o.afterStep?.(report)));
    }
  } catch (e) {
    // A diverged or stopped run: free its tensors (a sweep goes on with the next cell).
    optimizer.dispose();
    disposeModel(model);
    throw e;
  } finally {
    for (const o of observers) o.close?.();
  }
  const seconds = (performance.now() - start) / 1000;
  for (const o of observers) await o.end?.({ step, seconds, last, stoppedBy });
  optimizer.dispose();
  return {
    model,
    step,
    elapsedSeconds: run.elapsedBefore + seconds,
    stepsPerSecond: (step - firstStep) / Math.max(seconds, 1e-9),
    last,
    stoppedBy,
    collapsedAt: collapse.collapsedAt,
    pinnedAt: probe.pinnedAt,
    sslWarnings: position.findings,
    saturationWarnings: saturation.findings,
  };
}

/** Call one hook of every observer, in order (all of them, whatever they return); the first stop fact returned. */
async function notify(
  observers: TrainObserver[],
  hook: (observer: TrainObserver) => Promise<StopFact | void> | StopFact | void,
): Promise<StopFact | undefined> {
  let first: StopFact | undefined;
  for (const observer of observers) {
    const fact = await hook(observer);
    first ??= fact || undefined;
  }
  return first;
}

/** A run's state at the start of an invocation. */
interface OpenRun {
  folder: RunFolder;
  config: RunConfig;
  model: PatchSvddModel;
  optimizer: tf.Optimizer;
  rng: Rng;
  step: number;
  elapsedBefore: number;
}

/** Create the run folder and the model, optimizer and sampling stream: new, or as the checkpoint left them. */
async function openRun(opts: TrainRunOptions): Promise<OpenRun> {
  const folder = new RunFolder(opts.runDir);
  await folder.create();
  const checkpoint = opts.resume ? await readCheckpoint(folder.checkpoint) : null;
  const config = checkpoint?.meta.config ?? opts.config;
  const model = createModel(config);
  if (checkpoint) loadModelState(model, checkpoint);
  else if (config.train.losses.svdd) setCenters(model, opts.data, new Rng(config.train.seed ^ 0xc3));
  const optimizer = tf.train.adam(config.train.learningRate, 0.9, 0.999, 1e-8);
  if (checkpoint) await loadOptimizerState(optimizer, checkpoint);
  return {
    folder,
    config,
    model,
    optimizer,
    rng: checkpoint ? Rng.fromState(checkpoint.meta.rngState) : new Rng(config.train.seed ^ 0x5eed),
    step: checkpoint?.meta.step ?? 0,
    elapsedBefore: checkpoint?.meta.elapsedSeconds ?? 0,
  };
}

/** The step budget (steps, epochs, or `defaultEpochs` when no budget is given: the reference's 300) and the time limit. */
function budget(opts: TrainRunOptions, perEpoch: number): { totalSteps: number; deadline: number } {
  const byEpochs = opts.epochs !== undefined ? Math.round(opts.epochs * perEpoch) : Infinity;
  let totalSteps = Math.min(opts.steps ?? Infinity, byEpochs);
  if (!Number.isFinite(totalSteps) && opts.maxMinutes === undefined) {
    totalSteps = (opts.defaultEpochs ?? DEFAULT_RUN_OPTIONS.defaultEpochs) * perEpoch;
  }
  return { totalSteps, deadline: performance.now() + (opts.maxMinutes ?? Infinity) * 60_000 };
}
