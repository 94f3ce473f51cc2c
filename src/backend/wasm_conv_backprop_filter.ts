/**
 * A `Conv2DBackpropFilter` kernel for the tfjs `wasm` backend, which has none (so wasm cannot
 * train a convolution out of the box). It is composed from kernels wasm runs with XNNPACK:
 *
 * - batch >= 8 ("convolution trick"): dw[i, j, ci, co] = sum_{n, oh, ow} x[n, oh*s + i, ow*s + j, ci]
 *   * dy[n, oh, ow, co] is itself a convolution of x^T [ci, H, W, n] with the filter
 *   dy^T [oh, ow, n, co] at dilation s, giving [ci, i, j, co], transposed back.
 * - small batches (a whole image): im2col by kh * kw slices, then one matmul dy^T [co, M] x cols [M, K].
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { convInfo } from "./kernel_call.ts";
import "@tensorflow/tfjs-backend-wasm";
import { callKernel, disposeIntermediates, type KernelContext, padForConv, replaceKernel } from "./kernel_call.ts";

/** Batches at least this large use the convolution trick; smaller ones use im2col + matmul. */
export const CONV_TRICK_MIN_BATCH = 8;

/**
 * Register the wasm `Conv2DBackpropFilter` kernel (idempotent; replaces an earlier registration).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { registerWasmConvBackpropFilter } from "./wasm_conv_backprop_filter.ts";
 * registerWasmConvBackpropFilter();
 * await tf.setBackend("wasm");
 * ```
 */
export function registerWasmConvBackpropFilter(): void {
  replaceKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: "wasm",
    kernelFunc: wasmConv2dBackpropFilter as unknown as tf.KernelFunc,
  });
}

/**
 * The kernel function: dw [kh, kw, Cin, Cout] from x [N, H, W, Cin] and dy [N, Ho, Wo, Cout].
 *
 * @param args tfjs kernel arguments (inputs x, dy; attrs strides, pad, dataFormat, dimRoundingMode, filterShape)
 * @returns the filter gradient
 */
export function wasmConv2dBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = args.inputs as Record<"x" | "dy", tf.TensorInfo>;
  const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (a.dataFormat === "NCHW") {
    throw new Error("wasm Conv2DBackpropFilter supports dataFormat NHWC only but found NCHW");
  }
  const info = convInfo(x.shape, a.filterShape, a);
  const ctx: KernelContext = { backend: args.backend, backendName: "wasm" };
  const padded = padForConv(ctx, x, info);
  const xp = padded ?? x;
  try {
    return info.batchSize >= CONV_TRICK_MIN_BATCH ? viaConvolution(ctx, xp, dy, info) : viaIm2col(ctx, xp, dy, info);
  } finally {
    disposeIntermediates(ctx, padded);
  }
}

/** dw as a dilated convolution with batch and channels swapped. */
function viaConvolution(
  ctx: KernelContext,
  xp: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const xt = callKernel(ctx, tf.Transpose, { x: xp }, { perm: [3, 1, 2, 0] }); // [Cin, Hp, Wp, N]
  const f = callKernel(ctx, tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // [Ho, Wo, N, Cout]
  const r = callKernel(ctx, tf.Conv2D, { x: xt, filter: f }, {
    strides: 1,
    pad: "valid",
    dataFormat: "NHWC",
    dilations: [info.strideHeight, info.strideWidth],
  }); // [Cin, >= kh, >= kw, Cout]
  const cut = r.shape[1] !== kh || r.shape[2] !== kw
    ? callKernel(ctx, tf.Slice, { x: r }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] })
    : undefined;
  const out = callKernel(ctx, tf.Transpose, { x: cut ?? r }, { perm: [1, 2, 0, 3] });
  disposeIntermediates(ctx, xt, f, r, cut);
  return out;
}

/**
 * dw as dy^T x im2col(x), with im2col built from kh * kw (strided) slices: one large
 * matrix product, run by whatever backend `ctx` names (wasm here; webgpu reuses it).
 *
 * @param ctx the backend whose kernels run the slices, concat and matmul
 * @param xp the (already padded) input [N, Hp, Wp, Cin]
 * @param dy the output gradient [N, Ho, Wo, Cout]
 * @param info the convolution's geometry
 * @returns dw [kh, kw, Cin, Cout]
 */
export function viaIm2col(
  ctx: KernelContext,
  xp: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, batchSize: n } = info;
  const m = n * ho * wo;
  const cols: tf.TensorInfo[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      cols.push(
        sh === 1 && sw === 1
          ? callKernel(ctx, tf.Slice, { x: xp }, { begin: [0, i, j, 0], size: [n, ho, wo, ci] })
          : callKernel(ctx, tf.StridedSlice, { x: xp }, {
            begin: [0, i, j, 0],
            end: [n, i + (ho - 1) * sh + 1, j + (wo - 1) * sw + 1, ci],
            strides: [1, sh, sw, 1],
            beginMask: 0,
            endMask: 0,
            ellipsisMask: 0,
            newAxisMask: 0,
            shrinkAxisMask: 0,
          }),
      );
    }
  }
  const cat = cols.length === 1 ? cols[0] : callKernel(ctx, tf.Concat, cols as unknown as tf.NamedTensorInfoMap, {
    axis: 3,
  });
  const colMat = callKernel(ctx, tf.Reshape, { x: cat }, { shape: [1, m, kh * kw * ci] });
  const dyMat = callKernel(ctx, tf.Reshape, { x: dy }, { shape: [m, co] });
  const dyT = callKernel(ctx, tf.Transpose, { x: dyMat }, { perm: [1, 0] });
  const dyT3 = callKernel(ctx, tf.Reshape, { x: dyT }, { shape: [1, co, m] });
  // Non-transposed operands keep wasm's matmul on its fast (XNNPACK) path.
  const prod = callKernel(ctx, tf.BatchMatMul, { a: dyT3, b: colMat }, { transposeA: false, transposeB: false });
  const prod2 = callKernel(ctx, tf.Reshape, { x: prod }, { shape: [co, kh * kw * ci] });
  const dwT = callKernel(ctx, tf.Transpose, { x: prod2 }, { perm: [1, 0] });
  const out = callKernel(ctx, tf.Reshape, { x: dwT }, { shape: [kh, kw, ci, co] });
  disposeIntermediates(ctx, ...cols, cols.length === 1 ? undefined : cat, colMat, dyMat, dyT, dyT3, prod, prod2, dwT);
  return out;
}
