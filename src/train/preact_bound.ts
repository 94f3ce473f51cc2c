/**
 * The pre-activation bound (`--preact-bound B`, a named deviation, part of `--preset fast` with B = 5): a loss
 * term that keeps each level's last layer out of deep saturation.
 *
 * Why: each level ends in a tanh. On data whose position task gives little to learn (a flat
 * background, MVTec screw, a made screw-like copy of bottle) a level's last layer can grow its
 * pre-activations without end: through a saturated tanh the task's gradient almost vanishes, but
 * Adam divides it by its own running size, so the weights keep moving at the full rate. On screw the
 * K=32 layer reached 21-51 and the scores came out inverted (det 0.036); on the made copy it reached
 * 148 and the K=32 map was inverted (seg 0.093) (results/recipe/README.md). The term is
 *
 *   L_bound = sum over tanh layers of mean over their outputs of max(0, |z| - B)^2
 *
 * added to the loss with the small weight {@linkcode PREACT_BOUND_WEIGHT}. It is zero for units with
 * |z| <= B and small against the task on healthy runs (trained bottle and transistor encoders have
 * 3-13% of their K=32 pre-activations past 5, and a term of 2-10, so 0.002-0.01 weighted, against
 * L_SSL's 1-2). But past tanh(B) the task's own gradient all but vanishes (tanh'(10) = 8e-9), so
 * there the term's gradient is the only consistent one, and Adam, which scales each parameter's
 * step by its gradient's running size, follows it whatever the weight: the runaway is stopped.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { hasBoundKernels, PREACT_BOUND, PREACT_BOUND_GRAD } from "../backend/bound_kernels.ts";

/** Weight of the bound term in the loss (the reference's lambda: small against L_SSL on healthy runs). */
export const PREACT_BOUND_WEIGHT = 1e-3;

/**
 * The bound term of some pre-activations.
 *
 * @param preactivations each tanh layer's input (any shapes)
 * @param bound B > 0
 * @returns the scalar sum over layers of mean(max(0, |z| - B)^2), unweighted
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { equal } from "node:assert/strict";
 * import { preactBoundLoss } from "./preact_bound.ts";
 * await tf.setBackend("cpu");
 * // |z| = 1, 5, 7 against B = 5: only 7 is past it, by 2, so the mean is (0 + 0 + 4) / 3
 * const z = tf.tensor([1, -5, 7]);
 * equal(preactBoundLoss([z], 5).dataSync()[0].toFixed(4), (4 / 3).toFixed(4));
 * ```
 */
export function preactBoundLoss(preactivations: tf.Tensor[], bound: number): tf.Scalar {
  const fused = hasBoundKernels();
  return tf.tidy(() =>
    tf.addN(
      preactivations.map((z) => fused && z.dtype === "float32" ? fusedTerm(z, bound) : opsTerm(z, bound)),
    ) as tf.Scalar
  );
}

/** One layer's term with tfjs' own ops and gradients (any backend). */
function opsTerm(z: tf.Tensor, bound: number): tf.Scalar {
  return tf.mean(tf.square(tf.relu(tf.sub(tf.abs(z), bound))));
}

/** The same term as one kernel each way (src/backend/bound_kernels.ts: CPU-based backends). */
function fusedTerm(z: tf.Tensor, bound: number): tf.Scalar {
  const op = tf.customGrad((...args) => {
    const save = args.pop() as tf.GradSaveFunc, x = args[0] as tf.Tensor;
    save([x]);
    return {
      value: tf.engine().runKernel(PREACT_BOUND, { z: x }, { bound }) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.engine().runKernel(PREACT_BOUND_GRAD, { dy, z: saved[0] }, { bound }) as tf.Tensor,
    };
  });
  return op(z) as tf.Scalar;
}
