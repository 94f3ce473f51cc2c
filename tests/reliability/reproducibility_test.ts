/**
 * Case 4: reproducibility on the `native` backend.
 *
 * - The same seed, configuration and backend give bit-identical checkpoints and identical
 *   metrics.json numbers (timings aside).
 * - A run trained for N steps and resumed to 2N equals an uninterrupted 2N-step run bit for bit.
 *   This used to drift from the first step after the resume: tfjs' `AdamOptimizer.setWeights`
 *   rebuilds the bias-correction powers beta^(t+1) with `pow`, which differs in the last bit from
 *   the t float32 multiplications training does (for t = 5, beta2 = 0.999 already); the kit now
 *   rebuilds them by multiplication (src/train/checkpoint.ts). The RNG state (one 32-bit word,
 *   mulberry32) and the step are in the checkpoint, and the loss log is cut back to the
 *   checkpoint's step. A resume given no model flags uses the run's recorded settings (it used to
 *   load the data at the default 256 px).
 * - The native kernels split work into tasks by thread count, not by timing, and each task writes
 *   its own part of the result, so thread scheduling does not change the bits (same machine).
 */

import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals } from "../assert.ts";
import { selectBackend } from "../../src/backend/mod.ts";
import { type Checkpoint, loadOptimizerState } from "../../src/train/checkpoint.ts";
import {
  assertCliOk,
  checkpointTensors,
  metricsWithoutTiming,
  runCli,
  tempDir,
  tensorDifference,
  tinyDataset,
  trainArgs,
} from "./_helpers.ts";

const tmp = await tempDir("repro");
const data = join(tmp, "data");
const { category } = await tinyDataset(data, 6);
const N = 5; // beta2^(N+1) by pow and by multiplication differ at N = 5

async function metrics(run: string): Promise<Record<string, unknown>> {
  assertCliOk(await runCli("eval", ["--run", run, "--quiet", "--no-overlays"]), `eval ${run}`);
  return metricsWithoutTiming(JSON.parse(await Deno.readTextFile(join(run, "metrics.json"))));
}

async function losses(run: string): Promise<Record<string, number>[]> {
  const text = await Deno.readTextFile(join(run, "train_log.jsonl"));
  return text.trim().split("\n").map((l) => JSON.parse(l)).map(({ time_s: _t, ...rest }) => rest);
}

Deno.test("the same seed, config and backend give identical weights and metrics; resume N -> 2N equals 2N", async () => {
  const [a, b, resumed] = ["a", "b", "resumed"].map((n) => join(tmp, n));
  const [ra, rb, r1] = await Promise.all([
    runCli("train", trainArgs(data, category, a, "--steps", String(2 * N))),
    runCli("train", trainArgs(data, category, b, "--steps", String(2 * N))),
    runCli("train", trainArgs(data, category, resumed, "--steps", String(N))),
  ]);
  assertCliOk(ra, "run a");
  assertCliOk(rb, "run b");
  assertCliOk(r1, `run resumed, first ${N} steps`);
  // Resume with only the budget: the run's recorded settings (64 px, K=32, D=8, ...) apply.
  const r2 = await runCli("train", [
    ...["--data", data, "--category", category, "--out", resumed],
    ...["--resume", "--steps", String(2 * N), "--backend", "native", "--quiet"],
  ]);
  assertCliOk(r2, `run resumed, ${N} -> ${2 * N}`);
  assert(!r2.stderr.includes("warning"), r2.stderr);

  const [ta, tb, tr] = await Promise.all([a, b, resumed].map(checkpointTensors));
  assertEquals([ta.step, tb.step, tr.step], [2 * N, 2 * N, 2 * N]);
  assertEquals(tensorDifference(ta.tensors, tb.tensors), { differing: 0, maxAbs: 0 }, "two identical runs differ");
  assertEquals(tensorDifference(ta.tensors, tr.tensors), { differing: 0, maxAbs: 0 }, "resumed run differs");
  assertEquals(await losses(resumed), await losses(a));

  const [ma, mb, mr] = [await metrics(a), await metrics(b), await metrics(resumed)];
  assertEquals(ma, mb);
  assertEquals(mr, ma);
});

Deno.test("loadOptimizerState restores Adam's bias-correction powers exactly as training left them", async () => {
  await selectBackend("native");
  const w = tf.variable(tf.tensor1d([0.5, -0.25, 1]));
  const adam = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const internals = (o: tf.Optimizer) => o as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
  for (let t = 1; t <= 40; t++) {
    const g = tf.tensor1d([0.1 * t, -0.2, 0.3]);
    adam.applyGradients([{ name: w.name, tensor: g }]);
    g.dispose();
    const weights = await adam.getWeights();
    const checkpoint: Checkpoint = {
      meta: {} as Checkpoint["meta"],
      tensors: new Map(),
      optimizer: weights.map(({ name, tensor }) => ({
        name,
        tensor: { dtype: "F32", shape: tensor.shape, data: Float32Array.from(tensor.dataSync()) },
      })),
    };
    weights[0].tensor.dispose(); // the iteration scalar
    const restored = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
    await loadOptimizerState(restored, checkpoint);
    for (const key of ["accBeta1", "accBeta2"] as const) {
      const want = internals(adam)[key].dataSync()[0], got = internals(restored)[key].dataSync()[0];
      assert(Object.is(want, got), `after ${t} steps ${key}: restored ${got}, training has ${want}`);
    }
    restored.dispose();
  }
  adam.dispose();
  w.dispose();
});
