/**
 * Two kernels tfjs does not have, for training through LeakyReLU layers without extra passes over
 * the activations (tfjs' gradient of a LeakyReLU is Greater + Select + Multiply, three full-size
 * tensors; on this kit's CPU backend a pass is bound by memory bandwidth, not arithmetic):
 *
 * - `PatchSvddLeakyReluGrad`: dy carried through a LeakyReLU, from its output y, in one pass;
 * - `PatchSvddConv2DBackpropInputLeaky`: a convolution's input gradient carried through the
 *   LeakyReLU that produced the input, applied while the result is still in cache.
 *
 * Registered on the "native" backend only; callers check {@linkcode hasLeakyKernels} and use tfjs'
 * own gradients elsewhere.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { convInfo, float32Values, nativeConvShape } from "./kernel_call.ts";
import { nativeConv2dBackpropInput, nativeLeakyReluGrad } from "./native.ts";

/** Kernel name: inputs `dy`, `y` (same shape); attribute `alpha`. */
export const LEAKY_RELU_GRAD = "PatchSvddLeakyReluGrad";

/** Kernel name: inputs `dy`, `filter`, `x`; attributes `strides`, `pad`, `alpha`. */
export const CONV2D_BACKPROP_INPUT_LEAKY = "PatchSvddConv2DBackpropInputLeaky";

type Args = { inputs: tf.NamedTensorInfoMap; backend: MathBackendCPU; attrs: tf.NamedAttrMap };

/**
 * Register both kernels on a cpu-based backend whose tensors the native library can read
 * (idempotent).
 *
 * @param backendName the backend, e.g. "native"
 */
export function registerLeakyKernels(backendName: string): void {
  if (tf.getKernel(LEAKY_RELU_GRAD, backendName) !== undefined) return;
  tf.registerKernel({
    kernelName: LEAKY_RELU_GRAD,
    backendName,
    kernelFunc: (({ inputs, backend, attrs }: Args) => {
      const { dy, y } = inputs as Record<"dy" | "y", tf.TensorInfo>;
      const alpha = attrs.alpha as number;
      return backend.makeTensorInfo(
        dy.shape,
        "float32",
        nativeLeakyReluGrad(float32Values(backend, dy), float32Values(backend, y), alpha),
      );
    }) as unknown as tf.KernelFunc,
  });
  tf.registerKernel({
    kernelName: CONV2D_BACKPROP_INPUT_LEAKY,
    backendName,
    kernelFunc: (({ inputs, backend, attrs }: Args) => {
      const { dy, filter, x } = inputs as Record<"dy" | "filter" | "x", tf.TensorInfo>;
      const a = attrs as unknown as { strides: number; pad: "valid" | "same"; alpha: number };
      const info = convInfo(x.shape, filter.shape, a, 1);
      const dx = nativeConv2dBackpropInput(
        float32Values(backend, dy),
        float32Values(backend, filter),
        nativeConvShape(info),
        {
          x: float32Values(backend, x),
          alpha: a.alpha,
        },
      );
      return backend.makeTensorInfo(x.shape, "float32", dx);
    }) as unknown as tf.KernelFunc,
  });
}

let fusedLeaky = Deno.env.get("PATCHSVDD_FUSED_LEAKY") !== "0";

/**
 * Turn the fused LeakyReLU layers off (tfjs' own ops and gradients) or back on, e.g. to measure
 * what they save. Default: on, unless the environment sets `PATCHSVDD_FUSED_LEAKY=0`.
 *
 * @param on whether {@linkcode hasLeakyKernels} may answer true
 */
export function setFusedLeaky(on: boolean): void {
  fusedLeaky = on;
}

/**
 * Whether the fused LeakyReLU layers are to be used: the active backend has both kernels and they
 * are not turned off ({@linkcode setFusedLeaky}).
 *
 * @returns true on the "native" backend by default
 */
export function hasLeakyKernels(): boolean {
  return fusedLeaky && tf.getKernel(CONV2D_BACKPROP_INPUT_LEAKY, tf.getBackend()) !== undefined;
}

/**
 * The gradient through a LeakyReLU with output `y`: `dy` where y > 0, `alpha * dy` elsewhere.
 * Needs {@linkcode hasLeakyKernels}.
 *
 * @param dy gradient with respect to the LeakyReLU's output
 * @param y the LeakyReLU's output
 * @param alpha its slope for negative inputs
 * @returns the gradient with respect to its input
 */
export function leakyReluGrad<T extends tf.Tensor>(dy: T, y: T, alpha: number): T {
  return tf.engine().runKernel(LEAKY_RELU_GRAD, { dy, y }, { alpha }) as T;
}

/**
 * The gradient of a convolution's loss with respect to the pre-activation of the LeakyReLU that
 * produced the convolution's input `x`: conv2dBackpropInput(dy, filter) * (x > 0 ? 1 : alpha).
 * Needs {@linkcode hasLeakyKernels}.
 *
 * @param dy gradient with respect to the convolution's output [N, Ho, Wo, Cout]
 * @param filter its filter [kh, kw, Cin, Cout]
 * @param x its input [N, H, W, Cin], the LeakyReLU's output
 * @param strides its stride
 * @param pad its padding
 * @param alpha the LeakyReLU's slope for negative inputs
 * @returns [N, H, W, Cin]
 */
export function conv2dBackpropInputLeaky(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  x: tf.Tensor4D,
  strides: number,
  pad: "valid" | "same",
  alpha: number,
): tf.Tensor4D {
  return tf.engine().runKernel(CONV2D_BACKPROP_INPUT_LEAKY, { dy, filter, x }, { strides, pad, alpha }) as tf.Tensor4D;
}
