/**
 * RunFolder (src/train/run_folder.ts): the paths of a run's files, and what claiming a folder for
 * training means: a new run refuses an occupied folder, --resume needs the checkpoint, --force removes
 * the run's files and nothing else, and nothing is created before `create()`.
 */

import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { UserError } from "../../src/errors.ts";
import { RUN_FILES, RunFolder } from "../../src/train/run_folder.ts";
import { exists } from "../../src/util/exists.ts";

/** An error of `type` whose message contains `text` (node:assert's third argument is not a matcher). */
const fails = (type: new (...args: never[]) => Error, text: string) => (e: unknown) =>
  e instanceof type && e.message.includes(text);

Deno.test("RunFolder: one path per file of the run, inside the folder", () => {
  const f = new RunFolder("runs/a");
  assertEquals(
    [f.checkpoint, f.lossLog, f.activationLog, f.config, f.summary, f.metrics],
    [
      "runs/a/checkpoint.safetensors",
      "runs/a/train_log.jsonl",
      "runs/a/activations.jsonl",
      "runs/a/config.json",
      "runs/a/train_summary.json",
      "runs/a/metrics.json",
    ],
  );
});

Deno.test("RunFolder.claim: an empty or missing folder is claimed without creating it; create() makes it", async () => {
  const dir = join(await Deno.makeTempDir(), "new");
  const folder = await RunFolder.claim(dir);
  assert(!(await exists(dir)), "claim creates nothing");
  await Deno.mkdir(dir);
  await Deno.writeTextFile(join(dir, "checkpoint.safetensors.tmp-123"), "half");
  await folder.create();
  assertEquals([...Deno.readDirSync(dir)].length, 0, "a killed write's temporary is removed");
});

Deno.test("RunFolder.claim: an occupied folder needs --resume or --force; --resume needs the checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, RUN_FILES.config), "{}");
  await assertRejects(() => RunFolder.claim(dir), fails(UserError, "already holds a run; pass --resume"));
  await assertRejects(
    () => RunFolder.claim(dir, { resume: true }),
    fails(UserError, "stopped before its first checkpoint); start it again with --force"),
  );
  await assertRejects(
    () => RunFolder.claim(join(dir, "none"), { resume: true }),
    fails(UserError, "does not exist; drop --resume"),
  );
});

Deno.test("RunFolder.claim: --force removes the run's files and keeps everything else", async () => {
  const dir = await Deno.makeTempDir();
  for (const name of Object.values(RUN_FILES)) await Deno.writeTextFile(join(dir, name), "x");
  await Deno.writeTextFile(join(dir, "notes.txt"), "mine");
  await RunFolder.claim(dir, { force: true });
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["notes.txt"]);
  // with --resume too, --force removes nothing
  await Deno.writeTextFile(join(dir, RUN_FILES.checkpoint), "x");
  await RunFolder.claim(dir, { force: true, resume: true });
  assert(await exists(join(dir, RUN_FILES.checkpoint)));
});
