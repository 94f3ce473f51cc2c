import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "../../src/train/gradients.ts";
import { assertEquals } from "../assert.ts";
import { assertScalar } from "./_close.ts";
import { rowNorm, svddPrimeLoss } from "../../src/losses/svdd_prime.ts";

await tf.setBackend("cpu");

Deno.test("svddPrimeLoss() is the batch mean of the un-squared L2 distances between paired embeddings", () => {
  // pair 0: h1 - h2 = (3, 4) - (0, 0) = (3, 4), ||.|| = sqrt(9 + 16) = 5
  // pair 1: h1 - h2 = (1, 1) - (2, 1) = (-1, 0), ||.|| = 1
  // mean = (5 + 1) / 2 = 3   (squared distances would give (25 + 1) / 2 = 13)
  const h1 = tf.tensor2d([[3, 4], [1, 1]]), h2 = tf.tensor2d([[0, 0], [2, 1]]);
  assertScalar(svddPrimeLoss(h1, h2), 3);
  tf.dispose([h1, h2]);
});

Deno.test("svddPrimeLoss() is symmetric in its two arguments and 0 for identical embeddings", () => {
  // (1, 2, 2) - (0, 0, 0): sqrt(1 + 4 + 4) = 3 either way round
  const a = tf.tensor2d([[1, 2, 2]]), b = tf.tensor2d([[0, 0, 0]]);
  assertScalar(svddPrimeLoss(a, b), 3);
  assertScalar(svddPrimeLoss(b, a), 3);
  assertScalar(svddPrimeLoss(a, a), 0, 1e-12);
  tf.dispose([a, b]);
});

Deno.test("svddPrimeLoss() has a finite zero gradient for identical embeddings (torch.norm's convention, no NaN)", () => {
  const h = tf.tensor2d([[0.5, -0.25]]);
  const g = tf.grad((x: tf.Tensor) => svddPrimeLoss(x as tf.Tensor2D, h))(h);
  assertEquals(Array.from(g.dataSync()), [0, 0]);
  tf.dispose([h, g]);
});

Deno.test("svddPrimeLoss()'s gradient is the unit vector (h1 - h2) / ||h1 - h2|| divided by the batch size", () => {
  // pair 0: h1 - h2 = (3, 4), d||d||/dh1 = (3, 4) / 5 = (0.6, 0.8); pair 1: identical, gradient (0, 0)
  // the batch mean over 2 pairs halves both: (0.3, 0.4, 0, 0)
  const h1 = tf.tensor2d([[3, 4], [1, 1]]), h2 = tf.tensor2d([[0, 0], [1, 1]]);
  const g = tf.grad((x: tf.Tensor) => svddPrimeLoss(x as tf.Tensor2D, h2))(h1);
  assertEquals(Array.from(g.dataSync()).map((v) => Math.round(v * 1e6) / 1e6), [0.3, 0.4, 0, 0]);
  tf.dispose([h1, h2, g]);
});

Deno.test("rowNorm() gives one L2 norm per row", () => {
  // rows: (3, 4) -> 5, (0, 0) -> sqrt(1e-30) = 1e-15, (-6, 8) -> 10
  const n = rowNorm(tf.tensor2d([[3, 4], [0, 0], [-6, 8]]));
  const v = Array.from(n.dataSync());
  n.dispose();
  assertEquals(v.map((x) => Math.round(x * 1e6) / 1e6), [5, 0, 10]);
});
