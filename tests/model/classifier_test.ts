import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { assert, assertEquals } from "../assert.ts";
import { classifyPositions, createClassifier, NUM_POSITIONS } from "../../src/model/classifier.ts";
import { Rng } from "../../src/util/rng.ts";

await tf.setBackend("cpu");

function randomCodes(rows: number, dim: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(Float32Array.from({ length: rows * dim }, () => rng.next() - 0.5), [rows, dim]);
}

Deno.test("classifyPositions() reads only the difference h1 - h2: shifting both codes alike leaves the logits", () => {
  const cls = createClassifier("cls64.", 16, "fixed", new Rng(0));
  const h1 = randomCodes(4, 16, 1), h2 = randomCodes(4, 16, 2), shift = randomCodes(1, 16, 3);
  const a = classifyPositions(cls, h1, h2);
  const b = classifyPositions(cls, tf.add(h1, shift) as tf.Tensor2D, tf.add(h2, shift) as tf.Tensor2D);
  assertEquals(a.shape, [4, NUM_POSITIONS]);
  const [va, vb] = [a.dataSync(), b.dataSync()];
  for (let i = 0; i < va.length; i++) assert(Math.abs(va[i] - vb[i]) < 1e-5, `logit ${i}: ${va[i]} vs ${vb[i]}`);
  // and it is not symmetric: swapping the patches changes the answer
  const c = classifyPositions(cls, h2, h1).dataSync();
  assert(c.some((v, i) => Math.abs(v - va[i]) > 1e-4));
  tf.dispose([h1, h2, shift, a, b]);
});

Deno.test("createClassifier() 'fixed' keeps the last weight [128, 8] out of the trainable parameters, each row of unit norm", () => {
  const fixed = createClassifier("cls32.", 16, "fixed", new Rng(4));
  assertEquals([...fixed.params.keys()].sort(), [
    "cls32.fc1.bias",
    "cls32.fc1.weight",
    "cls32.fc2.bias",
    "cls32.fc2.weight",
    "cls32.fc3.bias",
  ]);
  assertEquals(fixed.fixedWeight!.shape, [128, NUM_POSITIONS]);
  const norms = tf.norm(fixed.fixedWeight!, 2, 1).dataSync(); // PyTorch normalises each of its weight's columns
  for (const n of norms) assert(Math.abs(n - 1) < 1e-5, `row norm ${n}`);
  const trainable = createClassifier("cls32.", 16, "trainable", new Rng(4));
  assert(trainable.params.has("cls32.fc3.weight") && trainable.fixedWeight === null);
});
