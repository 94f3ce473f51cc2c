/**
 * Per-kernel time profile of a piece of tfjs work (`tf.profile`): kernel name -> total ms and
 * call count, largest first.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";

/** Time spent in one tfjs kernel (all its calls). */
export interface KernelShare {
  /** Kernel name, e.g. `Conv2DBackpropFilter`. */
  name: string;
  /** Summed kernel time, ms. */
  ms: number;
  /** Number of calls. */
  calls: number;
  /** Fraction of the summed time of every kernel. */
  share: number;
}

/** The profile of one run of a function. */
export interface KernelProfile {
  /** Wall time of the profiled run, ms (profiling overhead included). */
  wall_ms: number;
  /** Summed time of every kernel call, ms. */
  kernel_total_ms: number;
  /** Number of kernel calls (op scopes wrapped around kernels are not counted). */
  kernel_calls: number;
  /** The largest kernels by time (at most `top`). */
  top: KernelShare[];
}

/**
 * Run `f` once under `tf.profile` and sum kernel times by kernel name.
 *
 * @param f the work to profile (its tensors should be disposed by itself)
 * @param top how many kernels to keep
 * @returns the profile
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { profileKernels } from "./profile.ts";
 * await tf.setBackend("cpu");
 * const a = tf.ones([64, 64]);
 * const p = await profileKernels(() => tf.tidy(() => tf.sum(tf.matMul(a, a)).dataSync()[0]));
 * console.log(p.top[0].name); // e.g. "BatchMatMul"
 * ```
 */
export async function profileKernels(
  f: () => tf.TensorContainer | Promise<tf.TensorContainer>,
  top = 10,
): Promise<KernelProfile> {
  const t0 = performance.now();
  const info = await tf.profile(f);
  const wall = performance.now() - t0;
  const byName = new Map<string, { ms: number; calls: number }>();
  const backend = tf.getBackend();
  for (const k of info.kernels) {
    // Ops with a custom gradient (e.g. fusedConv2d__op) are recorded too, around their kernels: skip them.
    if (!tf.getKernel(k.name, backend)) continue;
    const t = await k.kernelTimeMs;
    const ms = typeof t === "number" ? t : 0;
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    byName.set(k.name, e);
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0);
  const rows = [...byName.entries()]
    .map(([name, e]) => ({ name, ms: round3(e.ms), calls: e.calls, share: total > 0 ? round3(e.ms / total) : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return {
    wall_ms: round3(wall),
    kernel_total_ms: round3(total),
    kernel_calls: info.kernels.length,
    top: rows.slice(0, top),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
