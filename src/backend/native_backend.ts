/**
 * The tfjs backend "native": the pure-JS `cpu` backend (tensors live in JS typed arrays) with its
 * heavy kernels (Conv2D, its two gradients, FusedConv2D, BatchMatMul, _FusedMatMul, and the
 * elementwise/reduction kernels of a training step, see `native_elementwise.ts`) replaced by the
 * native C++ kernels of `native.ts` (UnsortedSegmentSum and channel-keeping Transpose by faster
 * JS ones, `segment_sum.ts`, `run_transpose.ts`). Cases the native kernels do not cover (NCHW, non-float32,
 * PReLU or ELU epilogues, exotic broadcasting) fall through to the cpu implementation.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import {
  loadNative,
  type NativeActivation,
  nativeConv2d,
  nativeConv2dBackpropFilter,
  nativeConv2dBackpropInput,
  nativeMatMul,
} from "./native.ts";
import { binaryKernel, leakyReluKernel, selectKernel, sumKernel, tanhKernel } from "./native_elementwise.ts";
import { convInfo, float32Values, nativeConvShape } from "./kernel_call.ts";
import { segmentSumKernel } from "./segment_sum.ts";
import { transposeKernel } from "./run_transpose.ts";
import { registerLeakyKernels } from "./leaky_kernels.ts";
import { registerBoundKernels } from "./bound_kernels.ts";

/** Name under which the backend is registered with tfjs. */
export const NATIVE_BACKEND_NAME = "native";

/** Kernels that run natively on the "native" backend; every other kernel is the cpu backend's. */
export const NATIVE_KERNEL_NAMES: readonly string[] = [
  tf.UnsortedSegmentSum,
  tf.Conv2D,
  tf.Conv2DBackpropInput,
  tf.Conv2DBackpropFilter,
  tf.FusedConv2D,
  tf.BatchMatMul,
  tf._FusedMatMul,
  tf.Multiply,
  tf.Add,
  tf.Sub,
  tf.Greater,
  tf.RealDiv,
  tf.Select,
  tf.LeakyRelu,
  tf.Tanh,
  tf.Sum,
  tf.Transpose,
];

/** Kernel inputs, all present. */
type Inputs<K extends string> = Record<K, tf.TensorInfo>;

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: MathBackendCPU; attrs: tf.NamedAttrMap };
type KernelImpl = (args: KernelArgs) => tf.TensorInfo;

/**
 * Register the "native" tfjs backend (idempotent). Requires the cpu backend's kernels, which this
 * module imports.
 *
 * @param priority tfjs backend priority (the cpu backend has 1, wasm 2, webgpu 3)
 * @returns null on success, or a one-line reason why the native library is unavailable (nothing
 *   is registered then)
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { registerNativeBackend } from "./native_backend.ts";
 * const problem = registerNativeBackend();
 * if (problem === null) await tf.setBackend("native");
 * ```
 */
export function registerNativeBackend(priority = 1): string | null {
  const lib = loadNative();
  if ("reason" in lib) return lib.reason;
  if (tf.findBackendFactory(NATIVE_BACKEND_NAME) !== null) return null;

  const cpuKernels = tf.getKernelsForBackend("cpu");
  if (cpuKernels.length === 0) return "the tfjs cpu backend's kernels are not registered";
  const cpuFunc = new Map<string, KernelImpl>();
  for (const config of cpuKernels) {
    cpuFunc.set(config.kernelName, config.kernelFunc as unknown as KernelImpl);
    if (NATIVE_KERNEL_NAMES.includes(config.kernelName)) continue;
    tf.registerKernel({ ...config, backendName: NATIVE_BACKEND_NAME });
  }
  const fallback = (name: string): KernelImpl => {
    const f = cpuFunc.get(name);
    if (!f) throw new Error(`The cpu backend has no ${name} kernel to fall back to`);
    return f;
  };
  const natives: Record<string, KernelImpl> = {
    [tf.Conv2D]: conv2dKernel(fallback(tf.Conv2D)),
    [tf.FusedConv2D]: fusedConv2dKernel(fallback(tf.FusedConv2D)),
    [tf.Conv2DBackpropInput]: conv2dBackpropInputKernel(fallback(tf.Conv2DBackpropInput)),
    [tf.Conv2DBackpropFilter]: conv2dBackpropFilterKernel(fallback(tf.Conv2DBackpropFilter)),
    [tf.BatchMatMul]: matMulKernel(fallback(tf.BatchMatMul), false),
    [tf._FusedMatMul]: matMulKernel(fallback(tf._FusedMatMul), true),
    [tf.Multiply]: binaryKernel("mul", fallback(tf.Multiply)),
    [tf.Add]: binaryKernel("add", fallback(tf.Add)),
    [tf.Sub]: binaryKernel("sub", fallback(tf.Sub)),
    [tf.Greater]: binaryKernel("greater", fallback(tf.Greater)),
    [tf.RealDiv]: binaryKernel("div", fallback(tf.RealDiv)),
    [tf.Select]: selectKernel(fallback(tf.Select)),
    [tf.LeakyRelu]: leakyReluKernel(fallback(tf.LeakyRelu)),
    [tf.Tanh]: tanhKernel(fallback(tf.Tanh)),
    [tf.Sum]: sumKernel(fallback(tf.Sum)),
    [tf.UnsortedSegmentSum]: segmentSumKernel(fallback(tf.UnsortedSegmentSum)),
    [tf.Transpose]: transposeKernel(fallback(tf.Transpose)),
  };
  for (const [kernelName, impl] of Object.entries(natives)) {
    tf.registerKernel({
      kernelName,
      backendName: NATIVE_BACKEND_NAME,
      kernelFunc: impl as unknown as tf.KernelFunc,
    });
  }
  registerLeakyKernels(NATIVE_BACKEND_NAME);
  registerBoundKernels(NATIVE_BACKEND_NAME);
  tf.registerBackend(NATIVE_BACKEND_NAME, () => {
    const backend = new MathBackendCPU();
    // The cpu backend greets its first tensor under Node/Deno with advice to install tfjs-node; the
    // native backend is the fast path, so silence it.
    (backend as unknown as { firstUse: boolean }).firstUse = false;
    return backend;
  }, priority);
  return null;
}

function isFloat(...ts: (tf.TensorInfo | undefined)[]): boolean {
  return ts.every((t) => t === undefined || t.dtype === "float32");
}

/** The fused epilogues the native kernels implement. */
function nativeActivation(activation: unknown): NativeActivation | null {
  if (activation === undefined || activation === null || activation === "linear") return "linear";
  if (activation === "relu" || activation === "leakyrelu") return activation;
  return null;
}

/** A bias the native epilogue can add: one value per output channel. */
function channelBias(backend: MathBackendCPU, bias: tf.TensorInfo | undefined, channels: number) {
  if (bias === undefined) return null;
  const size = tf.util.sizeFromShape(bias.shape);
  if (size !== channels || (bias.shape.length > 0 && bias.shape[bias.shape.length - 1] !== channels)) {
    return undefined; // needs broadcasting: not native
  }
  return float32Values(backend, bias);
}

function conv2dKernel(cpu: KernelImpl): KernelImpl {
  return (args) => {
    const { x, filter } = args.inputs as Inputs<"x" | "filter">;
    const a = args.attrs as unknown as tf.Conv2DAttrs;
    if (a.dataFormat === "NCHW" || !isFloat(x, filter)) return cpu(args);
    const info = convInfo(x.shape, filter.shape, a, a.dilations);
    const y = nativeConv2d(float32Values(args.backend, x), float32Values(args.backend, filter), nativeConvShape(info));
    return args.backend.makeTensorInfo(info.outShape, "float32", y);
  };
}

function fusedConv2dKernel(cpu: KernelImpl): KernelImpl {
  return (args) => {
    const { x, filter } = args.inputs as Inputs<"x" | "filter">;
    const { bias, preluActivationWeights } = args.inputs;
    const a = args.attrs as unknown as tf.FusedConv2DAttrs;
    const act = nativeActivation(a.activation);
    if (a.dataFormat === "NCHW" || act === null || preluActivationWeights || !isFloat(x, filter, bias)) {
      return cpu(args);
    }
    const info = convInfo(x.shape, filter.shape, a, a.dilations);
    const b = channelBias(args.backend, bias, info.outChannels);
    if (b === undefined) return cpu(args);
    const y = nativeConv2d(
      float32Values(args.backend, x),
      float32Values(args.backend, filter),
      nativeConvShape(info),
      b,
      act,
      a.leakyreluAlpha ?? 0.2,
    );
    return args.backend.makeTensorInfo(info.outShape, "float32", y);
  };
}

function conv2dBackpropInputKernel(cpu: KernelImpl): KernelImpl {
  return (args) => {
    const { dy, filter } = args.inputs as Inputs<"dy" | "filter">;
    const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (a.dataFormat === "NCHW" || !isFloat(dy, filter)) return cpu(args);
    const info = convInfo(a.inputShape, filter.shape, a, 1);
    const dx = nativeConv2dBackpropInput(
      float32Values(args.backend, dy),
      float32Values(args.backend, filter),
      nativeConvShape(info),
    );
    return args.backend.makeTensorInfo(info.inShape, "float32", dx);
  };
}

function conv2dBackpropFilterKernel(cpu: KernelImpl): KernelImpl {
  return (args) => {
    const { x, dy } = args.inputs as Inputs<"x" | "dy">;
    const a = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (a.dataFormat === "NCHW" || !isFloat(x, dy)) return cpu(args);
    const info = convInfo(x.shape, a.filterShape, a, 1);
    const dw = nativeConv2dBackpropFilter(
      float32Values(args.backend, x),
      float32Values(args.backend, dy),
      nativeConvShape(info),
    );
    return args.backend.makeTensorInfo(info.filterShape, "float32", dw);
  };
}

function matMulKernel(cpu: KernelImpl, fused: boolean): KernelImpl {
  return (args) => {
    const { a, b } = args.inputs as Inputs<"a" | "b">;
    const { bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs as unknown as tf._FusedMatMulAttrs;
    const act = fused ? nativeActivation(attrs.activation) : "linear";
    if (act === null || preluActivationWeights || !isFloat(a, b, bias) || a.shape.length < 2 || b.shape.length < 2) {
      return cpu(args);
    }
    const rA = a.shape.length, rB = b.shape.length;
    const m = attrs.transposeA ? a.shape[rA - 1] : a.shape[rA - 2];
    const k = attrs.transposeA ? a.shape[rA - 2] : a.shape[rA - 1];
    const kB = attrs.transposeB ? b.shape[rB - 1] : b.shape[rB - 2];
    const n = attrs.transposeB ? b.shape[rB - 2] : b.shape[rB - 1];
    const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
    const batchA = tf.util.sizeFromShape(outerA), batchB = tf.util.sizeFromShape(outerB);
    // Native batching covers equal batch shapes or one side without batch (size 1).
    const sameOuter = outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i]);
    if (k !== kB || !(sameOuter || batchA === 1 || batchB === 1)) return cpu(args);
    const biasValues = fused ? channelBias(args.backend, bias, n) : null;
    if (biasValues === undefined) return cpu(args);
    const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
    const c = nativeMatMul(
      float32Values(args.backend, a),
      float32Values(args.backend, b),
      { batchA, batchB, m, n, k, transposeA: attrs.transposeA, transposeB: attrs.transposeB },
      biasValues,
      act,
      attrs.leakyreluAlpha ?? 0.2,
    );
    return args.backend.makeTensorInfo([...outer, m, n], "float32", c);
  };
}
