/**
 * The checkpoints observer: with 0 minutes it saves after every step, with a long interval only
 * when asked (save()) and at the end; the end saves unless the last step was just saved (always
 * when the invocation ran no step); savedStep follows the saves (it is what a diverged run keeps).
 */

import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../src/backend/mod.ts";
import { assertEquals } from "../../assert.ts";
import { DEFAULT_CONFIG, mergeConfig } from "../../../src/config.ts";
import { type CheckpointMeta, readCheckpoint } from "../../../src/train/checkpoint.ts";
import { createModel, disposeModel } from "../../../src/train/model.ts";
import { Checkpoints } from "../../../src/train/observers/checkpoints.ts";
import { tempDir } from "../../reliability/_helpers.ts";

await selectBackend("native");
const tmp = await tempDir("checkpoints");
const config = mergeConfig(DEFAULT_CONFIG, { imageSize: 64, train: { patchSize: 32, embeddingDim: 8, batchSize: 4 } });

/** A model, an optimizer and a step counter the test moves by hand. */
function fixture(name: string, minutes: number) {
  const model = createModel(config), optimizer = tf.train.adam(1e-4);
  const state = { step: 0 };
  const meta = (): CheckpointMeta => ({ config, step: state.step, rngState: 1, elapsedSeconds: 0, extra: {} });
  const path = join(tmp, `${name}.safetensors`);
  const saved = async () => (await readCheckpoint(path)).meta.step;
  return { model, optimizer, state, path, saved, checkpoints: new Checkpoints(path, model, optimizer, meta, minutes) };
}

const report = (step: number) => ({ step, values: { total: 1 }, lr: 1e-4, seconds: step });

Deno.test("Checkpoints: every step with 0 minutes; the end saves nothing more when the last step is saved", async () => {
  const f = fixture("every", 0);
  for (f.state.step = 1; f.state.step <= 3; f.state.step++) {
    await f.checkpoints.afterStep(report(f.state.step));
    assertEquals([await f.saved(), f.checkpoints.savedStep], [f.state.step, f.state.step]);
  }
  f.state.step = 3;
  const before = await Deno.readFile(f.path);
  await f.checkpoints.end({ step: 3, seconds: 3, last: { total: 1 }, stoppedBy: "steps" });
  assertEquals(await Deno.readFile(f.path), before, "the end rewrote a checkpoint of its last step");
  disposeModel(f.model);
  f.optimizer.dispose();
});

Deno.test("Checkpoints: with a long interval, only save() and the end write; savedStep follows", async () => {
  const f = fixture("rare", 60);
  assertEquals(f.checkpoints.savedStep, 0, "starts at the run's step");
  await f.checkpoints.save();
  f.state.step = 2;
  await f.checkpoints.afterStep(report(2));
  assertEquals([await f.saved(), f.checkpoints.savedStep], [0, 0]);
  await f.checkpoints.end({ step: 2, seconds: 2, last: { total: 1 }, stoppedBy: "time" });
  assertEquals([await f.saved(), f.checkpoints.savedStep], [2, 2]);
  disposeModel(f.model);
  f.optimizer.dispose();
});

Deno.test("Checkpoints.end: an invocation that ran no step still saves (its time is recorded)", async () => {
  const f = fixture("none", 60);
  await f.checkpoints.end({ step: 0, seconds: 0, last: null, stoppedBy: "steps" });
  assertEquals(await f.saved(), 0);
  disposeModel(f.model);
  f.optimizer.dispose();
});
