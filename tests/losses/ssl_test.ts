import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { assertScalar } from "./_close.ts";
import { sslLoss } from "../../src/losses/ssl.ts";

await tf.setBackend("cpu");

Deno.test("sslLoss() of uniform logits is chance level, ln 8 = 2.0794415", () => {
  const logits = tf.zeros([3, 8]) as tf.Tensor2D;
  assertScalar(sslLoss(logits, new Int32Array([0, 4, 7])), Math.log(8));
  logits.dispose();
});

Deno.test("sslLoss() is the batch mean of -log softmax at the true label", () => {
  // row logits (ln 3, 0, 0, 0, 0, 0, 0, 0): softmax = (3, 1, 1, 1, 1, 1, 1, 1) / 10
  // label 0: -ln 0.3 = 1.2039728;  label 5: -ln 0.1 = 2.3025851
  // mean = (1.2039728 + 2.3025851) / 2 = 1.7532790
  const row = [Math.log(3), 0, 0, 0, 0, 0, 0, 0];
  const logits = tf.tensor2d([row, row]);
  assertScalar(sslLoss(logits, new Int32Array([0, 5])), (-Math.log(0.3) - Math.log(0.1)) / 2);
  logits.dispose();
});

Deno.test("sslLoss() does not change when a constant is added to a row of logits (softmax invariance)", () => {
  // logits (2, 0, ..., 0) + 100: softmax p0 = e^2 / (e^2 + 7), loss -ln p0 = ln(1 + 7 e^-2) = 0.6962630
  const logits = tf.tensor2d([[102, 100, 100, 100, 100, 100, 100, 100]]);
  assertScalar(sslLoss(logits, new Int32Array([0])), Math.log(1 + 7 * Math.exp(-2)), 1e-5);
  logits.dispose();
});
