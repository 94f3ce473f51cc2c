/**
 * The pre-activation bound's term and its gradient as two one-pass kernels, for the CPU-based backends
 * ("native", "cpu"): `mean(max(0, |z| - B)^2)` forward, `dy * 2 sign(z) max(0, |z| - B) / n` back.
 *
 * Why: under dense sampling the bound covers f_small's whole embedding grid (two copies of two crops,
 * 3.4 million values for the three-level encoder). tfjs' Abs, Sub, Relu, Square and Mean, with their
 * gradients, are about a dozen passes over it, each allocating a tensor: 150-180 ms of a 530 ms step
 * on two Zen 5 cores. These kernels do one pass each way, reading the values in place.
 *
 * Registered by {@linkcode registerBoundKernels}; src/train/preact_bound.ts uses them where the active
 * backend has them and tfjs' own ops elsewhere (the same value and gradient:
 * tests/backend/bound_kernels_test.ts).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";

/** Kernel name: input `z`; attribute `bound`; output the scalar mean(max(0, |z| - bound)^2). */
export const PREACT_BOUND = "PatchSvddPreactBound";

/** Kernel name: inputs `dy` (scalar), `z`; attribute `bound`; output the gradient with respect to z. */
export const PREACT_BOUND_GRAD = "PatchSvddPreactBoundGrad";

type Args = { inputs: tf.NamedTensorInfoMap; backend: MathBackendCPU; attrs: tf.NamedAttrMap };

function values(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  if (!(v instanceof Float32Array)) throw new TypeError(`Expected float32 values but found ${t.dtype}`);
  return v;
}

/**
 * mean(max(0, |z| - bound)^2), summed in float64.
 *
 * @param z the values
 * @param bound B
 * @returns the mean (0 for no values)
 */
export function boundTerm(z: Float32Array, bound: number): number {
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const over = Math.abs(z[i]) - bound;
    if (over > 0) sum += over * over;
  }
  return z.length === 0 ? 0 : sum / z.length;
}

/**
 * The gradient of {@linkcode boundTerm} times `dy`: `dy * 2 sign(z) max(0, |z| - bound) / n`.
 *
 * @param z the values
 * @param bound B
 * @param dy the upstream gradient of the term
 * @returns a new array the size of z
 */
export function boundTermGrad(z: Float32Array, bound: number, dy: number): Float32Array {
  const out = new Float32Array(z.length);
  const scale = (2 * dy) / z.length;
  for (let i = 0; i < z.length; i++) {
    const v = z[i], over = Math.abs(v) - bound;
    if (over > 0) out[i] = (v > 0 ? scale : -scale) * over;
  }
  return out;
}

/**
 * Register both kernels on a backend whose tensors live in the cpu backend's store (idempotent).
 *
 * @param backendName "native" or "cpu"
 */
export function registerBoundKernels(backendName: string): void {
  if (tf.getKernel(PREACT_BOUND, backendName) !== undefined) return;
  tf.registerKernel({
    kernelName: PREACT_BOUND,
    backendName,
    kernelFunc: (({ inputs, backend, attrs }: Args) => {
      const { z } = inputs as Record<"z", tf.TensorInfo>;
      return backend.makeTensorInfo(
        [],
        "float32",
        new Float32Array([boundTerm(values(backend, z), attrs.bound as number)]),
      );
    }) as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: PREACT_BOUND_GRAD,
    backendName,
    kernelFunc: (({ inputs, backend, attrs }: Args) => {
      const { z, dy } = inputs as Record<"z" | "dy", tf.TensorInfo>;
      const grad = boundTermGrad(values(backend, z), attrs.bound as number, values(backend, dy)[0]);
      return backend.makeTensorInfo(z.shape, "float32", grad);
    }) as unknown as tf.KernelFunc,
  });
}

/**
 * Whether the active backend has both kernels.
 *
 * @returns true on a backend {@linkcode registerBoundKernels} was called for
 */
export function hasBoundKernels(): boolean {
  return tf.getKernel(PREACT_BOUND, tf.getBackend()) !== undefined;
}
