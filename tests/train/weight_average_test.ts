/**
 * `--ema DECAY`: the moving average of the weights.
 *
 * - One update is `decay * avg + (1 - decay) * w`, starting from the weights at construction.
 * - A run trained with `--ema` saves the average as `ema.<name>` beside the trained weights; a run
 *   trained for N steps and resumed to 2N equals an uninterrupted 2N-step run bit for bit, average
 *   included; `eval` inspects with the average unless `--weights trained`, and records which.
 * - A run without `--ema` has no averaged tensors and `eval` reports the trained weights.
 */

import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { selectBackend } from "../../src/backend/mod.ts";
import { WeightAverage } from "../../src/train/weight_average.ts";
import {
  assertCliError,
  assertCliOk,
  checkpointTensors,
  runCli,
  tempDir,
  tensorDifference,
  tinyDataset,
  trainArgs,
} from "../reliability/_helpers.ts";

Deno.test("WeightAverage: each update is decay * average + (1 - decay) * weights", async () => {
  await selectBackend("native");
  const w = tf.variable(tf.tensor1d([1, 2]));
  const params = new Map([["w", w]]);
  const average = new WeightAverage(params, 0.75);
  const next = tf.tensor1d([5, -2]);
  w.assign(next);
  average.update(params);
  assertEquals([...average.values.get("w")!.dataSync()], [2, 1]); // 0.75 * [1, 2] + 0.25 * [5, -2]
  average.update(params);
  assertEquals([...average.values.get("w")!.dataSync()], [2.75, 0.25]);
  assertEquals([...w.dataSync()], [5, -2], "the trained weights are untouched");
  assertThrows(() => new WeightAverage(params, 1), /\(0, 1\)/);
  average.dispose();
  tf.dispose([w, next]);
});

const tmp = await tempDir("ema");
const data = join(tmp, "data");
const { category } = await tinyDataset(data, 6);
const N = 3;

/** The weights `eval` reports having inspected with. */
async function evalWeights(run: string, ...flags: string[]): Promise<unknown> {
  assertCliOk(await runCli("eval", ["--run", run, "--quiet", "--no-overlays", ...flags]), `eval ${run} ${flags}`);
  return JSON.parse(await Deno.readTextFile(join(run, "metrics.json"))).config.weights;
}

Deno.test("--ema: the average is checkpointed, resumes exactly and is what eval inspects", async () => {
  const [whole, resumed, plain] = ["whole", "resumed", "plain"].map((n) => join(tmp, n));
  const results = await Promise.all([
    runCli("train", trainArgs(data, category, whole, "--steps", String(2 * N), "--ema", "0.5")),
    runCli("train", trainArgs(data, category, resumed, "--steps", String(N), "--ema", "0.5")),
    runCli("train", trainArgs(data, category, plain, "--steps", String(N))),
  ]);
  results.forEach((r, i) => assertCliOk(r, ["whole", "first half", "plain"][i]));
  assertCliOk(
    await runCli("train", [
      ...["--data", data, "--category", category, "--out", resumed],
      ...["--resume", "--steps", String(2 * N), "--backend", "native", "--quiet"],
    ]),
    "resume",
  );
  const [tw, tr, tp] = await Promise.all([whole, resumed, plain].map(checkpointTensors));
  assertEquals(tensorDifference(tw.tensors, tr.tensors), { differing: 0, maxAbs: 0 }, "resumed run differs");
  const averaged = [...tw.tensors.keys()].filter((name) => name.startsWith("ema."));
  assert(averaged.length > 0, "no ema.* tensors in the checkpoint");
  for (const name of averaged) assert(tw.tensors.has(name.slice(4)), `${name} averages an unknown parameter`);
  const moved = averaged.some((name) => {
    const a = tw.tensors.get(name)!, b = tw.tensors.get(name.slice(4))!;
    return a.some((x, i) => x !== b[i]);
  });
  assert(moved, "the average equals the trained weights after training");
  assert(![...tp.tensors.keys()].some((name) => name.startsWith("ema.")), "a run without --ema saved an average");

  assertEquals(await evalWeights(whole), "averaged");
  assertEquals(await evalWeights(whole, "--weights", "trained"), "trained");
  assertEquals(await evalWeights(plain), "trained");
});

Deno.test("--ema outside (0, 1) is a one-line usage error", async () => {
  const r = await runCli("train", trainArgs(data, category, join(tmp, "bad"), "--steps", "1", "--ema", "1.5"));
  assertCliError(r, 2, /EMA decay/, /1\.5/);
});
