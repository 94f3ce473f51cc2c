/**
 * The untrained-encoder baseline of `eval`: `--baseline` evaluates the run's own initialisation in
 * RUN/baseline/, sibling untrained runs are found, and the sanity findings land in metrics.json.
 */

import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { runCli, tempDir, tinyDataset, trainArgs } from "../reliability/_helpers.ts";
import { findUntrainedBaselines, sameUntrainedNetwork } from "../../src/jobs/baseline.ts";

const tmp = await tempDir("baseline");
const data = join(tmp, "data");
const { category } = await tinyDataset(data, 6);
const evalArgs = (run: string, ...extra: string[]) => ["--run", run, "--no-overlays", "--quiet", ...extra];
const readJson = async (path: string) => JSON.parse(await Deno.readTextFile(path));

Deno.test("eval --baseline: RUN/baseline holds the run's untrained encoder, evaluated; metrics.json has warnings", async () => {
  const run = join(tmp, "runs", "trained");
  const t = await runCli("train", trainArgs(data, category, run, "--steps", "2"));
  assertEquals(t.code, 0, t.stderr);
  const e = await runCli("eval", evalArgs(run, "--baseline"));
  assertEquals(e.code, 0, e.stderr);
  const base = await readJson(join(run, "baseline", "metrics.json"));
  assertEquals([base.config.step, base.category], [0, category]);
  const metrics = await readJson(join(run, "metrics.json"));
  assert(Array.isArray(metrics.warnings), "metrics.json lists its sanity findings (maybe none)");
  for (const w of metrics.warnings) assert(e.stderr.includes(w.message), "every finding is also printed");
});

Deno.test("eval: a sibling untrained run that scores higher makes a trained run's metrics warn", async () => {
  const runs = join(tmp, "siblings");
  const run = join(runs, "trained");
  assertEquals((await runCli("train", trainArgs(data, category, run, "--steps", "2"))).code, 0);
  // A sibling untrained run of the same network whose recorded AUROCs no trained run can reach.
  const first = await runCli("eval", evalArgs(run));
  assertEquals(first.code, 0, first.stderr);
  const own = await readJson(join(run, "metrics.json"));
  const sibling = { ...own, config: { ...own.config, step: 0 } };
  sibling.image_auroc = Object.fromEntries(Object.keys(own.image_auroc).map((k) => [k, 1.5]));
  await Deno.mkdir(join(runs, "untrained"), { recursive: true });
  await Deno.writeTextFile(join(runs, "untrained", "metrics.json"), JSON.stringify(sibling));
  const e = await runCli("eval", evalArgs(run));
  assertEquals(e.code, 0, e.stderr);
  const metrics = await readJson(join(run, "metrics.json"));
  const below = metrics.warnings.filter((w: { kind: string }) => w.kind === "below_untrained");
  assertEquals(below.map((w: { metric: string }) => w.metric), ["det"]);
  assert(/below the untrained encoder's 1\.500/.test(e.stderr), e.stderr);
});

Deno.test("findUntrainedBaselines() ignores trained siblings, imported weights, other categories and other networks", async () => {
  const runs = join(tmp, "find");
  const config = (step: number, dim = 8) => ({
    step,
    imageSize: 64,
    train: { encoder: "hier", patchSize: 32, embeddingDim: dim },
    inspect: { strideK64: 16, strideK32: 4 },
  });
  const write = async (name: string, record: object) => {
    await Deno.mkdir(join(runs, name), { recursive: true });
    await Deno.writeTextFile(join(runs, name, "metrics.json"), JSON.stringify(record));
  };
  const metrics = (cat: string, step: number, dim = 8) => ({
    category: cat,
    config: config(step, dim),
    image_auroc: { mult: 0.5 },
    pixel_auroc: null,
    main: "mult",
  });
  await write("me", metrics("a", 100));
  await write("untrained", metrics("a", 0));
  await write("trained-too", metrics("a", 50));
  await write("other-category", metrics("b", 0));
  await write("other-dim", metrics("a", 0, 16));
  await write("imported", metrics("a", 0)); // the authors' weights: step 0 but trained
  await Deno.writeTextFile(join(runs, "imported", "config.json"), JSON.stringify({ imported_from: "enchier.pkl" }));
  // deno-lint-ignore no-explicit-any
  const found = await findUntrainedBaselines(join(runs, "me"), metrics("a", 100) as any);
  assertEquals(found.length, 1);
  // deno-lint-ignore no-explicit-any
  assert(!sameUntrainedNetwork(config(0, 8) as any, config(0, 16) as any));
});
