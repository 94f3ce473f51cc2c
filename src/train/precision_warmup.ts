/**
 * Float32 warm-up of bf16 training (`--fp32-steps N`, named option, off by default). Freshly
 * initialised, the encoder's deep activations are dominated by its biases and neighbouring patches
 * differ by less than bf16's rounding (on bottle, seed 4, the first step's L_SVDD'(64) reads 3.75e-4 in
 * bf16 against 0.96e-4 in float32 on the same weights and batch). Running the first N steps in
 * float32 keeps the rounding out of that phase. Measured on bottle at `--lr 3e-4` (README, Time to
 * quality): it rescued the seed that had collapsed in bf16, but another seed collapsed instead (as it
 * also did in pure float32): the collapse comes with the rate, so this is not the default.
 *
 * @module
 */

import type { MatmulPrecision } from "../backend/mod.ts";

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
