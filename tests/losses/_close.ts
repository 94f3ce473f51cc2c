import { assert } from "../assert.ts";
import type * as tf from "@tensorflow/tfjs-core";

/**
 * Assert that a scalar tensor holds `expected` to float32 precision, and free it.
 *
 * @param t the scalar
 * @param expected the hand-computed value
 * @param tolerance absolute tolerance
 */
export function assertScalar(t: tf.Scalar, expected: number, tolerance = 1e-6): void {
  const v = t.dataSync()[0];
  t.dispose();
  assert(Math.abs(v - expected) <= tolerance, `expected ${expected} but found ${v}`);
}
