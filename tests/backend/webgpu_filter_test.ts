import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../../src/train/gradients.ts";
import { assert, assertEquals } from "../assert.ts";
import { probeWebgpu, selectBackend } from "../../src/backend/select.ts";
import {
  splitReduction,
  webgpuConv2dBackpropFilter,
  webgpuConv2dBackpropFilterIm2col,
} from "../../src/backend/webgpu_conv_backprop_filter.ts";
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

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const probe = await probeWebgpu();
Deno.test({
  name: "webgpu Conv2DBackpropFilter (im2col, chunked im2col, split reduction) equals the cpu backend's",
  ignore: "reason" in probe,
  fn: async () => {
    const cases: [number[], number[], number, "same" | "valid"][] = [
      [[3, 17, 17, 5], [3, 3, 5, 7], 1, "valid"],
      [[2, 16, 16, 3], [5, 5, 3, 8], 2, "same"],
      [[4, 9, 9, 16], [2, 2, 16, 4], 1, "valid"],
    ];
    for (const [xs, ws, stride, pad] of cases) {
      await selectBackend("cpu");
      const x0 = random(xs, 1) as tf.Tensor4D, w0 = random(ws, 2) as tf.Tensor4D;
      const dy0 = tf.conv2d(x0, w0, stride, pad);
      const cpu = await tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x0, f as tf.Tensor4D, stride, pad), dy0)))(w0).data();
      const [xv, dyv] = [await x0.data(), await dy0.data()];
      tf.dispose([x0, w0, dy0]);

      await selectBackend("webgpu");
      const k = tf.getKernel(tf.Conv2DBackpropFilter, "webgpu")!.kernelFunc as { splitReduction?: boolean };
      assert(k.splitReduction, "expected the kit's kernel to be registered");
      const x = tf.tensor4d(xv, xs as [number, number, number, number]);
      const dy = tf.tensor(dyv, dy0.shape);
      const w = random(ws, 2) as tf.Tensor4D;
      const viaGrad = await tf.grad((f) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, stride, pad), dy)))(w).data();
      const args = {
        inputs: { x, dy },
        backend: tf.backend(),
        attrs: { strides: stride, pad, dataFormat: "NHWC", filterShape: ws } as unknown as tf.NamedAttrMap,
      };
      for (
        const [name, info] of [
          ["registered (im2col)", null],
          ["im2col, one image per chunk", webgpuConv2dBackpropFilterIm2col(args, 1)],
          ["split reduction", webgpuConv2dBackpropFilter(args)],
        ] as const
      ) {
        const t = info ? tf.engine().makeTensorFromTensorInfo(info) : null;
        const got = t ? await t.data() : viaGrad;
        t?.dispose();
        assert(maxDiff(cpu, got) < 1e-3, `${name} ${xs} ${ws}: max |diff| ${maxDiff(cpu, got)}`);
      }
      tf.dispose([x, dy, w]);
    }
  },
});
