/**
 * `eval` writes RUN/report.html (src/lab/report/write.ts): one self-contained page whose images all
 * decode, with the training curves, both ROC figures and the cases gallery; without masks the
 * pixel ROC is left out and the page says why; `--no-report` writes none.
 */

import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import { assertCliOk, runCli, tempDir, tinyDataset, trainArgs } from "../../reliability/_helpers.ts";
import { decodeImages, externalReferences } from "./_self_contained.ts";

const tmp = await tempDir("report");
const root = join(tmp, "data");
const { category } = await tinyDataset(root);
const run = join(tmp, "run");
assertCliOk(await runCli("train", trainArgs(root, category, run, "--steps", "3")), "train");

Deno.test("eval writes a self-contained report.html whose four figures decode", async () => {
  const r = await runCli("eval", ["--run", run, "--quiet", "--no-overlays"]);
  assertCliOk(r, "eval");
  assert(r.stdout.includes(`${run}/report.html`), r.stdout);
  const html = await Deno.readTextFile(join(run, "report.html"));
  assertEquals(externalReferences(html), []);
  const images = await decodeImages(html);
  assertEquals(images.map((i) => i.format), ["svg", "svg", "svg", "jpeg"], "training, ROC image, ROC pixel, gallery");
  for (const i of images) assert(i.width > 50 && i.height > 50, JSON.stringify(i));
  const metrics = JSON.parse(await Deno.readTextFile(join(run, "metrics.json")));
  assert(html.includes(`<td>${metrics.image_auroc[metrics.main].toFixed(3)}</td>`), "the main map's AUROC is shown");
});

Deno.test("eval --no-masks: the report leaves out the pixel ROC and says there are no masks", async () => {
  assertCliOk(await runCli("eval", ["--run", run, "--quiet", "--no-overlays", "--no-masks"]), "eval --no-masks");
  const html = await Deno.readTextFile(join(run, "report.html"));
  assert(html.includes("No ground-truth masks"));
  assertEquals((await decodeImages(html)).map((i) => i.format), ["svg", "svg", "jpeg"]);
});

Deno.test("eval --no-report writes no report", async () => {
  const other = join(tmp, "run2");
  assertCliOk(await runCli("train", trainArgs(root, category, other, "--steps", "0")), "train");
  assertCliOk(await runCli("eval", ["--run", other, "--quiet", "--no-overlays", "--no-report"]), "eval");
  assert(!(await Deno.stat(join(other, "report.html")).then(() => true, () => false)));
});
