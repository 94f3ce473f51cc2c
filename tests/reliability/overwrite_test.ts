/**
 * Case 5: no silent overwrite, atomic outputs.
 *
 * - `train --out` into an existing run refuses (exit 2) and leaves every file as it was, unless
 *   `--resume` (continues) or `--force` (starts over). (tests/cli/errors_test.ts checks the
 *   refusal and the checkpoint bytes; this adds the other files, --force and --resume.)
 * - `eval` writes metrics.json through a temporary file, fsync and rename: killed at random
 *   moments, metrics.json is absent, the previous complete one, or the new complete one; a stale
 *   temporary from a killed eval is removed by the next eval.
 */

import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import {
  assertCliError,
  assertCliOk,
  killAfter,
  runCli,
  spawnCli,
  tempDir,
  tinyDataset,
  trainArgs,
  waitForFile,
} from "./_helpers.ts";

const tmp = await tempDir("overwrite");
const data = join(tmp, "data");
const { category } = await tinyDataset(data, 4);

async function snapshot(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for await (const e of Deno.readDir(dir)) if (e.isFile) files.set(e.name, await Deno.readFile(join(dir, e.name)));
  return files;
}

Deno.test("train --out into an existing run refuses without --resume or --force; each flag does what it says", async () => {
  const run = join(tmp, "run");
  assertCliOk(await runCli("train", trainArgs(data, category, run, "--steps", "2")), "first run");
  const before = await snapshot(run);
  assertCliError(
    await runCli("train", trainArgs(data, category, run, "--steps", "2", "--seed", "7")),
    2,
    /already holds a run; pass --resume to continue it or --force to overwrite it/,
  );
  assertEquals(await snapshot(run), before, "a refused run must leave every file untouched");

  assertCliOk(await runCli("train", trainArgs(data, category, run, "--steps", "3", "--resume")), "--resume");
  const resumed = (await Deno.readTextFile(join(run, "train_log.jsonl"))).trim().split("\n").map((l) => JSON.parse(l));
  assertEquals(resumed.map((r) => r.step), [1, 2, 3]);

  const r = await runCli("train", trainArgs(data, category, run, "--steps", "1", "--seed", "7", "--force"));
  assertCliOk(r, "--force");
  const config = JSON.parse(await Deno.readTextFile(join(run, "config.json")));
  assertEquals(config.config.train.seed, 7);
  const log = (await Deno.readTextFile(join(run, "train_log.jsonl"))).trim().split("\n");
  assertEquals(log.length, 1, "--force starts a fresh log");
});

Deno.test("train --resume with different model flags warns that the run's settings are kept", async () => {
  const run = join(tmp, "flags");
  assertCliOk(await runCli("train", trainArgs(data, category, run, "--steps", "1")), "first run");
  const r = await runCli("train", trainArgs(data, category, run, "--steps", "2", "--resume", "--lr", "0.01"));
  assertCliOk(r, "--resume --lr");
  assert(
    /warning: --resume continues with the run's recorded settings; ignoring train\.learningRate=0\.01/.test(r.stderr),
    r.stderr,
  );
});

Deno.test("eval killed at random moments leaves metrics.json absent or complete, never partial", async () => {
  const run = join(tmp, "eval");
  assertCliOk(await runCli("train", trainArgs(data, category, run, "--steps", "0")), "train");
  const metricsPath = join(run, "metrics.json");
  const complete = async () => {
    const m = JSON.parse(await Deno.readTextFile(metricsPath)); // throws on a partial file
    assert(typeof m.image_auroc?.k32 === "number" && typeof m.aupro === "number", JSON.stringify(m));
  };
  const seen: string[] = [];
  for (let i = 0; i < 5; i++) {
    const delay = Math.round(200 + Math.random() * 1300);
    const killed = await killAfter(spawnCli("eval", ["--run", run, "--quiet"]), delay);
    const present = await waitForFile(metricsPath, 0);
    seen.push(`${delay} ms: ${killed ? "killed" : "finished"}, metrics.json ${present ? "complete" : "absent"}`);
    if (present) await complete();
    else assert(killed, "eval finished without writing metrics.json");
  }
  // A temporary left by an eval killed mid-write is cleared by the next one.
  const stale = `${metricsPath}.tmp-999999`;
  await Deno.writeTextFile(stale, '{"category": "half a fi');
  assertCliOk(await runCli("eval", ["--run", run, "--quiet", "--no-overlays"]), "eval");
  await complete();
  const leftovers = [...Deno.readDirSync(run)].map((e) => e.name).filter((n) => n.includes(".tmp-"));
  assertEquals(leftovers, [], `temporaries left (${seen.join("; ")})`);
  console.log(seen.join("\n"));
});
