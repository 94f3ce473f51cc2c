/**
 * Case 3: training faults.
 *
 * - A NaN or Inf loss stops training with the step and the term that diverged, keeps the last
 *   good checkpoint untouched, and exits with code 3 (library: `TrainingError`).
 * - `kill -9` at random moments of a run that checkpoints after every step always leaves a
 *   readable checkpoint (the previous or the new one), `--resume` continues from it, and the run
 *   finished through kills and resumes equals an uninterrupted one bit for bit.
 */

import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { selectBackend } from "../../src/backend/mod.ts";
import { DEFAULT_CONFIG, mergeConfig, type RunConfig } from "../../src/config.ts";
import { TrainingError } from "../../src/errors.ts";
import { readCheckpoint } from "../../src/train/checkpoint.ts";
import { trainRun } from "../../src/train/loop.ts";
import { disposeModel } from "../../src/train/model.ts";
import type { TrainImages } from "../../src/train/step.ts";
import { Rng } from "../../src/util/rng.ts";
import {
  assertCliError,
  assertCliOk,
  checkpointTensors,
  killAfter,
  runCli,
  spawnCli,
  tempDir,
  tensorDifference,
  tinyDataset,
  trainArgs,
  waitForFile,
} from "./_helpers.ts";

const tmp = await tempDir("faults");
const data = join(tmp, "data");
const { category } = await tinyDataset(data, 6);

/** The tiny configuration, in-process. */
function tinyConfig(override: Partial<RunConfig["train"]> = {}): RunConfig {
  return mergeConfig(DEFAULT_CONFIG, {
    imageSize: 64,
    train: { patchSize: 32, embeddingDim: 8, batchSize: 4, ...override },
    inspect: { nn: "exact" },
  });
}

/** Normalised-looking random images, or all NaN / Infinity. */
function images(fill: "random" | number, count = 4, size = 64): TrainImages {
  const x = new Float32Array(count * size * size * 3);
  const rng = new Rng(9);
  for (let i = 0; i < x.length; i++) x[i] = fill === "random" ? (rng.next() - 0.5) * 0.2 : fill;
  return { images: x, count, size };
}

Deno.test("trainRun: a NaN loss names the step and the term, keeps the last good checkpoint", async () => {
  await selectBackend("native");
  for (
    const [losses, term] of [[undefined, "ssl32"], [
      { ssl: false, svddPrime: true, svdd: false },
      "svddPrime32",
    ]] as const
  ) {
    const runDir = join(tmp, `nan-${term}`);
    const config = tinyConfig(losses ? { losses } : {});
    const good = await trainRun({
      config,
      data: images("random"),
      runDir,
      steps: 2,
      checkpointMinutes: 0,
      quiet: true,
    });
    disposeModel(good.model);
    const ckpt = join(runDir, "checkpoint.safetensors");
    const before = await Deno.readFile(ckpt);
    await assertRejects(
      trainRun({ config, data: images(NaN), runDir, steps: 6, resume: true, checkpointMinutes: 0, quiet: true }),
      (e: unknown) => {
        assert(e instanceof TrainingError, String(e));
        assertEquals(e.exitCode, 3);
        assert(!e.message.includes("\n"), e.message);
        assert(e.message.startsWith(`Loss ${term} became NaN at step 3;`), e.message);
        assert(e.message.includes(`last good checkpoint (step 2) is kept in ${ckpt}`), e.message);
        return true;
      },
    );
    assertEquals(await Deno.readFile(ckpt), before, "the last good checkpoint was rewritten");
    const log = (await Deno.readTextFile(join(runDir, "train_log.jsonl"))).trim().split("\n").map((l) => JSON.parse(l));
    assertEquals(log.map((r) => r.step), [1, 2], "the diverged step must not be logged");
  }
  tf.disposeVariables();
});

Deno.test("trainRun: an infinite input stops at step 1 and keeps the initial checkpoint (step 0)", async () => {
  await selectBackend("native");
  const runDir = join(tmp, "inf");
  await assertRejects(
    trainRun({ config: tinyConfig(), data: images(Infinity), runDir, steps: 3, quiet: true }),
    (e: unknown) => {
      assert(e instanceof TrainingError, String(e));
      assert(
        /^Loss \w+ became (NaN|-?Infinity) at step 1; the last good checkpoint \(step 0\)/.test(e.message),
        e.message,
      );
      return true;
    },
  );
  const c = await readCheckpoint(join(runDir, "checkpoint.safetensors"));
  assertEquals(c.meta.step, 0);
  tf.disposeVariables();
});

Deno.test("train CLI: a diverging run (--lr 1e30) exits 3 naming step and term; the checkpoint is the last good one", async () => {
  const run = join(tmp, "diverge");
  const r = await runCli(
    "train",
    trainArgs(data, category, run, "--steps", "8", "--lr", "1e30", "--checkpoint-minutes", "0"),
  );
  const line = assertCliError(r, 3, /Loss (ssl32|svddPrime32|total) became (NaN|-?Infinity) at step \d+/, /--force/);
  const [, badStep] = line.match(/at step (\d+)/)!;
  const [, goodStep] = line.match(/last good checkpoint \(step (\d+)\)/)!;
  assertEquals(Number(goodStep), Number(badStep) - 1);
  const { step, tensors } = await checkpointTensors(run);
  assertEquals(step, Number(goodStep));
  for (const [name, values] of tensors) assert(values.every(Number.isFinite), `${name} holds non-finite values`);
});

Deno.test("train CLI: kill -9 at random moments leaves a readable checkpoint; --resume completes it identically", async () => {
  const total = 60;
  const run = join(tmp, "killed");
  const reference = join(tmp, "uninterrupted");
  const args = (...extra: string[]) =>
    trainArgs(data, category, run, "--steps", String(total), "--checkpoint-minutes", "0", ...extra);
  // The uninterrupted run, alongside the killed ones.
  const referenceRun = runCli("train", trainArgs(data, category, reference, "--steps", String(total)));
  const history: string[] = [];

  // A kill right after the run folder appears: no checkpoint yet, or the initial one.
  let child = spawnCli("train", args());
  assert(await waitForFile(join(run, "config.json")), "the run never started");
  child.kill("SIGKILL");
  await child.status;
  if (!(await waitForFile(join(run, "checkpoint.safetensors"), 0))) {
    assertCliError(await runCli("train", args("--resume")), 2, /stopped before its first checkpoint/, /--force/);
    history.push("killed before the first checkpoint");
  }

  // Kills at random moments: during start-up, steps, checkpoint writes.
  let step = -1, finished = false;
  for (let i = 0; i < 4 && !finished; i++) {
    const delay = Math.round(700 + Math.random() * 2300);
    const restart = i === 0 && history.length > 0;
    child = spawnCli("train", args(restart ? "--force" : "--resume"));
    // A restarted run has no checkpoint until its initial one: kill only after that.
    if (restart) assert(await waitForFile(join(run, "checkpoint.safetensors")), "no initial checkpoint");
    const killed = await killAfter(child, restart ? delay - 700 : delay);
    finished = !killed;
    const c = await readCheckpoint(join(run, "checkpoint.safetensors")); // never torn
    history.push(`kill after ${delay} ms -> checkpoint step ${c.meta.step}${killed ? "" : " (finished first)"}`);
    assert(c.meta.step >= step, `checkpoint went back from step ${step}: ${history.join("; ")}`);
    step = c.meta.step;
  }
  if (!finished) assertCliOk(await runCli("train", args("--resume")), `final --resume (${history.join("; ")})`);

  const killed = await checkpointTensors(run);
  assertEquals(killed.step, total);
  const log = (await Deno.readTextFile(join(run, "train_log.jsonl"))).trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(log.map((r) => r.step), Array.from({ length: total }, (_, i) => i + 1), "log steps 1..N, once each");
  const leftovers = [...Deno.readDirSync(run)].map((e) => e.name).filter((n) => n.includes(".tmp-"));
  assertEquals(leftovers, [], "temporary files left behind");

  assertCliOk(await referenceRun, "uninterrupted run");
  const diff = tensorDifference(killed.tensors, (await checkpointTensors(reference)).tensors);
  assertEquals(diff, { differing: 0, maxAbs: 0 }, `killed+resumed run differs: ${history.join("; ")}`);
  const refLog = (await Deno.readTextFile(join(reference, "train_log.jsonl"))).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const losses = (rows: Record<string, number>[]) => rows.map(({ time_s: _t, ...rest }) => rest);
  assertEquals(losses(log), losses(refLog));
  console.log(history.join("\n"));
});
