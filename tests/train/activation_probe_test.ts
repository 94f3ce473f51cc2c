/**
 * The activation probe: its per-level numbers are those of the encoder's own codes, a run with
 * pinned codes is named, healthy ones are not, and training logs the probe without being changed
 * by it (also across a resume).
 */

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { createEncoder, disposeEncoder, encodePatches, encoderLevels } from "../../src/model/encoder.ts";
import {
  drawProbe,
  type LevelActivations,
  meanAbs,
  measureActivations,
  pinnedLevel,
  PinnedWatch,
  saturatedFraction,
  spread,
} from "../../src/train/activation_probe.ts";
import { splitQuadrants } from "../../src/sampling/crop.ts";
import { importReferenceEncoder } from "../../src/model/reference_weights.ts";
import { readSafetensors } from "../../src/model/safetensors.ts";
import { Rng } from "../../src/util/rng.ts";
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

await tf.setBackend("cpu");

Deno.test("meanAbs, saturatedFraction, spread: small cases by hand", () => {
  assertEquals(meanAbs(Float32Array.from([1, -3, 0, 2])), 1.5);
  assertEquals(saturatedFraction(Float32Array.from([0.995, -0.999, 0.5, 0.98])), 0.5);
  assertEquals(spread(Float32Array.from([0.3, -0.2, 0.3, -0.2, 0.3, -0.2]), 3, 2), 0, "identical codes");
  // dimension 0: {1, -1} (std 1), dimension 1: {0, 0} (std 0)
  assertEquals(spread(Float32Array.from([1, 0, -1, 0]), 2, 2), 0.5);
});

Deno.test("measureActivations: each level's numbers are those of encodePatches' codes (K=64 over K=32; flat)", async () => {
  const enc = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 8 }, 2);
  const rng = new Rng(9);
  const size = 72, count = 2;
  const data = { images: new Float32Array(3 * size * size * 3).map(() => rng.next() - 0.5), count: 3, size };
  const probe = drawProbe(data, 64, 7, count);
  assertEquals(drawProbe(data, 64, 7, count).patches, probe.patches, "the same seed draws the same probe");
  const before = tf.memory().numTensors;
  const levels = await measureActivations(enc, probe);
  assertEquals(tf.memory().numTensors, before, "the probe leaks no tensor");
  assertEquals(levels.map((l) => [l.patchSize, l.preact.length]), [[64, 2], [32, 8]]);
  const inputs = [probe.patches, splitQuadrants(probe.patches, count, 64)];
  for (const [i, level] of encoderLevels(enc).entries()) {
    const n = count * 4 ** i, k = level.patchSize;
    const codes = tf.tidy(() => encodePatches(level, tf.tensor4d(inputs[i], [n, k, k, 3])).dataSync() as Float32Array);
    const got = levels[i];
    assert(Math.abs(got.spread - spread(codes, n, 8)) < 1e-6, `K=${k} spread ${got.spread} vs ${spread(codes, n, 8)}`);
    assertEquals(got.saturated, saturatedFraction(codes));
    assert(got.preact.every((m) => m > 0 && Number.isFinite(m)), `K=${k} pre-activations: ${got.preact}`);
  }
  // f_small's first pre-activation by hand: conv1 (stride 2) + bias on the quadrants
  const first = tf.tidy(() => {
    const x = tf.tensor4d(inputs[1], [count * 4, 32, 32, 3]);
    const w = enc.params.get("enc.conv1.weight")! as unknown as tf.Tensor4D;
    return meanAbs(tf.add(tf.conv2d(x, w, 2, "valid"), enc.params.get("enc.conv1.bias")!).dataSync() as Float32Array);
  });
  assert(Math.abs(levels[1].preact[0] - first) < 1e-6, `conv1: ${levels[1].preact[0]} vs ${first}`);

  // Pin the codes: a huge bias on f_small's last conv saturates every tanh output the same way.
  enc.params.get("enc.conv8.bias")!.assign(tf.fill([8], 50));
  const pinned = await measureActivations(enc, probe);
  assertEquals([pinned[1].saturated, pinned[1].spread], [1, 0]);
  const message = new PinnedWatch().observe(140, pinned).warning;
  assert(message?.includes("at step 140 the K=32 codes are pinned") && message.includes("100%"), `${message}`);
  disposeEncoder(enc);
  // the flat K=64 encoder: one level, four layers
  const flat = createEncoder({ encoder: "flat", patchSize: 64, embeddingDim: 8 }, 2);
  assertEquals((await measureActivations(flat, probe)).map((l) => [l.patchSize, l.preact.length]), [[64, 4]]);
  disposeEncoder(flat);
});

const level = (patchSize: number, saturated: number, spread: number): LevelActivations => ({
  patchSize,
  preact: [0.1, 1],
  saturated,
  spread,
});

Deno.test("pinnedLevel: none in healthy measurements (a transient peak, a trained encoder, a fresh one)", () => {
  // numbers measured on bottle (see DEFAULT_PINNED_CRITERIA)
  assertEquals(pinnedLevel([level(64, 0, 7.5e-3), level(32, 0.7, 1.5e-2)]), undefined, "healthy run's peak");
  assertEquals(pinnedLevel([level(64, 0.17, 0.68), level(32, 0.4, 0.66)]), undefined, "reference encoder");
  assertEquals(pinnedLevel([level(64, 0, 3e-5), level(32, 0, 5e-5)]), undefined, "fresh encoder: no spread yet");
  assertEquals(pinnedLevel([level(64, 0, 1.8e-3), level(32, 0.97, 1.7e-3)])?.patchSize, 32, "collapsed run");
});

Deno.test("PinnedWatch: warns once, notes a recovery, and calls a collapse lasting only after lastingSteps", () => {
  const pinned = [level(64, 0, 1e-3), level(32, 0.98, 1.4e-3)], healthy = [level(64, 0, 0.04), level(32, 0.6, 0.05)];
  // seed 6 on bottle (20 minutes, warm-up): pinned at the probes of steps 500 to 900, then recovered
  const recovering = new PinnedWatch();
  const reports = [400, 500, 600, 700, 800, 900, 1000, 1100].map((step) =>
    recovering.observe(step, step >= 500 && step <= 900 ? pinned : healthy)
  );
  assertEquals(reports.map((r) => r.warning !== null), [false, true, false, false, false, false, false, false]);
  assertEquals(reports.map((r) => r.recovered !== null), [false, false, false, false, false, false, true, false]);
  assert(
    reports[6].recovered!.includes("pinned since step 500 are pinned no more at step 1000"),
    reports[6].recovered!,
  );
  assert(reports.every((r) => !r.lasting), "a 400-step pinned stretch is not a lasting collapse");
  assertEquals(recovering.pinnedAt, 500);
  // a run that stays pinned: lasting once 1000 steps have passed at every probe (a healthy probe restarts the count)
  const stuck = new PinnedWatch();
  const lasting = [100, 200, 300, 1200, 1300].map((step) =>
    stuck.observe(step, step === 200 ? healthy : pinned).lasting
  );
  assertEquals(lasting, [false, false, false, false, true]);
  assertEquals(stuck.since, 300);
});

const referenceDir = fileURLToPath(new URL("../../../shared/data/reference_weights", import.meta.url));
const referenceFiles = ["bottle_enchier.safetensors", "bottle_expected_outputs.safetensors"].map((f) =>
  join(referenceDir, f)
);
const haveReference = referenceFiles.every((f) => {
  try {
    return Deno.statSync(f).isFile;
  } catch {
    return false;
  }
});

Deno.test({
  name: "measureActivations: the authors' trained bottle encoder is saturated in part but spread, not pinned",
  ignore: !haveReference,
  fn: async () => {
    const enc = await importReferenceEncoder(referenceFiles[0], { patchSize: 64, embeddingDim: 64 });
    const image = (await readSafetensors(referenceFiles[1])).get("input_broken_large_000")!; // one normalised image
    const levels = await measureActivations(enc, drawProbe({ images: image.data, count: 1, size: 256 }, 64, 0, 16));
    assertEquals(pinnedLevel(levels), undefined);
    for (const l of levels) assert(l.spread > 0.1 && l.saturated > 0.05, `K=${l.patchSize}: ${JSON.stringify(l)}`);
    disposeEncoder(enc);
  },
});

const tmp = await tempDir("activation-probe");
const data = join(tmp, "data");
const { category } = await tinyDataset(data, 6);

async function probeRows(run: string): Promise<{ step: number; levels: LevelActivations[] }[]> {
  return (await Deno.readTextFile(join(run, "activations.jsonl"))).trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("train --probe-every: the log holds a row per probe, training is the same without it", async () => {
  const [probed, off] = ["probed", "off"].map((n) => join(tmp, n));
  const runs = await Promise.all([
    runCli("train", trainArgs(data, category, probed, "--steps", "4", "--probe-every", "2")),
    runCli("train", trainArgs(data, category, off, "--steps", "4", "--probe-every", "0")),
  ]);
  runs.forEach((r, i) => assertCliOk(r, ["probed", "off"][i]));
  const rows = await probeRows(probed);
  assertEquals(rows.map((r) => r.step), [0, 2, 4]);
  assertEquals(rows[0].levels.map((l) => [l.patchSize, l.preact.length]), [[32, 8]]);
  assertEquals((await Deno.readTextFile(join(off, "activations.jsonl"))).trim(), "", "0 turns the probe off");
  const [a, b] = await Promise.all([probed, off].map(checkpointTensors));
  assertEquals(tensorDifference(a.tensors, b.tensors), { differing: 0, maxAbs: 0 }, "the probe changed training");
  const summary = JSON.parse(await Deno.readTextFile(join(probed, "train_summary.json")));
  assertEquals(summary.pinned_at_step, null);
});

Deno.test("train --resume: the activation log continues from the checkpoint's step", async () => {
  const run = join(tmp, "resumed");
  assertCliOk(await runCli("train", trainArgs(data, category, run, "--steps", "2", "--probe-every", "1")), "first");
  assertCliOk(
    await runCli("train", trainArgs(data, category, run, "--steps", "4", "--probe-every", "1", "--resume")),
    "resume",
  );
  assertEquals((await probeRows(run)).map((r) => r.step), [0, 1, 2, 3, 4]);
  // a run saved at step 0 (the random encoder) and resumed: step 0 is probed once
  const zero = join(tmp, "zero");
  assertCliOk(await runCli("train", trainArgs(data, category, zero, "--steps", "0")), "step 0");
  assertCliOk(await runCli("train", trainArgs(data, category, zero, "--steps", "1", "--resume")), "resume at 0");
  assertEquals((await probeRows(zero)).map((r) => r.step), [0]);
});

Deno.test("a run whose codes get pinned is named; --stop-on-collapse stops it once the collapse lasts, exit 3", async () => {
  // --lr 0.1 blows f_small's activations up within a few steps (measured: pinned at step 5; the losses confirm the
  // collapse 50 steps after it began, before the probe's 1000 lasting steps)
  const flags = ["--steps", "80", "--lr", "0.1", "--probe-every", "5"];
  const [warned, stopped] = ["warned", "stopped"].map((n) => join(tmp, n));
  const [w, s] = await Promise.all([
    runCli("train", trainArgs(data, category, warned, ...flags)),
    runCli("train", trainArgs(data, category, stopped, ...flags, "--stop-on-collapse")),
  ]);
  assertCliOk(w, "warned");
  assert(/warning: at step 5 the K=32 codes are pinned/.test(w.stderr), w.stderr);
  const summary = JSON.parse(await Deno.readTextFile(join(warned, "train_summary.json")));
  assertEquals([summary.steps, summary.pinned_at_step], [80, 5]);
  assert(summary.collapsed_at_step > 5, `the losses confirm it later: ${summary.collapsed_at_step}`);
  const line = assertCliError(s, 3, /Training collapsed at step \d+ and was stopped \(--stop-on-collapse\)/);
  const kept = Number(line.match(/checkpoint \(step (\d+)\)/)?.[1]);
  assert(kept > summary.collapsed_at_step && kept < 80, line);
  assertEquals((await checkpointTensors(stopped)).step, kept);
  const log = (await Deno.readTextFile(join(stopped, "train_log.jsonl"))).trim().split("\n");
  assertEquals(log.length, kept, "every step up to the stop is logged");
  // resuming a run that collapsed before, with --stop-on-collapse: it stops at once, its checkpoint untouched
  const resumed = await runCli(
    "train",
    trainArgs(data, category, warned, "--steps", "100", "--resume", "--stop-on-collapse"),
  );
  assertCliError(resumed, 3, /Training collapsed at step \d+ and was stopped/, /checkpoint \(step 80\)/);
  assertEquals((await checkpointTensors(warned)).step, 80);
});

Deno.test("train --probe-every: a negative or fractional value is a usage error", async () => {
  const r = await runCli("train", trainArgs(data, category, join(tmp, "bad"), "--steps", "1", "--probe-every", "-1"));
  assertCliError(r, 2, /--probe-every/);
});
