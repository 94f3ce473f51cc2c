/**
 * `--sampling dense` trains: every trainable weight moves, the losses are the reference's terms,
 * the tensor count stays flat, and an invalid combination (the flat encoder) is refused.
 */
import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { selectBackend } from "../../src/backend/mod.ts";
import { ConfigError, DEFAULT_CONFIG, mergeConfig, validateConfig } from "../../src/config.ts";
import { createModel, disposeModel, trainableVariables } from "../../src/train/model.ts";
import { trainStep } from "../../src/train/step.ts";
import { Rng } from "../../src/util/rng.ts";

function randomImages(count: number, size: number) {
  const rng = new Rng(3);
  const images = Float32Array.from({ length: count * size * size * 3 }, () => (rng.next() - 0.5) * 0.2);
  return { images, count, size };
}

Deno.test("dense sampling: a hierarchical K=64 step updates every weight, names the reference's terms, leaks nothing", async () => {
  await selectBackend("native");
  const config = mergeConfig(DEFAULT_CONFIG, {
    imageSize: 128,
    train: { embeddingDim: 8, batchSize: 8, sampling: "dense", denseCrops: 2, learningRate: 1e-3 },
  });
  validateConfig(config);
  const model = createModel(config);
  const optimizer = tf.train.adam(config.train.learningRate);
  const data = randomImages(3, 128);
  const rng = new Rng(1);
  const before = trainableVariables(model).map((v) => v.dataSync().slice());
  const values = await trainStep(model, optimizer, config.train, data, rng);
  assertEquals(Object.keys(values).sort(), ["ssl32", "ssl64", "svddPrime32", "svddPrime64", "total"]);
  assert(Object.values(values).every(Number.isFinite), JSON.stringify(values));
  const after = trainableVariables(model).map((v) => v.dataSync());
  const moved = before.filter((b, i) => b.some((x, j) => x !== after[i][j])).length;
  // The fixed classifier head (reference behaviour) keeps its renormalised weights; everything else moves.
  assert(moved >= before.length - 2, `${moved} of ${before.length} weights moved`);
  const count = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await trainStep(model, optimizer, config.train, data, rng);
  assertEquals(tf.memory().numTensors, count);
  optimizer.dispose();
  disposeModel(model);
});

Deno.test("dense sampling refuses the flat encoder with a one-line fix", () => {
  const config = mergeConfig(DEFAULT_CONFIG, { train: { sampling: "dense", encoder: "flat" } });
  assertThrows(() => validateConfig(config), ConfigError, "use --sampling reference");
});

Deno.test("dense sampling refuses K=32 (f_small alone, no hierarchy) with a one-line fix", () => {
  const config = mergeConfig(DEFAULT_CONFIG, { train: { sampling: "dense", patchSize: 32 } });
  assertThrows(() => validateConfig(config), ConfigError, "use --patch-size 64 or --sampling reference");
  validateConfig(mergeConfig(DEFAULT_CONFIG, { train: { sampling: "dense", patchSize: 128 } }));
});
