/**
 * The collapse warning: a run whose top-level L_SVDD' falls to nothing and stays there is reported
 * once, at the step the fall began; healthy runs (and brief dips) are not. The curves are the first
 * 300 steps of real bottle runs at lr 3e-4 (seed 4 in bf16 collapsed, the same seed in float32 and
 * seed 3 in bf16 did not) and the first 1300 of seed 2 in float32, which collapsed without reaching 0.
 */

import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { selectBackend } from "../../src/backend/mod.ts";
import { DEFAULT_CONFIG, mergeConfig } from "../../src/config.ts";
import { CollapseWatch, watchedLoss } from "../../src/train/collapse.ts";
import { trainRun } from "../../src/train/loop.ts";
import { disposeModel } from "../../src/train/model.ts";
import { Rng } from "../../src/util/rng.ts";
import { tempDir } from "../reliability/_helpers.ts";

const curves: { runs: Record<string, Record<string, number[]>> } = JSON.parse(
  await Deno.readTextFile(new URL("../testdata/collapse_curves.json", import.meta.url)),
);

/** Feed a recorded run to a watch; the first warning's step and text. */
function replay(name: string): { at: number | null; message: string | null; count: number } {
  const run = curves.runs[name];
  const watch = new CollapseWatch();
  let message: string | null = null, count = 0;
  for (let i = 0; i < run.svddPrime64.length; i++) {
    const values = Object.fromEntries(Object.keys(run).map((k) => [k, run[k][i]]));
    const m = watch.observe(i + 1, values);
    if (m) [message, count] = [message ?? m, count + 1];
  }
  return { at: watch.collapsedAt, message, count };
}

Deno.test("CollapseWatch: the collapsed bottle run is reported once, where L_SVDD'(64) fell for good", () => {
  const { at, message, count } = replay("seed4_bf16");
  assertEquals(count, 1);
  assert(at !== null && at >= 150 && at <= 210, `collapse reported at step ${at}`);
  assert(message!.startsWith("L_SVDD'(64) fell from"), message!);
});

Deno.test("CollapseWatch: a float32 collapse (L_SVDD' near 1/300 of its start, not 0) is reported too", () => {
  const { at, count } = replay("seed2_fp32_1300");
  assertEquals(count, 1);
  assert(at !== null && at > 1000 && at < 1250, `collapse reported at step ${at}`);
});

Deno.test("CollapseWatch: healthy bottle runs are not reported", () => {
  for (const name of ["seed4_fp32", "seed3_bf16"]) assertEquals(replay(name).at, null, name);
});

Deno.test("CollapseWatch: a dip shorter than the patience is not a collapse", () => {
  const watch = new CollapseWatch({ baselineSteps: 2, ratio: 1e-3, patience: 3 });
  const series = [3e-4, 3e-4, 1e-15, 1e-15, 2e-4, 1e-15, 1e-15, 2e-4];
  series.forEach((v, i) => assertEquals(watch.observe(i + 1, { svddPrime64: v }), null));
  assertEquals(watch.collapsedAt, null);
  for (let step = 9; step <= 11; step++) watch.observe(step, { svddPrime64: 1e-15 });
  assertEquals(watch.collapsedAt, 9);
});

Deno.test("watchedLoss: the SVDD term of the largest patch size, none without one", () => {
  assertEquals(watchedLoss({ ssl64: 2, svddPrime64: 1, ssl32: 2, svddPrime32: 1 }), "svddPrime64");
  assertEquals(watchedLoss({ svdd32: 1, svdd128: 1, ssl128: 2 }), "svdd128");
  assertEquals(watchedLoss({ ssl64: 2 }), null);
  const watch = new CollapseWatch({ baselineSteps: 1, ratio: 1e-3, patience: 1 });
  for (let step = 1; step <= 5; step++) assertEquals(watch.observe(step, { ssl64: step === 1 ? 2 : 0 }), null);
});

Deno.test("trainRun: a resumed run that had collapsed is reported at once, with its step", async () => {
  await selectBackend("native");
  const runDir = join(await tempDir("collapse"), "run");
  const config = mergeConfig(DEFAULT_CONFIG, {
    imageSize: 64,
    train: { patchSize: 32, embeddingDim: 8, batchSize: 4 },
  });
  const rng = new Rng(5);
  const data = {
    images: Float32Array.from({ length: 4 * 64 * 64 * 3 }, () => (rng.next() - 0.5) * 0.2),
    count: 4,
    size: 64,
  };
  const first = await trainRun({ config, data, runDir, steps: 61, quiet: true });
  disposeModel(first.model);
  assertEquals(first.collapsedAt, null);
  // Replace the log with a collapsed one: 10 steps at 1e-3, then 51 at L_SVDD' = 0.
  const rows = Array.from({ length: 61 }, (_, i) => ({ step: i + 1, ssl32: 2.08, svddPrime32: i < 10 ? 1e-3 : 1e-15 }));
  await Deno.writeTextFile(join(runDir, "train_log.jsonl"), rows.map((r) => JSON.stringify(r) + "\n").join(""));
  const warnings: string[] = [];
  const resumed = await trainRun({
    config,
    data,
    runDir,
    steps: 62,
    resume: true,
    quiet: true,
    onWarning: (m) => warnings.push(m),
  });
  disposeModel(resumed.model);
  assertEquals(resumed.collapsedAt, 11);
  assertEquals(warnings.length, 1);
  assert(warnings[0].startsWith("this run collapsed at step 11."), warnings[0]);
});
