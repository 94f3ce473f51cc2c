/** The pre-activation bound's one-pass kernels: the same value and gradient as tfjs' own ops. */

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../../src/train/gradients.ts";
import { registerNativeBackend } from "../../src/backend/native_backend.ts";
import { boundTerm, boundTermGrad, hasBoundKernels } from "../../src/backend/bound_kernels.ts";
import { preactBoundLoss } from "../../src/train/preact_bound.ts";
import { assert, assertEquals } from "../assert.ts";
import { assertClose, onBackends, randomTensor } from "./_helpers.ts";

const ignore = registerNativeBackend() !== null;

Deno.test("boundTerm and boundTermGrad: only values past the bound count, with the sign of z", () => {
  const z = new Float32Array([1, -5, 7, -8]);
  // past B = 5: 7 by 2 and -8 by 3, so (4 + 9) / 4
  assertEquals(boundTerm(z, 5), 13 / 4);
  // 2 (|z| - B) sign(z) / n, times dy = 0.5
  assertEquals([...boundTermGrad(z, 5, 0.5)], [0, 0, 0.5 * 2 * 2 / 4, -0.5 * 2 * 3 / 4]);
  assertEquals(boundTerm(new Float32Array(0), 5), 0);
});

/** The bound over two tensors (a dense grid and a batch of codes) and its gradient with respect to both. */
function boundAndGrads(): tf.Tensor[] {
  const grid = randomTensor([2, 9, 9, 16], 1, 8), codes = randomTensor([5, 1, 1, 16], 2, 12);
  const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
    tf.mul(preactBoundLoss([a, b], 5), 3) as tf.Scalar
  )([grid, codes]);
  return [value, ...grads];
}

Deno.test({
  name: "preactBoundLoss on native (one-pass kernels) equals tfjs' ops on cpu: value and gradients",
  ignore,
  fn: async () => {
    const [cpu] = await onBackends(["cpu"], () => {
      assert(!hasBoundKernels(), "cpu uses tfjs' ops");
      return boundAndGrads();
    });
    const [native] = await onBackends(["native"], () => {
      assert(hasBoundKernels(), "native has the kernels");
      return boundAndGrads();
    });
    assert(cpu[0][0] > 0, "some values are past the bound");
    assert(cpu[1].some((g) => g === 0) && cpu[1].some((g) => g !== 0), "the gradient is zero inside the bound only");
    ["value", "grad grid", "grad codes"].forEach((what, i) => assertClose(cpu[i], native[i], 1e-5, what));
    await tf.setBackend("cpu");
  },
});
