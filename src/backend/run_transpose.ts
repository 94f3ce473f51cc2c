/**
 * `Transpose` for the cpu-based backends when the last axis stays last: whole runs of the last
 * axis (channels) are copied, where tfjs' cpu kernel converts every element's index. The flat
 * encoder's dense training grid (src/model/cell_embed.ts) moves ~10^6 values per step this way,
 * forward and backward; the cpu kernel took ~70 ms per million values.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { CpuKernel } from "./native_elementwise.ts";

/**
 * Permute the leading axes of a tensor whose last axis stays last (pure).
 *
 * @param x values in row-major order
 * @param shape x's shape (rank >= 2)
 * @param perm output axis i is input axis perm[i]; perm[rank - 1] must be rank - 1
 * @returns the transposed values (same array type)
 * @example
 * ```ts
 * import { transposeRuns } from "./run_transpose.ts";
 * transposeRuns(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), [2, 2, 2], [1, 0, 2]); // [1, 2, 5, 6, 3, 4, 7, 8]
 * ```
 */
export function transposeRuns<T extends Float32Array | Int32Array>(x: T, shape: number[], perm: number[]): T {
  const r = shape.length, run = shape[r - 1];
  if (perm[r - 1] !== r - 1) throw new RangeError(`Expected the last axis to stay last but found perm ${perm}`);
  const inStride = new Array<number>(r - 1);
  for (let k = r - 2, s = run; k >= 0; k--) inStride[k] = s, s *= shape[k];
  const outShape = perm.slice(0, r - 1).map((p) => shape[p]);
  const step = perm.slice(0, r - 1).map((p) => inStride[p]); // input offset per unit of output axis k
  const out = new (x.constructor as { new (n: number): T })(x.length);
  const idx = new Array<number>(r - 1).fill(0);
  const runs = x.length / run;
  let src = 0;
  for (let i = 0; i < runs; i++) {
    out.set(x.subarray(src, src + run), i * run);
    for (let k = r - 2; k >= 0; k--) { // odometer over the output's leading axes
      src += step[k];
      if (++idx[k] < outShape[k]) break;
      src -= step[k] * outShape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/**
 * The kernel: float32 or int32 x, last axis kept and at least 4 long; anything else goes to `cpu`.
 *
 * @param cpu the cpu backend's kernel (fallback)
 * @returns the kernel function
 */
export function transposeKernel(cpu: CpuKernel): CpuKernel {
  return (args) => {
    const { x } = args.inputs as Record<"x", tf.TensorInfo>;
    const { perm } = args.attrs as unknown as tf.TransposeAttrs;
    const r = x.shape.length;
    if (r < 2 || perm[r - 1] !== r - 1 || x.shape[r - 1] < 4) return cpu(args);
    const values = (args.backend as MathBackendCPU).data.get(x.dataId).values;
    if (!(values instanceof Float32Array || values instanceof Int32Array)) return cpu(args);
    const out = transposeRuns(values, x.shape, perm);
    return args.backend.makeTensorInfo(perm.map((p) => x.shape[p]), x.dtype, out);
  };
}
