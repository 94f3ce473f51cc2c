/**
 * Elementwise and reduction kernels for the "native" backend: Multiply, Add, Sub, Greater,
 * Select, LeakyRelu, Tanh and Sum. They carry a training step's bias gradients and LeakyReLU (with its
 * gradient, Greater + Multiply + Select), which in tfjs's pure-JS cpu kernels cost more than the
 * native convolutions. Anything else (other dtypes, general broadcasting, small tensors) goes to
 * the cpu kernel.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import { nativeBinary, type NativeBinaryOp, nativeLeakyRelu, nativeSelect, nativeSum, nativeTanh } from "./native.ts";

/** Below this many elements the cpu kernel is as fast (no FFI call, no thread wake-up). */
export const NATIVE_ELEMENTWISE_MIN_SIZE = 4096;

/** A kernel function of the cpu backend (or its native replacement). */
export type CpuKernel = (args: {
  inputs: tf.NamedTensorInfoMap;
  backend: MathBackendCPU;
  attrs: tf.NamedAttrMap;
}) => tf.TensorInfo;

function stored(backend: MathBackendCPU, t: tf.TensorInfo) {
  return backend.data.get(t.dataId).values;
}

/** The operand's shape without leading 1s equals the trailing part of out (so it repeats periodically). */
function repeatsInto(shape: number[], out: number[]): boolean {
  let s = 0;
  while (s < shape.length && shape[s] === 1) s++;
  const core = shape.slice(s);
  return core.length <= out.length && core.every((d, i) => d === out[out.length - core.length + i]);
}

/**
 * A native Multiply/Add/Sub/Greater kernel (float32 operands).
 *
 * @param op the operation
 * @param cpu the cpu kernel for the cases not handled natively
 * @returns the kernel function
 */
export function binaryKernel(op: NativeBinaryOp, cpu: CpuKernel): CpuKernel {
  return (args) => {
    const { a, b } = args.inputs as Record<"a" | "b", tf.TensorInfo>;
    if (a.dtype !== "float32" || b.dtype !== "float32") return cpu(args);
    const out = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const n = tf.util.sizeFromShape(out);
    if (n < NATIVE_ELEMENTWISE_MIN_SIZE || !repeatsInto(a.shape, out) || !repeatsInto(b.shape, out)) return cpu(args);
    const av = stored(args.backend, a), bv = stored(args.backend, b);
    if (!(av instanceof Float32Array && bv instanceof Float32Array)) return cpu(args);
    const values = nativeBinary(op, av, bv, n);
    return args.backend.makeTensorInfo(out, op === "greater" ? "bool" : "float32", values);
  };
}

/**
 * A native Select (where) kernel for a bool condition and float32 branches of one shape.
 *
 * @param cpu the cpu kernel for other cases
 * @returns the kernel function
 */
export function selectKernel(cpu: CpuKernel): CpuKernel {
  return (args) => {
    const { condition, t, e } = args.inputs as Record<"condition" | "t" | "e", tf.TensorInfo>;
    const n = tf.util.sizeFromShape(t.shape);
    if (
      condition.dtype !== "bool" || t.dtype !== "float32" || e.dtype !== "float32" || n < NATIVE_ELEMENTWISE_MIN_SIZE ||
      !tf.util.arraysEqual(condition.shape, t.shape) || !tf.util.arraysEqual(t.shape, e.shape)
    ) {
      return cpu(args);
    }
    const cv = stored(args.backend, condition), tv = stored(args.backend, t), ev = stored(args.backend, e);
    if (!(cv instanceof Uint8Array && tv instanceof Float32Array && ev instanceof Float32Array)) return cpu(args);
    return args.backend.makeTensorInfo(t.shape, "float32", nativeSelect(cv, tv, ev));
  };
}

/**
 * A native LeakyRelu kernel (float32).
 *
 * @param cpu the cpu kernel for other cases
 * @returns the kernel function
 */
export function leakyReluKernel(cpu: CpuKernel): CpuKernel {
  return (args) => {
    const { x } = args.inputs as Record<"x", tf.TensorInfo>;
    const xv = stored(args.backend, x);
    if (x.dtype !== "float32" || !(xv instanceof Float32Array) || xv.length < NATIVE_ELEMENTWISE_MIN_SIZE) {
      return cpu(args);
    }
    const alpha = (args.attrs as unknown as tf.LeakyReluAttrs).alpha;
    return args.backend.makeTensorInfo(x.shape, "float32", nativeLeakyRelu(xv, alpha));
  };
}

/**
 * A native Tanh kernel (float32): the same values as the cpu kernel's, which calls Math.tanh per
 * element in one JS thread (the last layer of every level; at inspection a few percent of the
 * embedding's time, all of it serial).
 *
 * @param cpu the cpu kernel for other cases
 * @returns the kernel function
 */
export function tanhKernel(cpu: CpuKernel): CpuKernel {
  return (args) => {
    const { x } = args.inputs as Record<"x", tf.TensorInfo>;
    const xv = stored(args.backend, x);
    if (x.dtype !== "float32" || !(xv instanceof Float32Array) || xv.length < NATIVE_ELEMENTWISE_MIN_SIZE) {
      return cpu(args);
    }
    return args.backend.makeTensorInfo(x.shape, "float32", nativeTanh(xv));
  };
}

/**
 * A native Sum kernel for float32 reductions over leading axes (bias gradients: NHWC summed to C)
 * or trailing axes; other axis sets go to the cpu kernel.
 *
 * @param cpu the cpu kernel for other cases
 * @returns the kernel function
 */
export function sumKernel(cpu: CpuKernel): CpuKernel {
  return (args) => {
    const { x } = args.inputs as Record<"x", tf.TensorInfo>;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const xv = stored(args.backend, x);
    if (x.dtype !== "float32" || !(xv instanceof Float32Array) || xv.length < NATIVE_ELEMENTWISE_MIN_SIZE) {
      return cpu(args);
    }
    const rank = x.shape.length;
    const axes = [...tf.util.parseAxisParam(axis, x.shape)].sort((p, q) => p - q);
    const leading = axes.every((ax, i) => ax === i);
    const trailing = axes.every((ax, i) => ax === rank - axes.length + i);
    if (axes.length === 0 || !(leading || trailing)) return cpu(args);
    const kept = x.shape.filter((_, i) => !axes.includes(i));
    const reduced = tf.util.sizeFromShape(axes.map((ax) => x.shape[ax]));
    const rows = leading ? reduced : xv.length / reduced;
    const values = nativeSum(xv, rows, leading ? "rows" : "cols");
    const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(kept, axes) : kept;
    return args.backend.makeTensorInfo(shape, "float32", values);
  };
}
