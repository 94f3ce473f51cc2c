import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { assertEquals, assertThrows } from "../assert.ts";
import { transposeRuns } from "../../src/backend/run_transpose.ts";
import { Rng } from "../../src/util/rng.ts";

await tf.setBackend("cpu");

Deno.test("transposeRuns() equals tfjs' cpu transpose for every leading-axis permutation (ranks 2 to 6)", () => {
  const rng = new Rng(7);
  const perms = (k: number): number[][] =>
    k === 0
      ? [[]]
      : perms(k - 1).flatMap((p) => Array.from({ length: k }, (_, i) => [...p.slice(0, i), k - 1, ...p.slice(i)]));
  for (const shape of [[3, 5], [2, 3, 4], [2, 1, 3, 5], [2, 2, 3, 2, 4], [2, 2, 2, 2, 3, 4]]) {
    const r = shape.length;
    const x = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next());
    for (const lead of perms(r - 1)) {
      const perm = [...lead, r - 1];
      const want = tf.transpose(tf.tensor(x, shape), perm).dataSync();
      assertEquals(Array.from(transposeRuns(x, shape, perm)), Array.from(want), `${shape} ${perm}`);
    }
  }
  const ints = Int32Array.from({ length: 24 }, (_, i) => i);
  assertEquals(transposeRuns(ints, [2, 3, 4], [1, 0, 2]) instanceof Int32Array, true);
});

Deno.test("transposeRuns() refuses a permutation that moves the last axis", () => {
  assertThrows(() => transposeRuns(new Float32Array(6), [2, 3], [1, 0]), RangeError, "last axis");
});
