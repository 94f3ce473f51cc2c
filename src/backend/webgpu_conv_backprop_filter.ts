/**
 * `Conv2DBackpropFilter` kernels for the tfjs `webgpu` backend.
 *
 * The default runs the gradient as one matrix product per batch chunk, dW = im2col(x)^T dy
 * (src/backend/wasm_conv_backprop_filter.ts's `viaIm2col` on webgpu's own slice, concat and
 * tiled matmul kernels), with chunks small enough that im2col stays under WebGPU's 128 MiB
 * storage-binding limit. On llvmpipe it is 4x faster than the split-reduction kernel below
 * for a 64 x 15 x 15 x 32 -> 64 layer. The split-reduction kernel (`PATCHSVDD_WEBGPU_DW=split`):
 *
 * The stock kernel runs one GPU thread per filter weight, each looping over every
 * (image, output row, output column): for a 3x3x64x64 layer that is 37k threads with
 * ~10^5 serial iterations each, a small fraction of a large GPU and the step's dominant
 * kernel. This one splits the reduction over N*Ho*Wo into S chunks (S chosen so that about
 * 2^21 threads run), writes S partial filters, and sums them in a second pass:
 * dW[kh, kw, ci, co] = sum_s sum_{m in chunk s} x[n, y*sh + kh - pt, x*sw + kw - pl, ci] * dy[n, y, x, co].
 * Adjacent threads differ in `co`, so `dy` reads coalesce and `x` reads broadcast.
 *
 * Set `PATCHSVDD_WEBGPU_STOCK_KERNELS=1` to keep tfjs' own kernel (for comparisons).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import {
  callKernel,
  convInfo,
  disposeIntermediates,
  type KernelContext,
  padForConv,
  replaceKernel,
} from "./kernel_call.ts";
import { viaIm2col } from "./wasm_conv_backprop_filter.ts";

/** Largest im2col matrix one chunk may build, bytes (WebGPU's default binding limit is 128 MiB). */
export const IM2COL_CHUNK_BYTES = 64 * 2 ** 20;

/** Threads the first pass aims for (partial filters x filter size). */
const TARGET_THREADS = 1 << 21;
/** Fewest reduction steps a thread gets, so a small layer is not over-split. */
const MIN_CHUNK = 64;
const WORKGROUP = 128;
const MAX_GROUPS_PER_DIM = 65535;

/** The part of tfjs-webgpu's program interface this kernel uses. */
interface GpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  size: boolean;
  uniforms: string;
  getUserCode(): string;
}

/** The part of tfjs-webgpu's backend this kernel uses. */
interface GpuBackend extends tf.KernelBackend {
  runWebGPUProgram(
    program: GpuProgram,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms: { type: "int32" | "float32"; data: number[] }[],
  ): tf.TensorInfo;
}

function flatDispatch(size: number): [number, number, number] {
  const groups = Math.ceil(size / WORKGROUP);
  if (groups <= MAX_GROUPS_PER_DIM) return [groups, 1, 1];
  const x = Math.ceil(Math.sqrt(groups));
  return [x, Math.ceil(groups / x), 1];
}

/**
 * How many chunks to split a reduction of length `m` into for a filter of `e` weights.
 *
 * @param m reduction length N*Ho*Wo
 * @param e filter size kh*kw*Cin*Cout
 * @returns the number of chunks S (1 <= S <= ceil(m / MIN_CHUNK)) and their length
 * @example
 * ```ts
 * import { splitReduction } from "./webgpu_conv_backprop_filter.ts";
 * splitReduction(115200, 36864); // { splits: 57, chunk: 2022 }
 * ```
 */
export function splitReduction(m: number, e: number): { splits: number; chunk: number } {
  const wanted = Math.max(1, Math.ceil(TARGET_THREADS / e));
  const splits = Math.max(1, Math.min(wanted, Math.ceil(m / MIN_CHUNK)));
  const chunk = Math.ceil(m / splits);
  return { splits: Math.ceil(m / chunk), chunk };
}

function partialProgram(splits: number, filterSize: number): GpuProgram {
  const outputShape = [splits, filterSize];
  return {
    variableNames: ["x", "dy"],
    outputShape,
    shaderKey: "patchsvddConv2DDerFilterPartial",
    dispatchLayout: { x: [0, 1] },
    dispatch: flatDispatch(splits * filterSize),
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: "pads : vec2<i32>, strides : vec2<i32>, inHeight : i32, inWidth : i32, outHeight : i32, " +
      "outWidth : i32, filterWidth : i32, inChannels : i32, outChannels : i32, filterSize : i32, chunk : i32, m : i32,",
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let e = index % uniforms.filterSize;
          let s = index / uniforms.filterSize;
          let d2 = e % uniforms.outChannels;
          var r = e / uniforms.outChannels;
          let d1 = r % uniforms.inChannels;
          r = r / uniforms.inChannels;
          let wC = r % uniforms.filterWidth;
          let wR = r / uniforms.filterWidth;
          let mStart = s * uniforms.chunk;
          let mEnd = min(mStart + uniforms.chunk, uniforms.m);
          let plane = uniforms.outHeight * uniforms.outWidth;
          var b = mStart / plane;
          var yR = (mStart - b * plane) / uniforms.outWidth;
          var yC = mStart - b * plane - yR * uniforms.outWidth;
          var acc = 0.0;
          for (var m = mStart; m < mEnd; m = m + 1) {
            let xR = wR + yR * uniforms.strides[0] - uniforms.pads[0];
            let xC = wC + yC * uniforms.strides[1] - uniforms.pads[1];
            if (xR >= 0 && xR < uniforms.inHeight && xC >= 0 && xC < uniforms.inWidth) {
              acc = acc + getX(b, xR, xC, d1) * getDy(b, yR, yC, d2);
            }
            yC = yC + 1;
            if (yC == uniforms.outWidth) {
              yC = 0;
              yR = yR + 1;
              if (yR == uniforms.outHeight) {
                yR = 0;
                b = b + 1;
              }
            }
          }
          setOutputAtIndex(index, acc);
        }
      }`,
  };
}

function sumProgram(filterShape: number[]): GpuProgram {
  const size = filterShape.reduce((a, b) => a * b, 1);
  return {
    variableNames: ["partial"],
    outputShape: filterShape,
    shaderKey: "patchsvddConv2DDerFilterSum",
    dispatchLayout: { x: filterShape.map((_, i) => i) },
    dispatch: flatDispatch(size),
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    uniforms: "splits : i32,",
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          var acc = 0.0;
          for (var s = 0; s < uniforms.splits; s = s + 1) {
            acc = acc + partial[s * uniforms.size + index];
          }
          setOutputAtIndex(index, acc);
        }
      }`,
  };
}

/**
 * The kernel function: dW [kh, kw, Cin, Cout] from x [N, H, W, Cin] and dy [N, Ho, Wo, Cout].
 *
 * @param args tfjs kernel arguments (inputs x, dy; attrs filterShape, strides, pad, dimRoundingMode)
 * @returns the filter gradient
 */
export function webgpuConv2dBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { x, dy } = args.inputs as Record<"x" | "dy", tf.TensorInfo>;
  const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const backend = args.backend as GpuBackend;
  const info = convInfo(x.shape as [number, number, number, number], a.filterShape, a);
  const filterSize = info.filterHeight * info.filterWidth * info.inChannels * info.outChannels;
  const m = info.batchSize * info.outHeight * info.outWidth;
  const { splits, chunk } = splitReduction(m, filterSize);
  const i32 = (...data: number[]) => ({ type: "int32" as const, data });
  const partial = backend.runWebGPUProgram(partialProgram(splits, filterSize), [x, dy], "float32", [
    i32(info.padInfo.top, info.padInfo.left),
    i32(info.strideHeight, info.strideWidth),
    i32(info.inHeight),
    i32(info.inWidth),
    i32(info.outHeight),
    i32(info.outWidth),
    i32(info.filterWidth),
    i32(info.inChannels),
    i32(info.outChannels),
    i32(filterSize),
    i32(chunk),
    i32(m),
  ]);
  const out = backend.runWebGPUProgram(sumProgram(a.filterShape as number[]), [partial], "float32", [i32(splits)]);
  backend.disposeData(partial.dataId);
  return out;
}

/**
 * The im2col kernel function: dW as a sum over batch chunks of im2col(x_chunk)^T dy_chunk.
 *
 * @param args tfjs kernel arguments (inputs x, dy; attrs filterShape, strides, pad, dimRoundingMode)
 * @param chunkBytes largest im2col matrix per chunk (default {@linkcode IM2COL_CHUNK_BYTES})
 * @returns the filter gradient
 */
export function webgpuConv2dBackpropFilterIm2col(
  args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap },
  chunkBytes = IM2COL_CHUNK_BYTES,
): tf.TensorInfo {
  const { x, dy } = args.inputs as Record<"x" | "dy", tf.TensorInfo>;
  const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convInfo(x.shape as [number, number, number, number], a.filterShape, a);
  const ctx: KernelContext = { backend: args.backend, backendName: "webgpu" };
  const padded = padForConv(ctx, x, info);
  const xp = padded ?? x;
  const rowBytes = info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels * 4;
  const per = Math.max(1, Math.floor(chunkBytes / rowBytes));
  let total: tf.TensorInfo | undefined;
  for (let start = 0; start < info.batchSize; start += per) {
    const count = Math.min(per, info.batchSize - start);
    const whole = count === info.batchSize;
    const rows = (t: tf.TensorInfo) =>
      callKernel(ctx, tf.Slice, { x: t }, { begin: [start, 0, 0, 0], size: [count, ...t.shape.slice(1)] });
    const xs = whole ? xp : rows(xp), ds = whole ? dy : rows(dy);
    const part = viaIm2col(ctx, xs, ds, { ...info, batchSize: count });
    if (!whole) disposeIntermediates(ctx, xs, ds);
    if (total === undefined) total = part;
    else {
      const sum = callKernel(ctx, tf.Add, { a: total, b: part });
      disposeIntermediates(ctx, total, part);
      total = sum;
    }
  }
  disposeIntermediates(ctx, padded);
  return total!;
}

/**
 * Replace the webgpu `Conv2DBackpropFilter` kernel (idempotent; a no-op when
 * `PATCHSVDD_WEBGPU_STOCK_KERNELS=1`): im2col + matmul, or the split-reduction kernel with
 * `PATCHSVDD_WEBGPU_DW=split`. NCHW inputs still go to the original.
 *
 * @returns true when the split-reduction kernel is active
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-webgpu";
 * import { registerWebgpuConvBackpropFilter } from "./webgpu_conv_backprop_filter.ts";
 * registerWebgpuConvBackpropFilter();
 * ```
 */
export function registerWebgpuConvBackpropFilter(): boolean {
  if (Deno.env.get("PATCHSVDD_WEBGPU_STOCK_KERNELS") === "1") return false;
  const current = tf.getKernel(tf.Conv2DBackpropFilter, "webgpu");
  if (!current) throw new Error("Expected the webgpu backend's Conv2DBackpropFilter kernel to be registered");
  if ((current.kernelFunc as { splitReduction?: boolean }).splitReduction) return true;
  const original = current.kernelFunc;
  const split = Deno.env.get("PATCHSVDD_WEBGPU_DW") === "split";
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: tf.KernelBackend; attrs: tf.NamedAttrMap }) => {
    const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (a.dataFormat === "NCHW") return original(args);
    return split ? webgpuConv2dBackpropFilter(args) : webgpuConv2dBackpropFilterIm2col(args);
  };
  Object.assign(kernelFunc, { splitReduction: true });
  replaceKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: "webgpu",
    setupFunc: current.setupFunc,
    disposeFunc: current.disposeFunc,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  });
  return true;
}
