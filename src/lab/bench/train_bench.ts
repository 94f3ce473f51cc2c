/**
 * Training throughput: reference training steps ({@linkcode trainStep}: 64 pairs for each of
 * the four pair sets, SSL and SVDD' at K=64 and K=32, one Adam update) on a category's training
 * images, timed after warm-up, and a per-kernel profile of one more step.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { DEFAULT_CONFIG, mergeConfig, type RunConfig } from "../../config.ts";
import { type TrainImages, trainStep } from "../../train/step.ts";
import { createModel, disposeModel } from "../../train/model.ts";
import { Rng } from "../../util/rng.ts";
import { cpuSeconds, rssMb, runqueueWaitSeconds } from "./memory.ts";
import { type KernelProfile, profileKernels } from "./profile.ts";
import { median } from "./stats.ts";
import type { TorchStepTiming } from "./torch_reference.ts";

/** Options of {@linkcode benchTraining}. */
export interface TrainBenchOptions {
  /** Pairs per pair set per step. Default: the reference's 64. */
  batchSize?: number;
  /** Untimed steps first (kernel setup, allocator warm-up). Default 2. */
  warmupSteps?: number;
  /** Timed steps (the median is reported). Default 5. */
  timedSteps?: number;
  /** Kernels kept in the profile. Default 10. */
  profileTop?: number;
  /** Base configuration (default {@linkcode DEFAULT_CONFIG}); only the batch size is overridden. */
  config?: RunConfig;
  /** Progress lines. */
  onProgress?: (message: string) => void;
}

/** Result of {@linkcode benchTraining}. */
export interface TrainBench {
  /** Pair sampling timed: "reference" (the throughput target) or "dense". */
  sampling: string;
  /** Pairs per pair set per step. */
  batch_size: number;
  /** Pairs per step: batch size x levels x pair sets per level. */
  pairs_per_step: number;
  /** Untimed steps. */
  warmup_steps: number;
  /** Wall time of each timed step, s. */
  step_seconds: number[];
  /** CPU time (user + system, all threads) of each timed step, s. */
  step_cpu_seconds: number[];
  /** Run-queue wait (runnable, no free core) of each timed step summed over threads, s: the contention. */
  step_runqueue_wait_seconds: number[];
  /** Median of `step_seconds`. */
  median_step_seconds: number;
  /** 1 / median step time. */
  steps_per_second: number;
  /** pairs_per_step / median step time. */
  pairs_per_second: number;
  /** Largest RSS seen before or after any step, MiB (steps are synchronous; no timer samples). */
  peak_rss_mb: number;
  /** Per-kernel profile of one more step. */
  profile: KernelProfile;
  /** Total loss of the last timed step (a sanity check: finite). */
  last_total_loss: number;
  /**
   * The reference step timed in PyTorch on the same machine right after ours (set by the
   * benchmark; null when not attempted, `{ skipped }` when asked for and unavailable).
   */
  torch_same_machine?: TorchStepTiming | { skipped: string } | null;
}

/**
 * Time training steps on normalised training images.
 *
 * @param data normalised training images
 * @param options steps, batch size, configuration
 * @returns step times, throughput and a kernel profile
 */
export async function benchTraining(data: TrainImages, options: TrainBenchOptions = {}): Promise<TrainBench> {
  const base = options.config ?? DEFAULT_CONFIG;
  const batch = options.batchSize ?? base.train.batchSize;
  const config = mergeConfig(base, { train: { batchSize: batch } });
  const t = config.train;
  const warmup = options.warmupSteps ?? 2, timed = options.timedSteps ?? 5;
  if (!(timed >= 1)) throw new RangeError(`Expected at least one timed step but found ${timed}`);
  const say = options.onProgress ?? (() => {});
  const model = createModel(config);
  const optimizer = tf.train.adam(t.learningRate, 0.9, 0.999, 1e-8);
  const rng = new Rng(t.seed + 1);
  const setsPerLevel = Number(t.losses.ssl) + Number(t.losses.svddPrime || t.losses.svdd);
  const pairsPerStep = batch * model.levels.length * setsPerLevel;
  let peak = rssMb();
  const steps: number[] = [], cpu: number[] = [], wait: number[] = [];
  let last = NaN;
  try {
    for (let i = 0; i < warmup + timed; i++) {
      const [c0, w0, t0] = [cpuSeconds(), runqueueWaitSeconds(), performance.now()];
      const values = await trainStep(model, optimizer, t, data, rng);
      const s = (performance.now() - t0) / 1000;
      const [c, w] = [cpuSeconds() - c0, Math.max(0, runqueueWaitSeconds() - w0)];
      peak = Math.max(peak, rssMb());
      last = values.total;
      if (i >= warmup) {
        steps.push(s);
        cpu.push(c);
        wait.push(w);
      }
      say(
        `  ${i < warmup ? "warm-up" : "timed"} step ${i + 1}/${warmup + timed}: ${s.toFixed(3)} s ` +
          `(cpu ${c.toFixed(2)} s, run-queue wait ${w.toFixed(2)} s, loss ${last.toFixed(4)})`,
      );
    }
    const profile = await profileKernels(() => trainStep(model, optimizer, t, data, rng), options.profileTop ?? 10);
    peak = Math.max(peak, rssMb());
    const med = median(steps);
    return {
      sampling: t.sampling,
      batch_size: batch,
      pairs_per_step: pairsPerStep,
      warmup_steps: warmup,
      step_seconds: steps,
      step_cpu_seconds: cpu,
      step_runqueue_wait_seconds: wait,
      median_step_seconds: med,
      steps_per_second: 1 / med,
      pairs_per_second: pairsPerStep / med,
      peak_rss_mb: Math.round(peak * 10) / 10,
      profile,
      last_total_loss: last,
    };
  } finally {
    optimizer.dispose();
    disposeModel(model);
  }
}
