/**
 * A faster `Conv2DBackpropInput` kernel for the tfjs `wasm` backend. wasm's own kernel is a plain
 * loop (about 1 GFLOP/s); this one runs the gradient as a forward convolution on XNNPACK
 * (about 10x faster): dx = conv(pad(upsample(dy)), flip(w)^T), where upsample inserts stride - 1
 * zeros between dy's pixels and the padding makes the convolution "full".
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { convInfo } from "./kernel_call.ts";
import "@tensorflow/tfjs-backend-wasm";
import { callKernel, disposeIntermediates, type KernelContext, replaceKernel } from "./kernel_call.ts";

/**
 * Replace the wasm `Conv2DBackpropInput` kernel (idempotent). NCHW inputs still go to the
 * original kernel.
 *
 * @example
 * ```ts
 * import { registerWasmConvBackpropInput } from "./wasm_conv_backprop_input.ts";
 * registerWasmConvBackpropInput();
 * ```
 */
export function registerWasmConvBackpropInput(): void {
  const current = tf.getKernel(tf.Conv2DBackpropInput, "wasm");
  if (!current) throw new Error("Expected the wasm backend's Conv2DBackpropInput kernel to be registered");
  if ((current.kernelFunc as { viaConvolution?: boolean }).viaConvolution) return;
  const original = current.kernelFunc;
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }) => {
    const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (a.dataFormat === "NCHW") return original(args);
    return wasmConv2dBackpropInput(args);
  };
  Object.assign(kernelFunc, { viaConvolution: true });
  replaceKernel({
    kernelName: tf.Conv2DBackpropInput,
    backendName: "wasm",
    setupFunc: current.setupFunc,
    disposeFunc: current.disposeFunc,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  });
}

/**
 * The kernel function: dx [N, H, W, Cin] from dy [N, Ho, Wo, Cout] and the filter [kh, kw, Cin, Cout].
 *
 * @param args tfjs kernel arguments (inputs dy, filter; attrs inputShape, strides, pad, dimRoundingMode)
 * @returns the input gradient
 */
export function wasmConv2dBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { dy, filter } = args.inputs as Record<"dy" | "filter", tf.TensorInfo>;
  const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = convInfo(a.inputShape, filter.shape, a);
  const ctx: KernelContext = { backend: args.backend, backendName: "wasm" };
  const { batchSize: n, outHeight: ho, outWidth: wo, outChannels: co, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: kh, filterWidth: kw, inHeight: h, inWidth: w } = info;
  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo) => (temps.push(t), t);

  // dy with stride - 1 zeros between pixels: [N, (Ho-1)*sh + 1, (Wo-1)*sw + 1, Cout].
  let up: tf.TensorInfo = dy;
  if (sh > 1 || sw > 1) {
    const six = keep(callKernel(ctx, tf.Reshape, { x: dy }, { shape: [n, ho, 1, wo, 1, co] }));
    const spread = keep(callKernel(ctx, tf.PadV2, { x: six }, {
      paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
      constantValue: 0,
    }));
    const flat = keep(callKernel(ctx, tf.Reshape, { x: spread }, { shape: [n, ho * sh, wo * sw, co] }));
    up = keep(
      callKernel(ctx, tf.Slice, { x: flat }, {
        begin: [0, 0, 0, 0],
        size: [n, (ho - 1) * sh + 1, (wo - 1) * sw + 1, co],
      }),
    );
  }
  // Full-convolution padding; negative amounts (rows the forward pass never read) become crops.
  const uh = up.shape[1], uw = up.shape[2];
  const padTop = kh - 1 - info.padInfo.top, padLeft = kw - 1 - info.padInfo.left;
  const padBottom = h + kh - 1 - uh - padTop, padRight = w + kw - 1 - uw - padLeft;
  const pads = [[0, 0], [Math.max(0, padTop), Math.max(0, padBottom)], [Math.max(0, padLeft), Math.max(0, padRight)], [
    0,
    0,
  ]];
  let src: tf.TensorInfo = up;
  if (pads.some(([p, q]) => p > 0 || q > 0)) {
    src = keep(callKernel(ctx, tf.PadV2, { x: up }, { paddings: pads, constantValue: 0 }));
  }
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) {
    const cropTop = Math.max(0, -padTop), cropLeft = Math.max(0, -padLeft);
    src = keep(callKernel(ctx, tf.Slice, { x: src }, {
      begin: [0, cropTop, cropLeft, 0],
      size: [n, src.shape[1] - cropTop - Math.max(0, -padBottom), src.shape[2] - cropLeft - Math.max(0, -padRight), co],
    }));
  }
  const flipped = keep(callKernel(ctx, tf.Reverse, { x: filter }, { dims: [0, 1] }));
  const wT = keep(callKernel(ctx, tf.Transpose, { x: flipped }, { perm: [0, 1, 3, 2] })); // [kh, kw, Cout, Cin]
  const dx = callKernel(ctx, tf.Conv2D, { x: src, filter: wT }, {
    strides: 1,
    pad: "valid",
    dataFormat: "NHWC",
    dilations: 1,
  });
  disposeIntermediates(ctx, ...temps);
  return dx;
}
