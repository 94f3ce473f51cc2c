/**
 * `UnsortedSegmentSum` for the cpu-based backends as one pass over the rows. tfjs' cpu kernel
 * builds a mask per segment (O(segments x rows) tensor ops), which makes the gradient of
 * `tf.gather` from a large table (dense sampling gathers from ~20k grid cells) take minutes.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { CpuKernel } from "./native_elementwise.ts";

/**
 * Sum rows into segments (pure): out[ids[i]] += x[i]; ids outside [0, numSegments) are dropped,
 * as in TensorFlow.
 *
 * @param x rows, `ids.length * inner` values
 * @param ids segment of each row
 * @param numSegments output rows
 * @param inner values per row
 * @returns `numSegments * inner` sums
 * @example
 * ```ts
 * import { segmentSum } from "./segment_sum.ts";
 * segmentSum(new Float32Array([1, 2, 3]), new Int32Array([1, 1, 0]), 2, 1); // [3, 3]
 * ```
 */
export function segmentSum(x: Float32Array, ids: Int32Array, numSegments: number, inner: number): Float32Array {
  const out = new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner, dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j] += x[src + j];
  }
  return out;
}

/**
 * The kernel: float32 x with int32 segment ids over its first axis; anything else goes to `cpu`.
 *
 * @param cpu the cpu backend's kernel (fallback)
 * @returns the kernel function
 */
export function segmentSumKernel(cpu: CpuKernel): CpuKernel {
  return (args) => {
    const { x, segmentIds } = args.inputs as Record<"x" | "segmentIds", tf.TensorInfo>;
    const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
    if (x.dtype !== "float32" || segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) return cpu(args);
    const xv = (args.backend as MathBackendCPU).data.get(x.dataId).values;
    const idv = (args.backend as MathBackendCPU).data.get(segmentIds.dataId).values;
    if (!(xv instanceof Float32Array)) return cpu(args);
    const ids = idv instanceof Int32Array ? idv : Int32Array.from(idv as ArrayLike<number>);
    const inner = tf.util.sizeFromShape(x.shape.slice(1));
    const out = segmentSum(xv, ids, numSegments, inner);
    return args.backend.makeTensorInfo([numSegments, ...x.shape.slice(1)], "float32", out);
  };
}
