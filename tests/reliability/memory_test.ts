/**
 * Case 6: memory stays flat over a long run, and an hnsw index that would not fit is refused.
 *
 * - `trainStep` leaves the tfjs tensor count and bytes unchanged: the same after step 10 and
 *   step 100. Checkpointing and resuming leave nothing behind either (tfjs' `getWeights()` makes
 *   a new iteration scalar per call, which the kit now disposes; restored tensors are disposed).
 * - `hnswMemoryBytes` estimates the index from hnswlib's layout (2M vectors of dimension 64 at
 *   M = 16: about 0.94 GiB); inspection refuses a bank whose index (times the 1.25 safety factor)
 *   exceeds the available memory, with the amount and the fix, before hnswlib allocates
 *   anything. Tested with injected memory sizes; no large bank is allocated.
 */

import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { selectBackend } from "../../src/backend/mod.ts";
import { DEFAULT_CONFIG, mergeConfig } from "../../src/config.ts";
import { loadDataset } from "../../src/data/dataset.ts";
import { DecodeCache } from "../../src/data/cache.ts";
import { UserError } from "../../src/errors.ts";
import { inspectDataset } from "../../src/inspect/evaluate.ts";
import { checkHnswMemory, HNSW_MEMORY_SAFETY, hnswMemoryBytes } from "../../src/inspect/hnsw_memory.ts";
import { trainRun } from "../../src/train/loop.ts";
import { createModel, disposeModel } from "../../src/train/model.ts";
import { trainStep } from "../../src/train/step.ts";
import { Rng } from "../../src/util/rng.ts";
import { tempDir, tinyDataset } from "./_helpers.ts";

const GiB = 2 ** 30;
const tmp = await tempDir("memory");
const config = mergeConfig(DEFAULT_CONFIG, {
  imageSize: 64,
  train: { patchSize: 32, embeddingDim: 8, batchSize: 4 },
  inspect: { nn: "hnsw" },
});

function randomImages(count = 4, size = 64) {
  const rng = new Rng(3);
  const images = Float32Array.from({ length: count * size * size * 3 }, () => (rng.next() - 0.5) * 0.2);
  return { images, count, size };
}

Deno.test("trainStep keeps the tfjs tensor count flat: the same after step 10 and step 100", async () => {
  await selectBackend("native");
  const model = createModel(config);
  const optimizer = tf.train.adam(1e-4);
  const data = randomImages();
  const rng = new Rng(1);
  const at: Record<number, { numTensors: number; numBytes: number }> = {};
  for (let step = 1; step <= 100; step++) {
    await trainStep(model, optimizer, config.train, data, rng);
    if (step === 10 || step === 100) at[step] = { numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes };
  }
  assertEquals(at[100], at[10]);
  optimizer.dispose();
  disposeModel(model);
  tf.disposeVariables();
});

Deno.test("checkpointing every step and resuming leave no tensors behind", async () => {
  await selectBackend("native");
  const runDir = join(tmp, "ckpt");
  const data = randomImages();
  const baseline = tf.memory().numTensors;
  const first = await trainRun({ config, data, runDir, steps: 5, checkpointMinutes: 0, quiet: true });
  disposeModel(first.model);
  assertEquals(tf.memory().numTensors, baseline, "after a run checkpointing every step");
  const second = await trainRun({ config, data, runDir, steps: 10, checkpointMinutes: 0, resume: true, quiet: true });
  disposeModel(second.model);
  assertEquals(tf.memory().numTensors, baseline, "after a resumed run");
});

Deno.test("hnswMemoryBytes follows hnswlib's layout: linear in the count, growing with dim and M", () => {
  const big = hnswMemoryBytes(2_000_000, 64, 16);
  assert(big > 0.9 * GiB && big < 1.0 * GiB, `2M x 64 at M 16: ${(big / GiB).toFixed(3)} GiB`);
  const perVector = (hnswMemoryBytes(2000, 64, 16) - hnswMemoryBytes(1000, 64, 16)) / 1000;
  // level 0: 2M links + count + vector + label = 128 + 4 + 256 + 8 bytes, plus about 100 of bookkeeping
  assert(perVector > 396 && perVector < 520, `bytes per vector ${perVector}`);
  assert(hnswMemoryBytes(1000, 128, 16) > hnswMemoryBytes(1000, 64, 16));
  assert(hnswMemoryBytes(1000, 64, 32) > hnswMemoryBytes(1000, 64, 16));
  assertEquals(hnswMemoryBytes(0, 64, 16), 65536 * 40, "the label locks only");
  for (const [n, d, m] of [[-1, 64, 16], [1.5, 64, 16], [10, 0, 16], [10, 64, 1]]) {
    assertThrows(() => hnswMemoryBytes(n, d, m), RangeError);
  }
});

Deno.test("checkHnswMemory refuses a 2M-vector bank with the amount and the fix, accepts it with room", () => {
  assertThrows(
    () => checkHnswMemory(2_000_000, 64, 16, 0.5 * GiB, "--stride-k32"),
    (e: unknown) => {
      assert(e instanceof UserError && e.exitCode === 2, String(e));
      const need = ((hnswMemoryBytes(2_000_000, 64, 16) * HNSW_MEMORY_SAFETY) / GiB).toFixed(2);
      assertEquals(
        e.message,
        `the hnsw index of 2000000 vectors (dim 64) needs about ${need} GiB but only 0.50 GiB is available; ` +
          `use --nn exact or a larger --stride-k32`,
      );
      return true;
    },
  );
  checkHnswMemory(2_000_000, 64, 16, 8 * GiB, "--stride-k32");
});

Deno.test("inspectDataset checks the hnsw index against the available memory before building it", async () => {
  await selectBackend("native");
  const synth = await tinyDataset(join(tmp, "data"), 4);
  const dataset = await loadDataset(join(tmp, "data"), synth.category, {
    size: 64,
    cache: new DecodeCache(join(tmp, "cache")),
  });
  const model = createModel(config);
  try {
    await assertRejects(
      inspectDataset(model.encoder, dataset, { inspect: config.inspect, availableMemory: () => 64 * 1024 }),
      (e: unknown) => {
        assert(e instanceof UserError, String(e));
        assert(/^the hnsw index of \d+ vectors \(dim 8\) needs about [\d.e-]+ GiB but only/.test(e.message), e.message);
        assert(e.message.endsWith("use --nn exact or a larger --stride-k32"), e.message);
        return true;
      },
    );
    const ok = await inspectDataset(model.encoder, dataset, {
      inspect: config.inspect,
      availableMemory: () => 8 * GiB,
    });
    assertEquals(ok.keys, ["k32"]);
  } finally {
    disposeModel(model);
    tf.disposeVariables();
  }
});
