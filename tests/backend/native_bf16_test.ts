import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { registerNativeBackend } from "../../src/backend/native_backend.ts";
import { nativePrecision, setNativePrecision } from "../../src/backend/native.ts";
import { selectBackend } from "../../src/backend/select.ts";
import { UserError } from "../../src/errors.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { assertClose, onBackends, randomValues, relativeMaxDiff } from "./_helpers.ts";

const problem = registerNativeBackend();
let amx = false;
if (problem === null) {
  try {
    setNativePrecision("bf16");
    amx = true;
  } catch {
    // no AMX here: the bf16 equivalence tests are skipped
  } finally {
    setNativePrecision("fp32");
  }
}
if (problem !== null) console.warn(`bf16 tests skipped: ${problem}`);
else if (!amx) console.warn("bf16 kernel tests skipped: this CPU or OS cannot run AMX");

/** x rounded to the nearest bfloat16 (ties to even), as float32. */
function bf16(values: Float32Array): Float32Array {
  const out = new Float32Array(values);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    bits[i] = ((b + 0x7fff + ((b >>> 16) & 1)) >>> 0) & 0xffff0000;
  }
  return out;
}

/** Seeded random tensor; `round` rounds its values to bf16 first. */
function input(shape: number[], seed: number, round: boolean): tf.Tensor {
  const v = randomValues(shape.reduce((a, b) => a * b, 1), seed);
  return tf.tensor(round ? bf16(v) : v, shape);
}

/**
 * Runs `build` three ways: cpu on bf16-rounded inputs (the expected values: products of bf16
 * operands are exact in float32), native bf16 on the raw inputs, and cpu on the raw inputs.
 */
async function threeWays(build: (round: boolean) => tf.Tensor[]) {
  const [expected] = await onBackends(["cpu"], () => build(true));
  setNativePrecision("bf16");
  try {
    const [got] = await onBackends(["native"], () => build(false));
    const [exact] = await onBackends(["cpu"], () => build(false));
    return { expected, got, exact };
  } finally {
    setNativePrecision("fp32");
  }
}

/** [x shape, filter shape, stride, dilation, padding] */
type Case = [number[], number[], number, number, "valid" | "same"];
const CASES: Case[] = [
  [[2, 11, 13, 3], [3, 3, 3, 8], 2, 1, "valid"],
  [[6, 9, 9, 16], [3, 3, 16, 24], 1, 1, "valid"],
  [[1, 30, 30, 8], [3, 3, 8, 16], 1, 1, "valid"],
  [[2, 9, 10, 17], [3, 3, 17, 33], 2, 1, "same"],
  [[3, 13, 13, 64], [3, 3, 64, 128], 1, 1, "valid"], // f_small's widest layer: reduction over blocks
  [[1, 40, 40, 4], [2, 2, 4, 6], 1, 16, "valid"],
];

Deno.test({
  name: "native bf16 convolutions equal float32 arithmetic on bf16-rounded operands",
  ignore: !amx,
  fn: async () => {
    for (const [xs, ws, stride, dilation, pad] of CASES) {
      const { expected, got, exact } = await threeWays((round) => {
        const x = input(xs, 1, round) as tf.Tensor4D, w = input(ws, 2, round) as tf.Tensor4D;
        const y = tf.conv2d(x, w, stride, pad, "NHWC", dilation);
        if (dilation !== 1) return [y];
        const dy = input(y.shape, 3, round) as tf.Tensor4D;
        const attrs = { strides: stride, pad, dataFormat: "NHWC" };
        const dx = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, { ...attrs, inputShape: xs });
        const dw = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: ws });
        return [y, dx as tf.Tensor, dw as tf.Tensor];
      });
      const names = ["forward", "backprop input", "backprop filter"];
      for (let i = 0; i < expected.length; i++) {
        const what = `${names[i]} ${xs} * ${ws} s${stride} d${dilation} ${pad}`;
        assertClose(expected[i], got[i], 2e-5, what);
        // ... and the bf16 mode is really on: the result differs from float32 on the raw inputs.
        assert(relativeMaxDiff(exact[i], got[i]) > 1e-4, `${what}: no bf16 rounding visible`);
      }
    }
  },
});

Deno.test({
  name: "native bf16 matmuls (transposes, broadcasting, fused bias + leaky ReLU) equal float32 on rounded operands",
  ignore: !amx,
  fn: async () => {
    const { expected, got, exact } = await threeWays((round) => [
      tf.matMul(input([37, 65], 4, round), input([65, 29], 5, round)),
      tf.matMul(input([3, 65, 37], 6, round), input([29, 65], 7, round), true, true),
      tf.fused.matMul({
        a: input([70, 600], 8, round),
        b: input([600, 128], 9, round),
        bias: tf.tensor(randomValues(128, 10)),
        activation: "leakyrelu",
        leakyreluAlpha: 0.1,
      }),
    ]);
    for (let i = 0; i < expected.length; i++) {
      assertClose(expected[i], got[i], 2e-5, `matmul ${i}`);
      assert(relativeMaxDiff(exact[i], got[i]) > 1e-4, `matmul ${i}: no bf16 rounding visible`);
    }
  },
});

Deno.test({
  name: "precision: fp32 by default; bf16 refused off the native backend with the fix in the message",
  ignore: problem !== null,
  fn: async () => {
    assertEquals(nativePrecision(), "fp32");
    await assertRejects(
      () => selectBackend("cpu", { precision: "bf16" }),
      (e: Error) => e instanceof UserError && e.message.includes("--backend native"),
    );
    await selectBackend("cpu", { precision: "fp32" });
    if (!amx) {
      await assertRejects(
        () => selectBackend("native", { precision: "bf16" }),
        (e: Error) => e instanceof UserError && e.message.includes("AMX"),
      );
    }
  },
});
