/**
 * Learning-rate schedules, a named deviation from the reference's constant Adam rate
 * (`--lr-schedule linear|cosine --lr-decay-steps N`, off by default): the rate falls from
 * `--lr` to zero over N steps, then stays at zero. A fixed budget spent with a rate that
 * reaches zero at its end ("budget-aware" training) ends on a settled model instead of one
 * still moving at the full rate.
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
 * @returns the rate to apply in this step
 * @example
 * ```ts
 * import { scheduledLearningRate } from "./lr_schedule.ts";
 * scheduledLearningRate(1e-4, { kind: "linear", steps: 100 }, 50); // 5e-5
 * ```
 */
export function scheduledLearningRate(base: number, schedule: LrSchedule | undefined, step: number): number {
  if (!schedule) return base;
  const progress = Math.min(1, Math.max(0, step / schedule.steps));
  if (schedule.kind === "linear") return base * (1 - progress);
  return base * 0.5 * (1 + Math.cos(Math.PI * progress));
}
