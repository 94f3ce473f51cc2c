import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../../src/train/gradients.ts";
import { CONV_TRICK_MIN_BATCH, registerWasmConvBackpropFilter } from "../../src/backend/wasm_conv_backprop_filter.ts";
import { registerWasmConvBackpropInput } from "../../src/backend/wasm_conv_backprop_input.ts";
import { assert } from "../assert.ts";
import { assertClose, onBackends, randomTensor } from "./_helpers.ts";

registerWasmConvBackpropFilter();
registerWasmConvBackpropInput();
const TOL = 1e-5;

/** [x shape, filter shape, stride, padding]; batches on both sides of CONV_TRICK_MIN_BATCH. */
const CASES: [number[], number[], number, "valid" | "same"][] = [
  [[2, 11, 13, 3], [3, 3, 3, 8], 2, "valid"], // the encoder's first layer: im2col path, strided slices
  [[2, 11, 13, 5], [3, 3, 5, 7], 1, "valid"],
  [[9, 9, 10, 6], [3, 3, 6, 4], 1, "valid"], // convolution-trick path
  [[9, 9, 10, 6], [3, 3, 6, 4], 2, "same"],
  [[10, 12, 12, 4], [3, 3, 4, 5], 2, "valid"], // stride leaves a spare row: the trick's output is cropped
  [[3, 8, 8, 4], [5, 5, 4, 3], 2, "same"],
  [[12, 8, 9, 4], [2, 2, 4, 3], 1, "same"],
  [[1, 7, 7, 2], [1, 1, 2, 3], 1, "valid"],
];

Deno.test("the cases cover both wasm Conv2DBackpropFilter paths", () => {
  assert(CASES.some(([x]) => x[0] >= CONV_TRICK_MIN_BATCH) && CASES.some(([x]) => x[0] < CONV_TRICK_MIN_BATCH));
});

Deno.test("wasm Conv2DBackpropFilter equals cpu for several shapes incl. stride 2 and same padding", async () => {
  for (const [xs, ws, stride, pad] of CASES) {
    const [cpu, wasm] = await onBackends(["cpu", "wasm"], () => {
      const x = randomTensor(xs, 1) as tf.Tensor4D;
      const y = tf.conv2d(x, randomTensor(ws, 2) as tf.Tensor4D, stride, pad);
      const dy = randomTensor(y.shape, 3);
      return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
        strides: stride,
        pad,
        dataFormat: "NHWC",
        filterShape: ws,
      }) as tf.Tensor;
    });
    assertClose(cpu[0], wasm[0], TOL, `backprop filter ${xs} * ${ws} s${stride} ${pad}`);
  }
});

Deno.test("tf.grads through conv2d on wasm (both gradients replaced) equal cpu", async () => {
  for (const [xs, ws, stride, pad] of CASES) {
    const [cpu, wasm] = await onBackends(
      ["cpu", "wasm"],
      () =>
        tf.grads((x: tf.Tensor, w: tf.Tensor) =>
          tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad)))
        )([randomTensor(xs, 4), randomTensor(ws, 5)]),
    );
    assertClose(cpu[0], wasm[0], TOL, `dx ${xs} * ${ws} s${stride} ${pad}`);
    assertClose(cpu[1], wasm[1], TOL, `dw ${xs} * ${ws} s${stride} ${pad}`);
  }
});

Deno.test("wasm convolution gradients release every intermediate buffer", async () => {
  await tf.setBackend("wasm");
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const before = backend.numDataIds();
  for (const [xs, ws, stride, pad] of CASES) {
    tf.tidy(() => {
      const x = randomTensor(xs, 6), w = randomTensor(ws, 7);
      tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad)))([
        x,
        w,
      ]);
    });
  }
  const leakedByTfjs = CASES.length; // tfjs keeps one tensor per tf.grads call, on every backend
  assert(backend.numDataIds() - before <= leakedByTfjs, `${backend.numDataIds() - before} buffers left behind`);
});
