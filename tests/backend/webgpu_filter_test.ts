import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../../src/train/gradients.ts";
import { assert, assertEquals } from "../assert.ts";
import { probeWebgpu, selectBackend } from "../../src/backend/select.ts";
import { splitReduction } from "../../src/backend/webgpu_conv_backprop_filter.ts";
import { Rng } from "../../src/util/rng.ts";

Deno.test("splitReduction() covers the reduction exactly once with at most MIN_CHUNK-sized chunks", () => {
  for (const [m, e] of [[115200, 36864], [10, 1000], [1 << 20, 3 * 3 * 3 * 32], [64, 1 << 22]]) {
    const { splits, chunk } = splitReduction(m, e);
    assert(splits >= 1 && chunk >= 1);
    assert(splits * chunk >= m && (splits - 1) * chunk < m, `m ${m}: ${splits} x ${chunk}`);
  }
  assertEquals(splitReduction(10, 1000).splits, 1);
});

function random(shape: number[], seed: number): tf.Tensor {
  const rng = new Rng(seed);
  const a = new Float32Array(shape.reduce((x, y) => x * y, 1));
  for (let i = 0; i < a.length; i++) a[i] = rng.next() - 0.5;
  return tf.tensor(a, shape);
}

const probe = await probeWebgpu();
Deno.test({
  name: "webgpu Conv2DBackpropFilter (split reduction) equals the cpu backend's (strides 1 and 2, same and valid)",
  ignore: "reason" in probe,
  fn: async () => {
    const cases: [number[], number[], number, "same" | "valid"][] = [
      [[3, 17, 17, 5], [3, 3, 5, 7], 1, "valid"],
      [[2, 16, 16, 3], [5, 5, 3, 8], 2, "same"],
      [[4, 9, 9, 16], [2, 2, 16, 4], 1, "valid"],
    ];
    for (const [xs, ws, stride, pad] of cases) {
      const grads: Float32Array[] = [];
      for (const backend of ["cpu", "webgpu"]) {
        await selectBackend(backend as "cpu" | "webgpu");
        const x = random(xs, 1) as tf.Tensor4D, w = random(ws, 2) as tf.Tensor4D;
        const g = tf.grad((f) => tf.sum(tf.square(tf.conv2d(x, f as tf.Tensor4D, stride, pad))))(w);
        grads.push((await g.data()) as Float32Array);
        if (backend === "webgpu") {
          const k = tf.getKernel(tf.Conv2DBackpropFilter, "webgpu")!.kernelFunc as { splitReduction?: boolean };
          assert(k.splitReduction, "expected the split-reduction kernel to be registered");
        }
        tf.dispose([x, w, g]);
      }
      let worst = 0;
      for (let i = 0; i < grads[0].length; i++) worst = Math.max(worst, Math.abs(grads[0][i] - grads[1][i]));
      assert(worst < 1e-3, `${xs} ${ws}: max |diff| ${worst}`);
    }
  },
});
