import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { assertScalar } from "./_close.ts";
import { svddLoss } from "../../src/losses/svdd.ts";

await tf.setBackend("cpu");

Deno.test("svddLoss() is the batch mean of the un-squared distances of the embeddings to the centre", () => {
  // c = (1, 2)
  // h0 = (1, 2): ||h0 - c|| = 0
  // h1 = (4, 6): h1 - c = (3, 4), ||.|| = 5
  // h2 = (1, -1): h2 - c = (0, -3), ||.|| = 3
  // mean = (0 + 5 + 3) / 3 = 8 / 3 = 2.6666667
  const h = tf.tensor2d([[1, 2], [4, 6], [1, -1]]), c = tf.tensor1d([1, 2]);
  assertScalar(svddLoss(h, c), 8 / 3);
  tf.dispose([h, c]);
});

Deno.test("svddLoss() with the centre at the origin is the mean embedding norm", () => {
  // ||(0, 0, 2)|| = 2, ||(2, 3, 6)|| = sqrt(4 + 9 + 36) = 7: mean 4.5
  const h = tf.tensor2d([[0, 0, 2], [2, 3, 6]]), c = tf.zeros([3]) as tf.Tensor1D;
  assertScalar(svddLoss(h, c), 4.5);
  tf.dispose([h, c]);
});
