/** The saturation watch: a last layer blown up far beyond a healthy run's is reported once, at the end. */

import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import { assertCliOk, runCli, tempDir, tinyDataset, trainArgs, warnings } from "../../reliability/_helpers.ts";
import type { LevelActivations } from "../../../src/train/activation_probe.ts";
import type { ActivationRow } from "../../../src/train/observers/probe.ts";
import {
  DEFAULT_SATURATION_CRITERIA,
  judgeSaturation,
  SaturationWatch,
} from "../../../src/train/observers/saturation_watch.ts";
import type { WarningKind } from "../../../src/train/observer.ts";

const level = (patchSize: number, last: number, saturated = 0.3): LevelActivations => ({
  patchSize,
  preact: [0.4, 1.1, last],
  saturated,
  spread: 0.5,
});

Deno.test("healthy runs' last layers (0.8-5, as measured on bottle and transistor) are not reported", () => {
  assertEquals(judgeSaturation({ step: 2400, levels: [level(64, 1.0), level(32, 5.2)] }), []);
});

Deno.test("a level above 10 is reported with its size, step, pre-activation and saturated share; top level first", () => {
  const found = judgeSaturation({ step: 2400, levels: [level(32, 148, 0.4), level(64, 21)] });
  assertEquals(found.map((f) => [f.patchSize, f.step, f.preactivation, f.saturated]), [
    [64, 2400, 21, 0.3],
    [32, 2400, 148, 0.4],
  ]);
  assertEquals(/K=32 codes are saturated.*148.*step 2400.*40% of the codes/.test(found[1].message), true);
});

Deno.test("the threshold is strict and configurable", () => {
  const at = DEFAULT_SATURATION_CRITERIA.maxPreactivation;
  assertEquals(judgeSaturation({ step: 1, levels: [level(32, at)] }), []);
  assertEquals(judgeSaturation({ step: 1, levels: [level(32, 6)] }, { maxPreactivation: 5 }).length, 1);
});

Deno.test("the watch judges the latest probe at the end, warns once per finding with kind 'saturated'", () => {
  const warnings: [string, WarningKind | undefined][] = [];
  let latest: ActivationRow | null = { step: 100, levels: [level(32, 50)] };
  const watch = new SaturationWatch(() => latest, (m, k) => warnings.push([m, k]));
  latest = { step: 200, levels: [level(32, 2)] }; // recovered by the end: nothing to say
  watch.end();
  assertEquals([watch.findings, warnings], [[], []]);
  latest = { step: 300, levels: [level(32, 30)] };
  watch.end();
  assertEquals(warnings.map(([, k]) => k), ["saturated"]);
});

Deno.test("without a probe (--probe-every 0) the watch says nothing", () => {
  const warnings: string[] = [];
  const watch = new SaturationWatch(() => null, (m) => warnings.push(m));
  watch.end();
  assertEquals([watch.findings, warnings], [[], []]);
});

Deno.test("train: a run ending with a blown-up last layer warns on stderr and lists it in train_summary.json", async () => {
  const tmp = await tempDir("saturation-watch");
  const data = join(tmp, "data"), run = join(tmp, "run");
  const { category } = await tinyDataset(data, 4);
  assertCliOk(await runCli("train", trainArgs(data, category, run, "--steps", "20", "--probe-every", "10")), "train");
  const first = JSON.parse(await Deno.readTextFile(join(run, "train_summary.json")));
  assertEquals(first.saturation_warnings, [], "a tiny healthy run");
  // Replace the last probe by a blown-up one, then resume a step without probing: the kept row is judged.
  const log = join(run, "activations.jsonl");
  const rows = (await Deno.readTextFile(log)).trim().split("\n").map((l) => JSON.parse(l));
  rows.at(-1).levels[0].preact.splice(-1, 1, 64);
  await Deno.writeTextFile(log, rows.map((r) => JSON.stringify(r) + "\n").join(""));
  const r = await runCli("train", trainArgs(data, category, run, "--steps", "21", "--probe-every", "0", "--resume"));
  assertCliOk(r, "resume");
  const said = warnings(r).filter((w) => /codes are saturated/.test(w));
  assertEquals(said.length, 1, r.stderr);
  assert(/reached 64.0 at step 20/.test(said[0]), said[0]);
  const summary = JSON.parse(await Deno.readTextFile(join(run, "train_summary.json")));
  assertEquals(summary.saturation_warnings.map((f: { step: number }) => f.step), [20]);
});
