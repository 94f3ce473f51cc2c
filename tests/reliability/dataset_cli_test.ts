/**
 * Case 1: dataset problems seen through `deno task train` (`--steps 0`, nothing trains). Each
 * error is one line naming the path and the fix, exit code 2, no stack trace; each recoverable
 * problem is a warning and exit 0. The library-level behaviour (which samples survive, mask
 * values) is tested in tests/data/dataset_test.ts and tests/data/mvtec_index_test.ts; this file
 * checks what the user sees.
 */

import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { makeLayout, rectMask, writeBytes, writeImage } from "../data/_helpers.ts";
import { readCheckpoint } from "../../src/train/checkpoint.ts";
import { assertCliError, assertCliOk, runCli, tempDir, trainArgs, warnings } from "./_helpers.ts";

const tmp = await tempDir("data");
let counter = 0;

/** A fresh dataset root holding one small category "widget" (16 px images, resized to 64). */
async function layout(spec: Parameters<typeof makeLayout>[2] = {}): Promise<{ root: string; dir: string }> {
  const root = join(tmp, `root${counter++}`);
  return { root, dir: await makeLayout(root, "widget", spec) };
}

/** `train --steps 0` on a root's "widget" category into a fresh run folder. */
async function train(root: string, ...extra: string[]) {
  const out = join(tmp, `run${counter++}`);
  const r = await runCli("train", trainArgs(root, "widget", out, "--steps", "0", ...extra));
  return { ...r, out };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const names = (path: string) => new RegExp(escape(path));

Deno.test("train: a missing dataset root is named, with the fix", async () => {
  const r = await train(join(tmp, "no-such-root"));
  assertCliError(r, 2, names(join(tmp, "no-such-root")), /does not exist/, /point the dataset root at the folder/);
});

Deno.test("train: a missing category lists the categories that exist", async () => {
  const { root } = await layout();
  const r = await runCli("train", trainArgs(root, "gadget", join(tmp, "run-cat"), "--steps", "0"));
  assertCliError(r, 2, /Category 'gadget' not found/, names(root), /available categories: widget/);
});

Deno.test("train: train/good absent or empty is named, with what to add", async () => {
  const { root, dir } = await layout();
  await Deno.remove(join(dir, "train", "good"), { recursive: true });
  assertCliError(await train(root), 2, names(join(dir, "train", "good")), /folder is missing/, /add train\/good/);
  await Deno.mkdir(join(dir, "train", "good"));
  await writeBytes(join(dir, "train", "good", "readme.txt"), "not an image"); // ignored: not an image name
  assertCliError(await train(root), 2, names(join(dir, "train", "good")), /found none/, /add \.png or \.jpg/);
});

Deno.test("train: a truncated PNG is named; --skip-bad skips it with a warning and a count", async () => {
  const { root, dir } = await layout();
  const bad = join(dir, "train", "good", "001.png");
  const png = await Deno.readFile(bad);
  await Deno.writeFile(bad, png.subarray(0, Math.floor(png.length / 2)));
  assertCliError(await train(root), 2, names(bad), /not a readable image/, /--skip-bad/);
  const ok = await train(root, "--skip-bad");
  assertCliOk(ok, "--skip-bad");
  const w = warnings(ok);
  assert(w.some((l) => l.includes(`Skipping ${bad}`)), w.join("\n"));
  assert(w.some((l) => l.includes("Skipped 1 unreadable file(s)")), w.join("\n"));
  assertEquals((await readCheckpoint(join(ok.out, "checkpoint.safetensors"))).meta.step, 0);
});

Deno.test("train: a file that is not an image (text named .png) is named; --skip-bad skips it", async () => {
  const { root, dir } = await layout();
  const bad = join(dir, "test", "good", "001.png");
  await writeBytes(bad, "this is a text file, not a PNG\n");
  assertCliError(await train(root), 2, names(bad), /not a readable image/, /--skip-bad/);
  const ok = await train(root, "--skip-bad");
  assertCliOk(ok, "--skip-bad");
  assert(warnings(ok).some((l) => l.includes(`Skipping ${bad}`)), ok.stderr);
  assert(warnings(ok).some((l) => l.includes("Skipped 1 unreadable file(s)")), ok.stderr);
});

Deno.test("train: a mask without its image is named, with the image it expects", async () => {
  const { root, dir } = await layout();
  const mask = join(dir, "ground_truth", "crack", "007_mask.png");
  await writeImage(mask, { channels: 1, pixel: rectMask(2, 2, 6, 6) });
  assertCliError(
    await train(root),
    2,
    names(mask),
    /has no image/,
    names(join(dir, "test", "crack", "007.png")),
    /add the image or remove the mask/,
  );
});

Deno.test("train: a defect image without a mask is named, with the mask it expects", async () => {
  const { root, dir } = await layout();
  await Deno.remove(join(dir, "ground_truth", "blob", "000_mask.png"));
  assertCliError(
    await train(root),
    2,
    names(join(dir, "test", "blob", "000.png")),
    /has no mask/,
    names(join(dir, "ground_truth", "blob", "000_mask.png")),
    /add the mask or remove the image/,
  );
});

Deno.test("train: a mask of another size than its image is resized with a warning (exit 0)", async () => {
  const { root, dir } = await layout();
  const mask = join(dir, "ground_truth", "crack", "000_mask.png");
  await writeImage(mask, { width: 32, height: 32, channels: 1, pixel: rectMask(0, 0, 16, 32) });
  const r = await train(root);
  assertCliOk(r, "mask size");
  assert(
    warnings(r).some((l) => l.includes(mask) && /is 32x32 but its image is 16x16; both were resized to 64x64/.test(l)),
    r.stderr,
  );
});

Deno.test("train: a non-binary mask is thresholded with a warning (exit 0)", async () => {
  const { root, dir } = await layout();
  const mask = join(dir, "ground_truth", "crack", "001_mask.png");
  await writeImage(mask, { channels: 1, pixel: (x) => (x < 4 ? 100 : 200) });
  const r = await train(root);
  assertCliOk(r, "non-binary mask");
  assert(warnings(r).some((l) => l.includes(mask) && /not binary.*thresholded at > 128/.test(l)), r.stderr);
});

Deno.test("train: grayscale mixed with colour is an error; --allow-mixed-channels accepts it", async () => {
  const { root, dir } = await layout();
  const gray = join(dir, "train", "good", "003.png");
  await writeImage(gray, { channels: 1 });
  assertCliError(
    await train(root),
    2,
    /Category widget mixes grayscale and colour images/,
    names(gray),
    /--allow-mixed-channels/,
  );
  const r = await train(root, "--allow-mixed-channels");
  assertCliOk(r, "--allow-mixed-channels");
  assert(warnings(r).some((l) => l.includes("tiled to 3 channels") && l.includes(gray)), r.stderr);
});

Deno.test("eval: a dataset problem found at evaluation is reported the same way", async () => {
  const { root, dir } = await layout();
  const r = await train(root);
  assertCliOk(r, "train");
  const bad = join(dir, "test", "crack", "000.png");
  await writeBytes(bad, new Uint8Array(40).fill(7));
  assertCliError(await runCli("eval", ["--run", r.out, "--quiet"]), 2, names(bad), /--skip-bad/);
  const ok = await runCli("eval", ["--run", r.out, "--quiet", "--no-overlays", "--skip-bad"]);
  assertCliOk(ok, "eval --skip-bad");
  assert(warnings(ok).some((l) => l.includes(`Skipping ${bad}`)), ok.stderr);
});
