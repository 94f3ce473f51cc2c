/**
 * Learning-rate schedules, a named deviation from the reference's constant Adam rate
 * (`--lr-schedule linear|cosine --lr-decay-steps N`, off by default): the rate falls from
 * `--lr` to zero over N steps, then stays at zero; with `--lr-decay-start S` it holds `--lr` until
 * step S and falls to zero between S and N (a warmup-stable-decay schedule). A fixed budget spent with a rate that
 * reaches zero at its end ("budget-aware" training) ends on a settled model instead of one
 * still moving at the full rate. A run whose only budget is time (`--max-minutes M`, no step
 * count) decays over its M minutes of training instead: the steps it will do depend on the machine
 * and its load, the minutes do not.
 *
 * A warm-up (`--lr-warmup-steps N`, also off by default) raises the rate linearly from `--lr / N`
 * to `--lr` over the first N steps. At 3x the reference's rate, Adam's first steps, which move
 * every weight by about the rate whatever its gradient, can compound the bias-dominated mean of
 * the deep activations until the final tanh saturates and every patch encodes to the same vector
 * (README, Time to quality); the warm-up gives L_SSL time to learn before the full rate applies.
 *
 * @module
 */

import type { LrSchedule } from "../config.ts";

/** Schedule shapes accepted by `--lr-schedule`. */
export const LR_SCHEDULES = ["constant", "linear", "cosine"] as const;

/**
 * The learning rate of a step.
 *
 * @param base the configured rate (`--lr`)
 * @param schedule the decay, or undefined for a constant rate
 * @param step steps already done (0 for the first step)
 * @param warmupSteps steps of the linear warm-up (0 or undefined: none); the decay, if any, counts
 *   from step 0 and multiplies the warm-up's factor
 * @param trainedSeconds seconds of training so far, all invocations (read by a decay over minutes)
 * @returns the rate to apply in this step
 * @example
 * ```ts
 * import { scheduledLearningRate } from "./lr_schedule.ts";
 * scheduledLearningRate(1e-4, { kind: "linear", steps: 100 }, 50); // 5e-5
 * scheduledLearningRate(3e-4, undefined, 99, 300); // 1e-4
 * scheduledLearningRate(1e-4, { kind: "linear", minutes: 20 }, 4000, 0, 600); // 5e-5
 * scheduledLearningRate(1e-4, { kind: "linear", steps: 100, startStep: 80 }, 90); // 5e-5
 * ```
 */
export function scheduledLearningRate(
  base: number,
  schedule: LrSchedule | undefined,
  step: number,
  warmupSteps = 0,
  trainedSeconds = 0,
): number {
  const warm = warmupSteps > 0 ? Math.min(1, (step + 1) / warmupSteps) : 1;
  return base * warm * decayFactor(schedule, step, trainedSeconds);
}

/** The decay's share of the base rate: 1 without a schedule, falling to 0 with one. */
function decayFactor(schedule: LrSchedule | undefined, step: number, trainedSeconds: number): number {
  if (!schedule) return 1;
  const start = schedule.startStep ?? 0;
  const done = schedule.steps !== undefined
    ? (step - start) / (schedule.steps - start)
    : trainedSeconds / (60 * schedule.minutes!);
  const progress = Math.min(1, Math.max(0, done));
  return schedule.kind === "linear" ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
}
