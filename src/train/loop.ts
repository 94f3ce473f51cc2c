/**
 * The training loop: budget (steps, epochs or wall-clock minutes, whichever ends
 * first), progress bar, JSON-lines loss log, periodic atomic checkpoints, resume,
 * a clean stop on a NaN/Inf loss that keeps the last good checkpoint, a log of the encoder's
 * activations (src/train/activation_probe.ts), and a warning (or, with `stopOnCollapse`, a stop)
 * when the run collapses, seen in the losses or in the activations. One named deviation lives here: a
 * decaying or warming-up learning rate (`lrSchedule`, `lrWarmupSteps`).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { type RunConfig, stepsPerEpoch } from "../config.ts";
import { TrainingError } from "../errors.ts";
import { Rng } from "../util/rng.ts";
import { CHECKPOINT_FILE, loadModelState, loadOptimizerState, readCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { createModel, disposeModel, type PatchSvddModel } from "./model.ts";
import { formatDuration, ProgressBar, progressLine } from "./progress.ts";
import { type LossValues, setCenters, type TrainImages, trainStep } from "./step.ts";
import { scheduledLearningRate } from "./lr_schedule.ts";
import { CollapseWatch } from "./collapse.ts";
import { drawProbe, measureActivations, PinnedWatch } from "./activation_probe.ts";

/** File name of the per-step loss log inside the run folder. */
export const LOSS_LOG_FILE = "train_log.jsonl";

/** File name of the activation log inside the run folder: one `{step, levels}` row per probe. */
export const ACTIVATION_LOG_FILE = "activations.jsonl";

/** Default steps between two activation probes. */
export const DEFAULT_PROBE_EVERY = 100;

/** Budget and bookkeeping of a training run. */
export interface TrainRunOptions {
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
  /** Minutes between checkpoints. Default 5. */
  checkpointMinutes?: number;
  /** Extra metadata stored in the checkpoint (data root, category, backend, commit). */
  extra?: Record<string, unknown>;
  /** No progress bar. */
  quiet?: boolean;
  /** Called after every step. */
  onStep?: (step: number, values: LossValues) => void;
  /** Where warnings go (collapse, pinned codes). Default: stderr, prefixed with `warning: `. */
  onWarning?: (message: string) => void;
  /**
   * Stop a run once it is seen to collapse for good (by the losses, or by the activation probe:
   * codes pinned at every probe for `lastingSteps`, see src/train/activation_probe.ts): save a
   * checkpoint of that step and throw a {@linkcode TrainingError} (exit 3), instead of warning and
   * training on to the end of the budget. Default false.
   */
  stopOnCollapse?: boolean;
  /**
   * Steps between measurements of the encoder's activations on a fixed set of training patches
   * (at step 0 too), logged to {@linkcode ACTIVATION_LOG_FILE}; 0 turns the probe off. Default
   * {@linkcode DEFAULT_PROBE_EVERY}. Training is the same with any value.
   */
  probeEvery?: number;
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
}

/**
 * Train (or resume) a run.
 *
 * @param opts budget, data and run folder
 * @returns the model and run statistics
 */
export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  await Deno.mkdir(opts.runDir, { recursive: true });
  await removeStaleTemporaries(opts.runDir);
  const ckptPath = `${opts.runDir}/${CHECKPOINT_FILE}`;
  const logPath = `${opts.runDir}/${LOSS_LOG_FILE}`;
  const probePath = `${opts.runDir}/${ACTIVATION_LOG_FILE}`;
  let config = opts.config;
  let step = 0, elapsedBefore = 0;
  let rng = new Rng(config.train.seed ^ 0x5eed);
  let model: PatchSvddModel;
  let checkpoint = null;
  let logged: ({ step: number } & LossValues)[] = [];
  let probed: { step: number }[] = [];
  if (opts.resume) {
    checkpoint = await readCheckpoint(ckptPath);
    config = checkpoint.meta.config;
    step = checkpoint.meta.step;
    elapsedBefore = checkpoint.meta.elapsedSeconds;
    rng = Rng.fromState(checkpoint.meta.rngState);
    model = createModel(config);
    loadModelState(model, checkpoint);
    logged = await truncateLog(logPath, step);
    probed = await truncateLog(probePath, step);
  } else {
    model = createModel(config);
    if (config.train.losses.svdd) setCenters(model, opts.data, new Rng(config.train.seed ^ 0xc3));
    await Deno.writeTextFile(logPath, "");
    await Deno.writeTextFile(probePath, "");
  }
  const t = config.train;
  const optimizer = tf.train.adam(t.learningRate, 0.9, 0.999, 1e-8);
  if (checkpoint) await loadOptimizerState(optimizer, checkpoint);

  const perEpoch = stepsPerEpoch(opts.data.count, t.batchSize);
  const byEpochs = opts.epochs !== undefined ? Math.round(opts.epochs * perEpoch) : Infinity;
  let totalSteps = Math.min(opts.steps ?? Infinity, byEpochs);
  if (!Number.isFinite(totalSteps) && opts.maxMinutes === undefined) totalSteps = 300 * perEpoch; // reference: 300 epochs
  const deadline = performance.now() + (opts.maxMinutes ?? Infinity) * 60_000;
  const pairsPerStep = t.batchSize * model.levels.length *
    (Number(t.losses.ssl) + Number(t.losses.svddPrime || t.losses.svdd));

  const meta = () => ({
    config,
    step,
    rngState: rng.state(),
    elapsedSeconds: elapsedBefore + (performance.now() - start) / 1000,
    extra: opts.extra ?? {},
  });
  const start = performance.now();
  if (!checkpoint) await saveCheckpoint(ckptPath, model, optimizer, meta());
  let lastSave = performance.now(), lastGoodStep = step;
  const bar = new ProgressBar(opts.quiet);
  const log = await Deno.open(logPath, { append: true });
  const enc = new TextEncoder();
  let last: LossValues | null = null;
  const firstStep = step;
  let stoppedBy: TrainRunResult["stoppedBy"] = "steps";
  const warn = opts.onWarning ?? ((m: string) => console.error(`warning: ${m}`));
  const collapseHint =
    `Stop it and retrain with --force and a learning-rate warm-up (--lr-warmup-steps 500), a lower --lr or another --seed`;
  const pinnedHint =
    `If it stays pinned, stop it and retrain with --force and --lr-warmup-steps 500, a lower --lr or ` +
    `another --seed`;
  const logRate = t.lrSchedule !== undefined || t.lrWarmupSteps !== undefined; // a constant rate is not logged
  const watch = new CollapseWatch();
  // The steps before this invocation (a resumed run's), so that the baseline is the run's first steps'.
  for (const row of logged) watch.observe(row.step, row);
  if (watch.collapsedAt !== null) warn(`this run collapsed at step ${watch.collapsedAt}. ${collapseHint}`);
  const stopped = (at: number, kept: number) =>
    new TrainingError(
      `Training collapsed at step ${at} and was stopped (--stop-on-collapse); its checkpoint (step ${kept}) is kept in ` +
        `${ckptPath}. Retrain with --force and --lr-warmup-steps 500, a lower --lr or another --seed`,
    );
  const probeEvery = opts.probeEvery ?? DEFAULT_PROBE_EVERY;
  const probe = probeEvery > 0 ? drawProbe(opts.data, model.encoder.patchSize, t.seed) : null;
  const probeLog = probe ? await Deno.open(probePath, { append: true, create: true }) : null;
  const pinned = new PinnedWatch();
  /** Probe the activations; true when the codes have now been pinned long enough to call the run collapsed. */
  const measure = async (): Promise<boolean> => {
    const levels = await measureActivations(model.encoder, probe!);
    await probeLog!.write(enc.encode(JSON.stringify({ step, levels }) + "\n"));
    const report = pinned.observe(step, levels);
    if (report.warning) warn(`${report.warning}. ${pinnedHint}`);
    if (report.recovered) warn(report.recovered);
    return report.lasting;
  };
  try {
    if (opts.stopOnCollapse && watch.collapsedAt !== null) throw stopped(watch.collapsedAt, step); // resumed
    if (probe && step === 0 && !probed.some((row) => row.step === 0)) await measure(); // not again on a resume
    while (step < totalSteps) {
      if (performance.now() >= deadline) {
        stoppedBy = "time";
        break;
      }
      const lr = scheduledLearningRate(t.learningRate, t.lrSchedule, step, t.lrWarmupSteps);
      (optimizer as unknown as { learningRate: number }).learningRate = lr; // Adam reads it at every update
      const values = await trainStep(model, optimizer, t, opts.data, rng);
      step++;
      for (const [name, v] of Object.entries(values)) {
        if (!Number.isFinite(v)) {
          throw new TrainingError(
            `Loss ${name} became ${v} at step ${step}; the last good checkpoint (step ${lastGoodStep}) is kept in ${ckptPath}. ` +
              `Check the data for NaN/Inf values, or retrain with --force and a lower --lr or --lambda or another --seed ` +
              `(--resume keeps the run's settings and would diverge again)`,
          );
        }
      }
      last = values;
      const collapse = watch.observe(step, values);
      if (collapse) {
        warn(`training collapsed: ${collapse}. ${collapseHint}`);
      }
      const lasting = probe && step % probeEvery === 0 ? await measure() : false;
      const seconds = (performance.now() - start) / 1000;
      const rate = (step - firstStep) / seconds;
      await log.write(
        enc.encode(
          JSON.stringify({ step, time_s: +seconds.toFixed(3), ...values, ...(logRate ? { lr } : {}) }) + "\n",
        ),
      );
      if (opts.stopOnCollapse && (collapse || lasting)) {
        await saveCheckpoint(ckptPath, model, optimizer, meta());
        throw stopped(collapse ? watch.collapsedAt! : pinned.since!, step);
      }
      const remaining = Math.min(
        (totalSteps - step) / rate,
        Math.max(0, (deadline - performance.now()) / 1000),
      );
      bar.update(progressLine(step, totalSteps, values, rate * pairsPerStep, remaining));
      opts.onStep?.(step, values);
      if (performance.now() - lastSave > (opts.checkpointMinutes ?? 5) * 60_000) {
        await saveCheckpoint(ckptPath, model, optimizer, meta());
        lastSave = performance.now();
        lastGoodStep = step;
      }
    }
  } catch (e) {
    // A diverged or stopped run: free its tensors (a sweep goes on with the next cell).
    optimizer.dispose();
    disposeModel(model);
    throw e;
  } finally {
    log.close();
    probeLog?.close();
  }
  if (step !== lastGoodStep || firstStep === step) await saveCheckpoint(ckptPath, model, optimizer, meta());
  const seconds = (performance.now() - start) / 1000;
  const stepsPerSecond = (step - firstStep) / Math.max(seconds, 1e-9);
  if (last) bar.update(progressLine(step, totalSteps, last, stepsPerSecond * pairsPerStep, 0), true);
  bar.done();
  if (!opts.quiet) {
    console.error(
      `trained ${step - firstStep} steps in ${formatDuration(seconds)} (${stepsPerSecond.toFixed(3)} steps/s)`,
    );
  }
  optimizer.dispose();
  return {
    model,
    step,
    elapsedSeconds: elapsedBefore + seconds,
    stepsPerSecond,
    last,
    stoppedBy,
    collapsedAt: watch.collapsedAt,
    pinnedAt: pinned.pinnedAt,
  };
}

/**
 * Keep the log lines of steps up to `step` (the checkpoint's): a killed run may have logged steps
 * after its last checkpoint, and its last line may be torn (such lines are dropped).
 *
 * @returns the kept rows, parsed (none when the log cannot be read)
 */
async function truncateLog(path: string, step: number): Promise<({ step: number } & LossValues)[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return [];
  }
  const kept: { line: string; row: { step: number } & LossValues }[] = [];
  for (const line of text.split("\n")) {
    try {
      const row = JSON.parse(line);
      if (row.step <= step) kept.push({ line, row });
    } catch {
      // an empty or torn line
    }
  }
  await writeFileAtomic(path, new TextEncoder().encode(kept.map((k) => k.line + "\n").join("")));
  return kept.map((k) => k.row);
}

/** Remove temporary checkpoint files left by a process killed while writing one. */
async function removeStaleTemporaries(dir: string): Promise<void> {
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.startsWith(`${CHECKPOINT_FILE}.tmp-`)) {
        await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
      }
    }
  } catch {
    // an unreadable folder fails later with a clearer message
  }
}
