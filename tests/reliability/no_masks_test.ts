/**
 * Datasets that label images but not pixels: a synthetic category with its `ground_truth/`
 * folder removed is refused by `train` and `eval` with an error naming `--no-masks`, and with
 * `--no-masks` it trains and evaluates image-level metrics only, saying so in `metrics.json`
 * and in the printed summary.
 */

import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import type { MetricsRecord } from "../../src/inspect/report.ts";
import { assertCliError, assertCliOk, runCli, tempDir, tinyDataset, trainArgs } from "./_helpers.ts";

const tmp = await tempDir("no-masks");

async function readMetrics(run: string): Promise<MetricsRecord> {
  return JSON.parse(await Deno.readTextFile(join(run, "metrics.json")));
}

Deno.test("eval --no-masks on a mask-less dataset: image metrics equal the masked run's, pixel metrics null", async () => {
  const root = join(tmp, "data");
  const { category } = await tinyDataset(root);
  const run = join(tmp, "run");
  assertCliOk(await runCli("train", trainArgs(root, category, run, "--steps", "2")), "train");
  assertCliOk(await runCli("eval", ["--run", run, "--quiet", "--no-overlays"]), "eval with masks");
  const withMasks = await readMetrics(run);
  assertEquals(withMasks.masks, "ground_truth");
  assert(withMasks.pixel_auroc !== null && typeof withMasks.aupro === "number");

  await Deno.remove(join(root, category, "ground_truth"), { recursive: true });
  assertCliError(
    await runCli("eval", ["--run", run, "--quiet", "--no-overlays"]),
    2,
    /has no mask/,
    /--no-masks/,
  );
  assertCliError(await runCli("train", trainArgs(root, category, join(tmp, "run2"), "--steps", "0")), 2, /--no-masks/);

  const r = await runCli("eval", ["--run", run, "--quiet", "--no-masks"]);
  assertCliOk(r, "eval --no-masks");
  assert(/seg AUROC\s+none \(--no-masks: image-level metrics only/.test(r.stdout), r.stdout);
  const m = await readMetrics(run);
  assertEquals(m.masks, "none");
  assertEquals(m.pixel_auroc, null);
  assertEquals(m.aupro, null);
  assertEquals(m.f1_max.pixel, null);
  assertEquals(m.f1_max.pixel_threshold, null);
  assertEquals(m.image_auroc, withMasks.image_auroc);
  assertEquals(m.per_defect_image_auroc, withMasks.per_defect_image_auroc);
  assert((await Array.fromAsync(Deno.readDir(join(run, "overlays")))).length > 0, "overlays are still written");
});

Deno.test("train --no-masks trains on a mask-less dataset", async () => {
  const root = join(tmp, "data2");
  const { category } = await tinyDataset(root, 6, 2);
  await Deno.remove(join(root, category, "ground_truth"), { recursive: true });
  assertCliOk(
    await runCli("train", trainArgs(root, category, join(tmp, "run3"), "--steps", "1", "--no-masks")),
    "train --no-masks",
  );
});
