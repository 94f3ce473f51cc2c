/**
 * `--fp32-steps N`: a bf16 run does its first N steps in float32, then switches to bf16; the run
 * folder records N. Float32 runs are untouched, and the flag is refused without bf16.
 */

import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { selectBackend } from "../../src/backend/mod.ts";
import { nativePrecision, setNativePrecision } from "../../src/backend/native.ts";
import { DEFAULT_CONFIG, mergeConfig } from "../../src/config.ts";
import { trainRun } from "../../src/train/loop.ts";
import { disposeModel } from "../../src/train/model.ts";
import { stepPrecision } from "../../src/train/precision_warmup.ts";
import { Rng } from "../../src/util/rng.ts";
import { assertCliError, assertCliOk, runCli, tempDir, tinyDataset, trainArgs } from "../reliability/_helpers.ts";

Deno.test("stepPrecision: float32 for the first fp32Steps steps of a bf16 run only", () => {
  assertEquals([0, 1, 2, 3].map((s) => stepPrecision("bf16", 2, s)), ["fp32", "fp32", "bf16", "bf16"]);
  assertEquals(stepPrecision("bf16", 0, 0), "bf16");
  assertEquals(stepPrecision("fp32", 5, 0), "fp32");
});

const tmp = await tempDir("fp32-steps");
const { category } = await tinyDataset(join(tmp, "data"), 4);

Deno.test("train: --fp32-steps without --precision bf16 is a usage error", async () => {
  const r = await runCli("train", trainArgs(join(tmp, "data"), category, join(tmp, "fp32"), "--fp32-steps", "3"));
  assertCliError(r, 2, /--fp32-steps/, /--precision bf16/);
});

let amx = false;
try {
  await selectBackend("native");
  setNativePrecision("bf16");
  amx = true;
  setNativePrecision("fp32");
} catch {
  console.warn("--fp32-steps runs skipped: no native backend or no AMX here");
}

Deno.test({
  name: "trainRun: a bf16 run switches from float32 to bf16 after fp32Steps steps",
  ignore: !amx,
  fn: async () => {
    const config = mergeConfig(DEFAULT_CONFIG, {
      imageSize: 64,
      train: { patchSize: 32, embeddingDim: 8, batchSize: 4 },
    });
    const rng = new Rng(3);
    const images = Float32Array.from({ length: 4 * 64 * 64 * 3 }, () => (rng.next() - 0.5) * 0.2);
    const seen: string[] = [];
    const result = await trainRun({
      config,
      data: { images, count: 4, size: 64 },
      runDir: join(tmp, "loop"),
      steps: 4,
      quiet: true,
      precision: "bf16",
      fp32Steps: 2,
      onStep: () => seen.push(nativePrecision()),
    });
    disposeModel(result.model);
    assertEquals(seen, ["fp32", "fp32", "bf16", "bf16"]);
    setNativePrecision("fp32");
  },
});

Deno.test({
  name: "train: the run records its float32 warm-up",
  ignore: !amx,
  fn: async () => {
    const out = join(tmp, "bf16");
    const r = await runCli(
      "train",
      trainArgs(join(tmp, "data"), category, out, "--steps", "3", "--precision", "bf16", "--fp32-steps", "2"),
    );
    assertCliOk(r, "bf16 train");
    const config = JSON.parse(await Deno.readTextFile(join(out, "config.json")));
    const summary = JSON.parse(await Deno.readTextFile(join(out, "train_summary.json")));
    assertEquals([config.precision, config.fp32Steps], ["bf16", 2]);
    assertEquals([summary.precision, summary.fp32_steps, summary.collapsed_at_step], ["bf16", 2, null]);
    const plain = join(tmp, "bf16-default");
    assertCliOk(
      await runCli("train", trainArgs(join(tmp, "data"), category, plain, "--steps", "1", "--precision", "bf16")),
      "default",
    );
    const recorded = JSON.parse(await Deno.readTextFile(join(plain, "config.json")));
    assertEquals([recorded.precision, recorded.fp32Steps], ["bf16", undefined], "no warm-up unless asked for");
  },
});
