/**
 * Retired options (results/time_to_quality/README.md, Retired options): `train --ema`, `train
 * --fp32-steps` and `eval --weights` are gone. A run trained with one cannot be resumed (it would
 * silently continue without it); a checkpoint holding the retired moving average (`ema.<name>`
 * tensors) still loads, with the weights the optimizer left.
 */

import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { assert, assertEquals } from "../assert.ts";
import { loadModelState, readCheckpoint } from "../../src/train/checkpoint.ts";
import { createModel, disposeModel } from "../../src/train/model.ts";
import { encodeSafetensors, readSafetensorsFile } from "../../src/model/safetensors.ts";
import { assertCliError, assertCliOk, runCli, tempDir, tinyDataset, trainArgs } from "../reliability/_helpers.ts";

await tf.setBackend("cpu");
const tmp = await tempDir("retired");
const data = join(tmp, "data");
const { category } = await tinyDataset(data, 4);

Deno.test("train --ema, train --fp32-steps and eval --weights are unknown options (exit 2)", async () => {
  const [ema, fp32, weights] = await Promise.all([
    runCli("train", trainArgs(data, category, join(tmp, "ema"), "--steps", "1", "--ema", "0.999")),
    runCli("train", trainArgs(data, category, join(tmp, "fp32"), "--steps", "1", "--fp32-steps", "5")),
    runCli("eval", ["--run", join(tmp, "none"), "--weights", "trained"]),
  ]);
  assertCliError(ema, 2, /Unknown option '--ema'/);
  assertCliError(fp32, 2, /Unknown option '--fp32-steps'/);
  assertCliError(weights, 2, /Unknown option '--weights'/);
});

/** Rewrite a run's checkpoint with its metadata changed and, optionally, extra tensors. */
async function rewriteCheckpoint(
  run: string,
  change: (meta: Record<string, Record<string, unknown>>) => void,
  extra: (tensors: Map<string, { shape: number[]; data: Float32Array }>) => void = () => {},
): Promise<void> {
  const path = join(run, "checkpoint.safetensors");
  const file = await readSafetensorsFile(path);
  const meta = JSON.parse(file.metadata!.patchsvdd);
  change(meta);
  const tensors = new Map([...file.tensors].map(([name, t]) => [name, { shape: t.shape, data: t.data }]));
  extra(tensors);
  await Deno.writeFile(path, encodeSafetensors(tensors, { patchsvdd: JSON.stringify(meta) }));
}

Deno.test("train --resume of a run trained with --ema or --fp32-steps is refused, naming the option (exit 2)", async () => {
  const [ema, fp32] = ["ema-run", "fp32-run"].map((n) => join(tmp, n));
  const made = await Promise.all(
    [ema, fp32].map((run) => runCli("train", trainArgs(data, category, run, "--steps", "0"))),
  );
  made.forEach((r, i) => assertCliOk(r, ["ema", "fp32"][i]));
  await rewriteCheckpoint(ema, (meta) => (meta.config.train as Record<string, unknown>).emaDecay = 0.999);
  await rewriteCheckpoint(fp32, (meta) => meta.extra.fp32Steps = 500);
  const [r1, r2] = await Promise.all(
    [ema, fp32].map((run) => runCli("train", trainArgs(data, category, run, "--steps", "1", "--resume"))),
  );
  assertCliError(r1, 2, /Cannot resume .*ema-run: it was trained with --ema, since retired/, /--force/);
  assertCliError(r2, 2, /Cannot resume .*fp32-run: it was trained with --fp32-steps, since retired/, /--force/);
  assertEquals((await readCheckpoint(join(ema, "checkpoint.safetensors"))).meta.step, 0, "the checkpoint is kept");
});

Deno.test("loadModelState: a checkpoint with the retired ema.<name> tensors loads the trained weights", async () => {
  const run = join(tmp, "old-ema");
  assertCliOk(await runCli("train", trainArgs(data, category, run, "--steps", "1")), "train");
  await rewriteCheckpoint(run, () => {}, (tensors) => {
    for (const [name, t] of [...tensors]) {
      if (/^(enc\.)*conv\d+\.(weight|bias)$/.test(name)) {
        tensors.set(`ema.${name}`, {
          shape: t.shape,
          data: t.data.map(() => 7),
        });
      }
    }
  });
  const checkpoint = await readCheckpoint(join(run, "checkpoint.safetensors"));
  assert(checkpoint.tensors.has("ema.conv1.weight"), [...checkpoint.tensors.keys()].join(", "));
  const model = createModel(checkpoint.meta.config);
  loadModelState(model, checkpoint);
  for (const [name, v] of model.encoder.params) {
    assertEquals(v.dataSync(), checkpoint.tensors.get(name)!.data, name);
  }
  disposeModel(model);
});
