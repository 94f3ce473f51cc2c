/**
 * Calling one backend kernel from inside another, the way tfjs backends compose kernels: the
 * callee's kernel function runs directly (no engine bookkeeping, no gradient tape), and the caller
 * disposes the intermediate results it does not return.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { NativeConvShape } from "./native.ts";

/** A backend plus its registered name, enough to look up and run its kernels. */
export interface KernelContext {
  /** The backend instance the calling kernel received. */
  backend: tf.KernelBackend;
  /** The name the backend is registered under ("wasm", "native", ...). */
  backendName: string;
}

/**
 * Run a registered kernel of the context's backend.
 *
 * @param ctx backend and its name
 * @param kernelName kernel to run, e.g. `tf.Transpose`
 * @param inputs named input tensors
 * @param attrs kernel attributes
 * @returns the kernel's (single) output; the caller owns it
 * @throws {Error} when the backend has no such kernel
 */
export function callKernel(
  ctx: KernelContext,
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const config = tf.getKernel(kernelName, ctx.backendName);
  if (!config) throw new Error(`Expected a ${kernelName} kernel on backend '${ctx.backendName}' but found none`);
  const out = config.kernelFunc({ inputs, backend: ctx.backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

/**
 * Release intermediate results of {@linkcode callKernel}.
 *
 * @param ctx backend and its name
 * @param infos tensors to release (undefined entries are skipped)
 */
export function disposeIntermediates(ctx: KernelContext, ...infos: (tf.TensorInfo | undefined)[]): void {
  for (const info of infos) if (info) ctx.backend.disposeData(info.dataId);
}

/**
 * Register (or replace, without tfjs's "already registered" warning) a kernel for a backend.
 *
 * @param config the kernel configuration
 */
export function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) {
    tf.unregisterKernel(config.kernelName, config.backendName);
  }
  tf.registerKernel(config);
}

/**
 * tfjs' conv geometry for NHWC input and filter shapes and a conv kernel's attributes.
 *
 * @param inShape input shape [N, H, W, C]
 * @param filterShape filter shape [kh, kw, in, out]
 * @param a the kernel's stride, padding and rounding attributes
 * @param dilations dilation (1 for the gradient kernels)
 * @returns the geometry
 */
export function convInfo(
  inShape: number[],
  filterShape: number[],
  a: { strides: number | [number, number]; pad: tf.Conv2DAttrs["pad"]; dimRoundingMode?: "floor" | "round" | "ceil" },
  dilations: number | [number, number] = 1,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    dilations,
    a.pad,
    a.dimRoundingMode,
  );
}

/**
 * Zero-pad an NHWC input by a convolution's padding, so that the kernels after it can use
 * "valid" geometry.
 *
 * @param ctx the backend whose PadV2 kernel runs
 * @param x the input [N, H, W, C]
 * @param info the convolution's geometry (its `padInfo`)
 * @returns the padded input, or undefined when there is no padding (use `x`; nothing to dispose)
 */
export function padForConv(
  ctx: KernelContext,
  x: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | undefined {
  const { top, bottom, left, right } = info.padInfo;
  if (!(top || bottom || left || right)) return undefined;
  return callKernel(ctx, tf.PadV2, { x }, {
    paddings: [[0, 0], [top, bottom], [left, right], [0, 0]],
    constantValue: 0,
  });
}

/**
 * The native kernels' description of a tfjs conv geometry.
 *
 * @param info tfjs' geometry ({@linkcode convInfo})
 * @returns the same geometry for `native.ts`
 */
export function nativeConvShape(info: tf.backend_util.Conv2DInfo): NativeConvShape {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * The float32 values of a tensor held by a cpu-based backend (a copy only when stored otherwise).
 *
 * @param backend the cpu-based backend holding the tensor
 * @param t the tensor
 * @returns its values
 */
export function float32Values(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : Float32Array.from(v as ArrayLike<number>);
}
