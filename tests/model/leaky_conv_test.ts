import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../../src/train/gradients.ts";
import { registerNativeBackend } from "../../src/backend/native_backend.ts";
import { conv2dBackpropInputLeaky, hasLeakyKernels, setFusedLeaky } from "../../src/backend/leaky_kernels.ts";
import { createEncoder, disposeEncoder, encodeSplitPatches } from "../../src/model/encoder.ts";
import { leakyConvStack } from "../../src/model/leaky_conv.ts";
import { assert, assertEquals } from "../assert.ts";
import { assertClose, onBackends, randomTensor } from "../backend/_helpers.ts";

const ignore = registerNativeBackend() !== null;

/** The unfused reference: conv, bias, LeakyReLU per layer, differentiated by tfjs. */
function unfused(x: tf.Tensor4D, ws: tf.Tensor4D[], bs: tf.Tensor1D[], strides: number[]): tf.Tensor4D {
  let h = x;
  ws.forEach((w, i) => {
    h = tf.leakyRelu(tf.add(tf.conv2d(h, w, strides[i], "valid"), bs[i]), 0.1);
  });
  return h;
}

const SHAPES = { channels: [3, 8, 16, 16], strides: [2, 1, 1] };

function stackGrads(fused: boolean, batch: number, inputGrad: boolean): tf.Tensor[] {
  const { channels, strides } = SHAPES;
  const x = randomTensor([batch, 17, 17, 3], 1) as tf.Tensor4D;
  const ws = strides.map((_, i) => randomTensor([3, 3, channels[i], channels[i + 1]], 10 + i, 0.4) as tf.Tensor4D);
  const bs = strides.map((_, i) => randomTensor([channels[i + 1]], 20 + i, 0.1) as tf.Tensor1D);
  const target = randomTensor([batch, 4, 4, 16], 30);
  const loss = (...args: tf.Tensor[]) => {
    const [xx, w, b] = inputGrad ? [args[0], args.slice(1, 4), args.slice(4)] : [x, args.slice(0, 3), args.slice(3)];
    const y = fused
      ? leakyConvStack(
        xx as tf.Tensor4D,
        w.map((f, i) => ({ filter: f as tf.Tensor4D, bias: b[i] as tf.Tensor1D, stride: strides[i] })),
        {
          alpha: 0.1,
          inputGrad,
        },
      )
      : unfused(xx as tf.Tensor4D, w as tf.Tensor4D[], b as tf.Tensor1D[], strides);
    return tf.sum(tf.mul(y, target));
  };
  const inputs = inputGrad ? [x, ...ws, ...bs] : [...ws, ...bs];
  const { value, grads } = tf.valueAndGrads(loss)(inputs);
  return [value, ...grads];
}

Deno.test({
  name: "leakyConvStack on native: value and every gradient equal tfjs' unfused layers on cpu",
  ignore,
  fn: async () => {
    // batch 1 takes the kernels' single-image path, 13 the chunked multi-image path
    for (const batch of [1, 13]) {
      for (const inputGrad of [true, false]) {
        const [cpu] = await onBackends(["cpu"], () => stackGrads(false, batch, inputGrad));
        const [native] = await onBackends(["native"], () => {
          assert(hasLeakyKernels(), "native has the fused kernels");
          return stackGrads(true, batch, inputGrad);
        });
        assertEquals(native.length, cpu.length);
        for (let i = 0; i < cpu.length; i++) assertClose(cpu[i], native[i], 2e-5, `batch ${batch} output ${i}`);
      }
    }
  },
});

Deno.test({
  name: "leakyConvStack without inputGrad: x is not differentiable through it, and no tensor leaks",
  ignore,
  fn: async () => {
    await tf.setBackend("native");
    const x = randomTensor([2, 9, 9, 3], 1) as tf.Tensor4D;
    const w = tf.variable(randomTensor([3, 3, 3, 4], 2)), b = tf.variable(tf.zeros([4]));
    const layer = { filter: w as unknown as tf.Tensor4D, bias: b as unknown as tf.Tensor1D, stride: 1 };
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() =>
      tf.sum(leakyConvStack(x, [layer], { alpha: 0.1, inputGrad: false }))
    );
    tf.dispose([value, grads]);
    assertEquals(tf.memory().numTensors, before);
    let threw = false;
    try {
      tf.grad((xx: tf.Tensor) => tf.sum(leakyConvStack(xx as tf.Tensor4D, [layer], { alpha: 0.1, inputGrad: false })))(
        x,
      );
    } catch {
      threw = true;
    }
    assert(threw, "asking for x's gradient fails");
    tf.dispose([x, w, b]);
  },
});

Deno.test({
  name: "conv2dBackpropInputLeaky equals conv2dTranspose times the LeakyReLU gradient, scatter and gather forms",
  ignore,
  fn: async () => {
    // 11x11 -> 9x9 takes the scatter form, 40x40 -> 38x38 the gather form
    for (const [size, batch] of [[11, 1], [11, 9], [40, 1], [40, 3]]) {
      const build = (fused: boolean) => {
        const x = tf.leakyRelu(randomTensor([batch, size, size, 16], 1), 0.1) as tf.Tensor4D;
        const w = randomTensor([3, 3, 16, 32], 2) as tf.Tensor4D;
        const dy = randomTensor([batch, size - 2, size - 2, 32], 3) as tf.Tensor4D;
        if (fused) return conv2dBackpropInputLeaky(dy, w, x, 1, "valid", 0.1);
        return tf.mul(tf.conv2dTranspose(dy, w, x.shape, 1, "valid"), tf.where(tf.greater(x, 0), 1, 0.1));
      };
      const [cpu] = await onBackends(["cpu"], () => build(false));
      const [native] = await onBackends(["native"], () => build(true));
      assertClose(cpu[0], native[0], 1e-5, `${size}x${size}, batch ${batch}`);
    }
  },
});

Deno.test({
  name: "a hierarchical encoder's parameter gradients with the fused LeakyReLU layers equal those without",
  ignore,
  fn: async () => {
    const build = () => {
      const encoder = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 16 }, 3);
      const quadrants = randomTensor([4 * 6, 32, 32, 3], 4) as tf.Tensor4D;
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(encodeSplitPatches(encoder, quadrants))));
      const names = [...encoder.params.keys()].sort();
      const out = [value, ...names.map((n) => grads[encoder.params.get(n)!.name])];
      disposeEncoder(encoder);
      return out;
    };
    try {
      setFusedLeaky(false);
      const [plain] = await onBackends(["native"], build);
      setFusedLeaky(true);
      const [fused] = await onBackends(["native"], build);
      assertEquals(fused.length, plain.length);
      for (let i = 0; i < plain.length; i++) assertClose(plain[i], fused[i], 2e-5, `output ${i}`);
    } finally {
      setFusedLeaky(true);
    }
  },
});
