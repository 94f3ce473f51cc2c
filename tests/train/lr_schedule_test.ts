/**
 * `--lr-schedule linear|cosine`: the learning rate falls from `--lr` to zero over
 * `--lr-decay-steps` steps, and a run really trains with it (a rate of zero leaves the weights as
 * they are); `--lr-decay-start S` holds `--lr` until step S. `--lr-warmup-steps N` raises it from `--lr / N` to `--lr` over the first N steps.
 */

import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { scheduledLearningRate } from "../../src/train/lr_schedule.ts";
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

Deno.test("scheduledLearningRate: constant, linear and cosine decay to zero", () => {
  assertEquals(scheduledLearningRate(1e-4, undefined, 1e6), 1e-4);
  const linear = { kind: "linear", steps: 100 } as const, cosine = { kind: "cosine", steps: 100 } as const;
  assertEquals([0, 25, 50, 100, 150].map((s) => scheduledLearningRate(2, linear, s)), [2, 1.5, 1, 0, 0]);
  const c = [0, 50, 100, 200].map((s) => scheduledLearningRate(2, cosine, s));
  assertEquals(c[0], 2);
  assert(Math.abs(c[1] - 1) < 1e-12, `cosine at half way: ${c[1]}`);
  assert(Math.abs(c[2]) < 1e-12 && Math.abs(c[3]) < 1e-12, `cosine at the end: ${c[2]}, ${c[3]}`);
  for (let s = 1; s <= 100; s++) assert(scheduledLearningRate(2, cosine, s) <= scheduledLearningRate(2, cosine, s - 1));
});

Deno.test("scheduledLearningRate: with a decay start, the full rate until it, then the decay to zero at the end", () => {
  const linear = { kind: "linear", steps: 100, startStep: 60 } as const;
  assertEquals([0, 59, 60, 70, 80, 100, 120].map((s) => scheduledLearningRate(2, linear, s)), [2, 2, 2, 1.5, 1, 0, 0]);
  const cosine = { kind: "cosine", steps: 100, startStep: 60 } as const;
  assertEquals(scheduledLearningRate(2, cosine, 30), 2);
  assert(Math.abs(scheduledLearningRate(2, cosine, 80) - 1) < 1e-12, "cosine half way through its decay");
  assertEquals(scheduledLearningRate(4, linear, 1, 4), 2, "the warm-up still applies (2/4 at step 1)");
});

Deno.test("scheduledLearningRate: a decay over minutes follows the seconds trained, not the steps", () => {
  const linear = { kind: "linear", minutes: 1 } as const, cosine = { kind: "cosine", minutes: 2 } as const;
  assertEquals([0, 15, 30, 60, 90].map((s) => scheduledLearningRate(2, linear, 1e6, 0, s)), [2, 1.5, 1, 0, 0]);
  assertEquals(scheduledLearningRate(2, linear, 0, 0, 30), 1, "the step count does not matter");
  assert(Math.abs(scheduledLearningRate(2, cosine, 7, 0, 60) - 1) < 1e-12, "cosine at half the minutes");
  assertEquals(scheduledLearningRate(4, linear, 1, 4, 30), 1, "the warm-up's factor (2/4) times the decay's (1/2)");
});

Deno.test("scheduledLearningRate: a linear warm-up to the base rate, then the schedule", () => {
  assertEquals([0, 1, 2, 3, 10].map((s) => scheduledLearningRate(4, undefined, s, 4)), [1, 2, 3, 4, 4]);
  assertEquals(scheduledLearningRate(4, undefined, 0, 0), 4, "0 steps means no warm-up");
  const linear = { kind: "linear", steps: 8 } as const;
  // warm-up factor times the decay, both counted from step 0
  assertEquals([0, 1, 3, 4, 8].map((s) => scheduledLearningRate(4, linear, s, 4)), [1, 1.75, 2.5, 2, 0]);
});

const tmp = await tempDir("lr-schedule");
const data = join(tmp, "data");
const { category } = await tinyDataset(data, 6);

/** Encoder and classifier weights of a run's checkpoint (no optimizer state). */
async function weights(run: string): Promise<Map<string, Float32Array>> {
  const { tensors } = await checkpointTensors(run);
  return new Map([...tensors].filter(([name]) => !name.startsWith("optimizer.")));
}

Deno.test("--lr-schedule linear: after the decay the weights stop moving", async () => {
  const [one, decayed, constant] = ["one", "decayed", "constant"].map((n) => join(tmp, n));
  const runs = await Promise.all([
    runCli("train", trainArgs(data, category, one, "--steps", "1")),
    // step 0 runs at the full rate, steps 1 and 2 at rate 0
    runCli(
      "train",
      trainArgs(data, category, decayed, "--steps", "3", "--lr-schedule", "linear", "--lr-decay-steps", "1"),
    ),
    runCli("train", trainArgs(data, category, constant, "--steps", "3")),
  ]);
  runs.forEach((r, i) => assertCliOk(r, ["one step", "decayed", "constant"][i]));
  const [w1, wd, wc] = await Promise.all([one, decayed, constant].map(weights));
  assertEquals(tensorDifference(w1, wd), { differing: 0, maxAbs: 0 }, "steps at rate zero changed the weights");
  assert(tensorDifference(w1, wc).differing > 0, "a constant rate should keep moving the weights");
  const log = (await Deno.readTextFile(join(decayed, "train_log.jsonl"))).trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(log.map((line) => line.lr), [1e-4, 0, 0], "the log records each step's rate");
});

Deno.test("--lr-warmup-steps: the log records the rising rate and the config keeps the warm-up", async () => {
  const run = join(tmp, "warm");
  assertCliOk(
    await runCli("train", trainArgs(data, category, run, "--steps", "3", "--lr-warmup-steps", "2")),
    "warm-up",
  );
  const log = (await Deno.readTextFile(join(run, "train_log.jsonl"))).trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(log.map((line) => line.lr), [5e-5, 1e-4, 1e-4]);
  const config = JSON.parse(await Deno.readTextFile(join(run, "config.json")));
  assertEquals(config.config.train.lrWarmupSteps, 2);
});

Deno.test("--lr-warmup-steps that is not a positive whole number is a one-line usage error", async () => {
  const r = await runCli(
    "train",
    trainArgs(data, category, join(tmp, "badwarm"), "--steps", "1", "--lr-warmup-steps", "0"),
  );
  assertCliError(r, 2, /lr-warmup-steps/);
});

Deno.test("--lr-schedule without a step or minute budget is a one-line usage error", async () => {
  const r = await runCli(
    "train",
    trainArgs(data, category, join(tmp, "bad"), "--epochs", "1", "--lr-schedule", "cosine"),
  );
  assertCliError(r, 2, /--lr-decay-steps N \(or --steps N, or --max-minutes M\)/);
});

Deno.test("--lr-decay-start: the log holds the rate, then decays it, and the config records the start", async () => {
  const run = join(tmp, "wsd");
  assertCliOk(
    await runCli(
      "train",
      trainArgs(data, category, run, "--steps", "4", "--lr-schedule", "linear", "--lr-decay-start", "2"),
    ),
    "decay start",
  );
  const log = (await Deno.readTextFile(join(run, "train_log.jsonl"))).trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(log.map((line) => line.lr), [1e-4, 1e-4, 1e-4, 5e-5]);
  const config = JSON.parse(await Deno.readTextFile(join(run, "config.json")));
  assertEquals(config.config.train.lrSchedule, { kind: "linear", steps: 4, startStep: 2 });
});

Deno.test("--lr-decay-start without a decay over steps, or at or past its end, is a one-line usage error", async () => {
  const cases: [string[], RegExp][] = [
    [["--steps", "4", "--lr-decay-start", "2"], /needs a decay: add --lr-schedule linear/],
    [["--max-minutes", "1", "--lr-schedule", "linear", "--lr-decay-start", "2"], /counts steps: add --lr-decay-steps/],
    [["--steps", "4", "--lr-schedule", "cosine", "--lr-decay-start", "4"], /below the decay's end \(4\), got 4/],
  ];
  for (const [i, [flags, pattern]] of cases.entries()) {
    assertCliError(await runCli("train", trainArgs(data, category, join(tmp, `badstart${i}`), ...flags)), 2, pattern);
  }
});

Deno.test("--lr-schedule with only --max-minutes decays over those minutes, and the log shows the rate falling", async () => {
  const run = join(tmp, "minutes");
  assertCliOk(
    await runCli("train", trainArgs(data, category, run, "--max-minutes", "0.05", "--lr-schedule", "linear")),
    "decay over minutes",
  );
  const config = JSON.parse(await Deno.readTextFile(join(run, "config.json")));
  assertEquals(config.config.train.lrSchedule, { kind: "linear", minutes: 0.05 });
  const lr = (await Deno.readTextFile(join(run, "train_log.jsonl"))).trim().split("\n").map((l) => JSON.parse(l).lr);
  assert(lr.length >= 2, `expected at least 2 steps in 3 seconds, got ${lr.length}`);
  assert(lr[0] > 0 && lr[0] <= 1e-4, `first rate ${lr[0]}`);
  for (let i = 1; i < lr.length; i++) assert(lr[i] < lr[i - 1], `the rate did not fall at step ${i}: ${lr}`);
});
