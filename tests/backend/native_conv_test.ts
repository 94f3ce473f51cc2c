import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../../src/train/gradients.ts";
import { registerNativeBackend } from "../../src/backend/native_backend.ts";
import {
  nativeConv2dBackpropFilter,
  nativeConv2dBackpropInput,
  type NativeConvShape,
} from "../../src/backend/native.ts";
import { assert } from "../assert.ts";
import { assertClose, onBackends, randomTensor, randomValues } from "./_helpers.ts";

const problem = registerNativeBackend();
const ignore = problem !== null;
if (ignore) console.warn(`native backend tests skipped: ${problem}`);
const TOL = 1e-5;

/** [x shape, filter shape, stride, dilation, padding] */
type Case = [number[], number[], number, number, "valid" | "same"];
const CASES: Case[] = [
  [[2, 11, 13, 3], [3, 3, 3, 8], 2, 1, "valid"], // the encoder's first layer, odd sizes
  [[3, 15, 15, 32], [3, 3, 32, 32], 1, 1, "valid"], // small images: scatter-form input gradient
  [[6, 9, 9, 16], [3, 3, 16, 24], 1, 1, "valid"], // a batch: scatter form split by image
  [[1, 30, 30, 8], [3, 3, 8, 16], 1, 1, "valid"], // large image: gather-form input gradient
  [[1, 41, 41, 8], [5, 5, 8, 16], 2, 1, "same"], // stride 2 with padding
  [[2, 9, 10, 17], [3, 3, 17, 33], 2, 1, "same"], // channels off every register tile
  [[2, 7, 7, 64], [3, 3, 64, 64], 1, 1, "same"],
  [[1, 40, 40, 4], [2, 2, 4, 6], 1, 16, "valid"], // f_big's 2x2 conv of dilation 16 on the dense map
];

Deno.test({
  name: "native Conv2D equals cpu on random shapes incl. stride 2 and dilation 16",
  ignore,
  fn: async () => {
    for (const [xs, ws, stride, dilation, pad] of CASES) {
      const [cpu, native] = await onBackends(["cpu", "native"], () =>
        tf.conv2d(
          randomTensor(xs, 1) as tf.Tensor4D,
          randomTensor(ws, 2) as tf.Tensor4D,
          stride,
          pad,
          "NHWC",
          dilation,
        ));
      assertClose(cpu[0], native[0], TOL, `conv2d ${xs} * ${ws} s${stride} d${dilation} ${pad}`);
    }
  },
});

Deno.test({
  name: "native Conv2DBackpropInput and Conv2DBackpropFilter equal cpu (stride 1 and 2, valid and same)",
  ignore,
  fn: async () => {
    for (const [xs, ws, stride, dilation, pad] of CASES) {
      if (dilation !== 1) continue; // tfjs has no dilated gradient kernels to compare with
      const [cpu, native] = await onBackends(["cpu", "native"], () => {
        const x = randomTensor(xs, 3) as tf.Tensor4D, w = randomTensor(ws, 4) as tf.Tensor4D;
        const y = tf.conv2d(x, w, stride, pad);
        const dy = randomTensor(y.shape, 5) as tf.Tensor4D;
        const attrs = { strides: stride, pad, dataFormat: "NHWC" };
        const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { ...attrs, inputShape: xs });
        const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: ws });
        return [dx as tf.Tensor, dw as tf.Tensor];
      });
      assertClose(cpu[0], native[0], TOL, `backprop input ${xs} * ${ws} s${stride} ${pad}`);
      assertClose(cpu[1], native[1], TOL, `backprop filter ${xs} * ${ws} s${stride} ${pad}`);
    }
  },
});

Deno.test({
  name: "tf.grads through conv2d, bias and leaky ReLU on native equal cpu",
  ignore,
  fn: async () => {
    const loss = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.leakyRelu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "valid"), b), 0.1)));
    const [cpu, native] = await onBackends(
      ["cpu", "native"],
      () => tf.grads(loss)([randomTensor([4, 17, 17, 3], 6), randomTensor([3, 3, 3, 32], 7), randomTensor([32], 8)]),
    );
    for (let i = 0; i < 3; i++) assertClose(cpu[i], native[i], TOL, `gradient ${i}`);
  },
});

Deno.test({
  name: "native FusedConv2D (bias + leakyrelu/relu) equals cpu, and unsupported epilogues fall back to cpu",
  ignore,
  fn: async () => {
    for (const activation of ["leakyrelu", "relu", "linear", "elu"] as const) {
      const [cpu, native] = await onBackends(["cpu", "native"], () =>
        tf.fused.conv2d({
          x: randomTensor([2, 9, 9, 8], 9) as tf.Tensor4D,
          filter: randomTensor([3, 3, 8, 16], 10) as tf.Tensor4D,
          strides: 1,
          pad: "valid",
          bias: randomTensor([16], 11),
          activation,
          leakyreluAlpha: 0.1,
        }));
      assertClose(cpu[0], native[0], TOL, `fused conv2d ${activation}`);
    }
  },
});

Deno.test({
  name: "native BatchMatMul and _FusedMatMul equal cpu with transposes and batch broadcasting",
  ignore,
  fn: async () => {
    const [cpu, native] = await onBackends(["cpu", "native"], () => [
      tf.matMul(randomTensor([37, 65], 12), randomTensor([65, 29], 13)),
      tf.matMul(randomTensor([3, 65, 37], 14), randomTensor([29, 65], 15), true, true),
      tf.matMul(randomTensor([2, 3, 5, 7], 16), randomTensor([2, 3, 7, 4], 17)),
      tf.fused.matMul({
        a: randomTensor([64, 64], 18),
        b: randomTensor([64, 128], 19),
        bias: randomTensor([128], 20),
        activation: "leakyrelu",
        leakyreluAlpha: 0.1,
      }),
    ]);
    for (let i = 0; i < cpu.length; i++) assertClose(cpu[i], native[i], TOL, `matmul case ${i}`);
  },
});

Deno.test({
  name: "native backprop kernels support dilation 16 (checked against the zero-upsampled filter on cpu)",
  ignore,
  fn: async () => {
    const [n, h, ci, co, k, d] = [1, 40, 3, 4, 2, 16];
    const ke = (k - 1) * d + 1; // 17: the dilated filter written out densely
    const ho = h - ke + 1;
    const shape: NativeConvShape = {
      batch: n,
      inHeight: h,
      inWidth: h,
      inChannels: ci,
      outHeight: ho,
      outWidth: ho,
      outChannels: co,
      filterHeight: k,
      filterWidth: k,
      strideHeight: 1,
      strideWidth: 1,
      dilationHeight: d,
      dilationWidth: d,
      padTop: 0,
      padLeft: 0,
    };
    const x = randomValues(n * h * h * ci, 21), w = randomValues(k * k * ci * co, 22);
    const dy = randomValues(n * ho * ho * co, 23);
    const dense = new Float32Array(ke * ke * ci * co);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        dense.set(w.subarray((i * k + j) * ci * co, (i * k + j + 1) * ci * co), (i * d * ke + j * d) * ci * co);
      }
    }
    await tf.setBackend("cpu");
    const attrs = { strides: 1, pad: "valid", dataFormat: "NHWC" };
    const dyT = tf.tensor4d(dy, [n, ho, ho, co]);
    const dxRef = tf.engine().runKernel(tf.Conv2DBackpropInput, {
      dy: dyT,
      filter: tf.tensor4d(dense, [ke, ke, ci, co]),
    }, {
      ...attrs,
      inputShape: [n, h, h, ci],
    }) as tf.Tensor;
    const dwDense = (tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: tf.tensor4d(x, [n, h, h, ci]), dy: dyT }, {
      ...attrs,
      filterShape: [ke, ke, ci, co],
    }) as tf.Tensor).dataSync();
    const dwRef = new Float32Array(k * k * ci * co);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const from = (i * d * ke + j * d) * ci * co;
        dwRef.set(dwDense.subarray(from, from + ci * co), (i * k + j) * ci * co);
      }
    }
    assertClose(
      dxRef.dataSync() as Float32Array,
      nativeConv2dBackpropInput(dy, w, shape),
      TOL,
      "dilated backprop input",
    );
    assertClose(dwRef, nativeConv2dBackpropFilter(x, dy, shape), TOL, "dilated backprop filter");
  },
});

Deno.test({
  name: "the native backend keeps every cpu kernel and leaks no more tensors than cpu",
  ignore,
  fn: async () => {
    assert(tf.getKernelsForBackend("native").length >= tf.getKernelsForBackend("cpu").length);
    const leaked: number[] = [];
    for (const name of ["cpu", "native"]) {
      await tf.setBackend(name);
      const before = tf.memory().numTensors;
      tf.tidy(() =>
        tf.grads((x: tf.Tensor) => tf.sum(tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 2, 4]), 1, "valid")))([
          tf.ones([2, 8, 8, 2]),
        ])
      );
      leaked.push(tf.memory().numTensors - before); // tfjs itself keeps one tensor per tf.grads call
    }
    assert(leaked[1] === leaked[0], `native leaked ${leaked[1]} tensors, cpu ${leaked[0]}`);
  },
});

Deno.test({
  name: "native Winograd forward (stride-1 3x3, outputs >= 9x9) equals cpu: odd sizes, padding, tiles across images",
  ignore,
  fn: async () => {
    const cases: [number[], number[], "valid" | "same"][] = [
      [[3, 15, 15, 32], [3, 3, 32, 64], "valid"], // f_small's conv2 shape: 13x13 outputs, the last tile half outside
      [[2, 11, 12, 128], [3, 3, 128, 48], "valid"], // 9x10 outputs
      [[3, 40, 37, 32], [3, 3, 32, 16], "same"], // padded; 1110 tiles: tasks cross image boundaries
    ];
    for (const [xs, ws, pad] of cases) {
      const [cpu, native] = await onBackends(["cpu", "native"], () => [
        tf.conv2d(randomTensor(xs, 21) as tf.Tensor4D, randomTensor(ws, 22) as tf.Tensor4D, 1, pad),
        tf.fused.conv2d({
          x: randomTensor(xs, 23) as tf.Tensor4D,
          filter: randomTensor(ws, 24) as tf.Tensor4D,
          strides: 1,
          pad,
          bias: randomTensor([ws[3]], 25),
          activation: "leakyrelu",
          leakyreluAlpha: 0.1,
        }),
      ]);
      assertClose(cpu[0], native[0], TOL, `winograd conv2d ${xs} * ${ws} ${pad}`);
      assertClose(cpu[1], native[1], TOL, `winograd fused conv2d ${xs} * ${ws} ${pad}`);
    }
  },
});
