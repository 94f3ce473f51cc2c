import { assert, assertEquals } from "../assert.ts";
import { errorLine, runCli } from "./_run.ts";
import { generateSynthetic } from "../../src/data/synthetic.ts";

const tmp = await Deno.makeTempDir({ prefix: "patchsvdd-cli-" });
const synth = await generateSynthetic(`${tmp}/data`, {
  kind: "texture",
  size: 64,
  numTrain: 4,
  numTestGood: 2,
  numTestDefect: 1,
  seed: 3,
});

function assertUserError(r: { code: number; stderr: string }, pattern: RegExp) {
  assertEquals(r.code, 2, r.stderr);
  const line = errorLine(r as never);
  assert(line.startsWith("error: "), line);
  assert(pattern.test(line), `${line} !~ ${pattern}`);
  assert(!/^\s+at /m.test(r.stderr), `stack trace printed:\n${r.stderr}`);
}

Deno.test("train rejects an unknown flag with exit 2 and a one-line message", async () => {
  assertUserError(await runCli("train", ["--bogus", "1"]), /Unknown option '--bogus'/);
});

Deno.test("train rejects lambda < 0, K not 32*2^n and stride <= 0", async () => {
  const base = ["--data", `${tmp}/data`, "--category", synth.category, "--out", `${tmp}/r`, "--steps", "0"];
  assertUserError(await runCli("train", [...base, "--lambda", "-1"]), /lambda to be >= 0 but found -1/);
  assertUserError(await runCli("train", [...base, "--patch-size", "48"]), /32 \* 2\^n but found 48/);
  assertUserError(await runCli("train", [...base, "--stride-k32", "0"]), /stride/i);
  assertUserError(await runCli("train", [...base, "--steps", "ten"]), /--steps to be a non-negative integer/);
});

Deno.test("train names a missing dataset root and a missing category", async () => {
  assertUserError(
    await runCli("train", ["--data", `${tmp}/nope`, "--category", "x", "--out", `${tmp}/r`]),
    new RegExp(`${tmp}/nope`),
  );
  assertUserError(
    await runCli("train", ["--data", `${tmp}/data`, "--category", "nope", "--out", `${tmp}/r`]),
    new RegExp(synth.category),
  );
});

Deno.test("train rejects an unavailable backend with the package to install", async () => {
  const r = await runCli("train", [
    ...["--data", `${tmp}/data`, "--category", synth.category, "--out", `${tmp}/r`, "--steps", "0"],
    ...["--backend", "tensorflow-gpu"],
  ]);
  assertUserError(r, /@tensorflow\/tfjs-node-gpu/);
});

Deno.test("train refuses to overwrite an existing run without --resume or --force", async () => {
  const args = ["--data", `${tmp}/data`, "--category", synth.category, "--out", `${tmp}/run`, "--steps", "0"];
  const first = await runCli("train", [...args, "--image-size", "64", "--patch-size", "32", "--backend", "cpu"]);
  assertEquals(first.code, 0, first.stderr);
  const before = await Deno.readFile(`${tmp}/run/checkpoint.safetensors`);
  assertUserError(
    await runCli("train", [...args, "--image-size", "64", "--patch-size", "32", "--backend", "cpu"]),
    /--resume.*--force/,
  );
  assertEquals(await Deno.readFile(`${tmp}/run/checkpoint.safetensors`), before);
});

Deno.test("eval names a missing run and a damaged checkpoint", async () => {
  assertUserError(await runCli("eval", ["--run", `${tmp}/none`]), /No checkpoint/);
  await Deno.mkdir(`${tmp}/torn`, { recursive: true });
  await Deno.writeFile(`${tmp}/torn/checkpoint.safetensors`, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  const r = await runCli("eval", ["--run", `${tmp}/torn`]);
  assertEquals(r.code, 3, r.stderr);
  assert(/damaged/.test(errorLine(r)), errorLine(r));
});

Deno.test("every command answers --help with its usage and exit 0", async () => {
  for (const cli of ["import_weights", "make_variant", "train", "eval", "bench", "ablate"]) {
    const r = await runCli(cli, ["--help"]);
    assertEquals(r.code, 0, `${cli}: ${r.stderr}`);
    assert(/deno task/.test(r.stdout), `${cli} --help printed no usage: ${r.stdout}`);
  }
});
