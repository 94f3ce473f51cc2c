/**
 * Float32 warm-up of bf16 training. At initialisation the encoder's features are dominated by its
 * biases, and neighbouring patches differ by less than bf16's rounding of the activations (on bottle,
 * seed 4, the first step's L_SVDD'(64) reads 3.75e-4 in bf16 against 0.96e-4 in float32 on the same
 * weights and batch). A run can then collapse: the patches round to identical features, L_SVDD'
 * reaches zero and L_SSL stays at chance for good. A few hundred float32 steps first let the features
 * spread beyond the rounding; the rest of the run keeps bf16's speed.
 *
 * @module
 */

import type { MatmulPrecision } from "../backend/mod.ts";

/** Steps run in float32 at the start of a `--precision bf16` run, unless `--fp32-steps` says otherwise. */
export const DEFAULT_FP32_STEPS = 500;

/**
 * The arithmetic of one training step.
 *
 * @param target the run's precision (`--precision`)
 * @param fp32Steps steps run in float32 first (bf16 runs only)
 * @param step steps already done (0 for the first step)
 * @returns "fp32" during a bf16 run's warm-up, else `target`
 * @example
 * ```ts
 * import { stepPrecision } from "./precision_warmup.ts";
 * stepPrecision("bf16", 500, 499); // "fp32"
 * stepPrecision("bf16", 500, 500); // "bf16"
 * ```
 */
export function stepPrecision(target: MatmulPrecision, fp32Steps: number, step: number): MatmulPrecision {
  return target === "bf16" && step < fp32Steps ? "fp32" : target;
}
