import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../../src/train/gradients.ts";
import { registerNativeBackend } from "../../src/backend/native_backend.ts";
import { assertEquals } from "../assert.ts";
import { assertClose, onBackends, randomTensor } from "./_helpers.ts";

const problem = registerNativeBackend();
const ignore = problem !== null;

Deno.test({
  name:
    "native Multiply, Add, Sub, RealDiv and Greater equal cpu for equal shapes, scalars, per-channel and general broadcasts",
  ignore,
  fn: async () => {
    const x = [8, 9, 10, 16];
    const pairs: [number[], number[]][] = [[x, x], [x, []], [[], x], [x, [16]], [[1, 16], x], [x, [9, 1, 1]], [
      [8, 1, 10, 1],
      [1, 9, 1, 16],
    ]];
    for (const [sa, sb] of pairs) {
      const [cpu, native] = await onBackends(["cpu", "native"], () => {
        const a = randomTensor(sa, 1), b = randomTensor(sb, 2);
        return [tf.mul(a, b), tf.add(a, b), tf.sub(a, b), tf.cast(tf.greater(a, b), "float32"), tf.div(a, b)];
      });
      for (let i = 0; i < 5; i++) assertEquals(native[i], cpu[i], `op ${i} on [${sa}] and [${sb}]`);
    }
  },
});

Deno.test({
  name: "native Select, LeakyRelu and Sum (leading, trailing, middle axes, keepDims) equal cpu",
  ignore,
  fn: async () => {
    const shape = [16, 9, 10, 32];
    const [cpu, native] = await onBackends(["cpu", "native"], () => {
      const a = randomTensor(shape, 3), b = randomTensor(shape, 4);
      return [
        tf.where(tf.greater(a, 0), a, b),
        tf.leakyRelu(a, 0.1),
        tf.sum(a, [0, 1, 2]),
        tf.sum(a, [2, 3]),
        tf.sum(a, [1, 2]),
        tf.sum(a, [0, 1], true),
        tf.sum(a),
      ];
    });
    for (let i = 0; i < cpu.length; i++) assertClose(cpu[i], native[i], 1e-6, `result ${i}`);
  },
});

Deno.test({
  name: "a LeakyReLU conv layer's gradients (Greater, Multiply, Select, Sum) on native equal cpu",
  ignore,
  fn: async () => {
    const loss = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.mean(tf.square(tf.leakyRelu(
        tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 1, pad: "valid" }),
        0.1,
      )));
    const [cpu, native] = await onBackends(
      ["cpu", "native"],
      () => tf.grads(loss)([randomTensor([32, 12, 12, 8], 5), randomTensor([3, 3, 8, 16], 6), randomTensor([16], 7)]),
    );
    for (let i = 0; i < 3; i++) assertClose(cpu[i], native[i], 1e-5, `gradient ${i}`);
  },
});

Deno.test({
  name: "native Transpose (the last axis kept: run copies; moved: the cpu kernel) equals cpu, with its gradient",
  ignore,
  fn: async () => {
    const perms = [[1, 0, 2], [2, 4, 0, 1, 3, 5], [4, 5, 0, 2, 6, 1, 3, 7], [1, 0], [0, 2, 1]];
    const shapes = [[5, 6, 8], [3, 4, 2, 4, 2, 16], [2, 2, 2, 2, 3, 4, 4, 8], [7, 9], [4, 6, 3]];
    const [cpu, native] = await onBackends(["cpu", "native"], () =>
      perms.flatMap((perm, i) => {
        const x = randomTensor(shapes[i], i + 5);
        const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.transpose(t, perm), tf.transpose(x, perm))))(x);
        return [tf.transpose(x, perm), grad];
      }));
    for (let i = 0; i < cpu.length; i++) assertEquals(native[i], cpu[i], `case ${i >> 1}`);
  },
});
