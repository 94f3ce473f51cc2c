/**
 * Shared helpers for the backend tests: seeded random tensors, running the same computation on
 * two backends, and relative comparison.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../../src/util/rng.ts";

/** Uniform values in [-scale, scale), from a seed. */
export function randomValues(size: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * rng.next() - 1) * scale;
  return out;
}

/** A seeded random tensor of the given shape. */
export function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(randomValues(shape.reduce((a, b) => a * b, 1), seed, scale), shape);
}

/**
 * Run `build` on each backend in turn and read back every output.
 *
 * @returns per backend, the outputs' values
 */
export async function onBackends(backends: string[], build: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[][]> {
  const results: Float32Array[][] = [];
  for (const name of backends) {
    if (!(await tf.setBackend(name))) throw new Error(`backend ${name} failed to start`);
    // The cpu backend greets its first tensor with advice to install tfjs-node; not in test logs.
    const backend = tf.backend() as unknown as { firstUse?: boolean };
    if (backend.firstUse) backend.firstUse = false;
    const outs = tf.tidy(() => {
      const r = build();
      return Array.isArray(r) ? r : [r];
    });
    results.push(outs.map((t) => t.dataSync() as Float32Array));
    tf.dispose(outs);
  }
  return results;
}

/** Max |a - b| divided by max |a| (0 for two zero arrays). */
export function relativeMaxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Throws unless b equals a within `tolerance` relative to a's scale. */
export function assertClose(a: Float32Array, b: Float32Array, tolerance: number, what: string): void {
  const d = relativeMaxDiff(a, b);
  if (!(d <= tolerance)) throw new Error(`${what}: relative max difference ${d} > ${tolerance}`);
}
