/**
 * Case 2: configuration errors. tests/cli/errors_test.ts covers train's unknown flag, lambda < 0,
 * K not 32 * 2^n, stride 0, a non-integer --steps, and an unavailable backend; this file adds the
 * remaining train flags and every eval flag. Each is one `error: ` line naming the flag, the value
 * and what is accepted, exit code 2, no stack trace.
 */

import { join } from "node:path";
import { assertCliError, assertCliOk, runCli, tempDir, tinyDataset, trainArgs } from "./_helpers.ts";

const tmp = await tempDir("config");
const data = join(tmp, "data");
const { category } = await tinyDataset(data, 4);
const base = (...extra: string[]) => trainArgs(data, category, join(tmp, "never"), "--steps", "0", ...extra);

Deno.test("train: negative numbers after a flag are values, checked for range (not 'ambiguous')", async () => {
  assertCliError(await runCli("train", base("--lambda", "-1e-3")), 2, /lambda to be >= 0 but found -0\.001/);
  assertCliError(await runCli("train", base("--lambda=-2")), 2, /lambda to be >= 0 but found -2/);
  assertCliError(await runCli("train", base("--stride-k64", "-16")), 2, /K=64 stride to be a positive integer/);
  assertCliError(
    await runCli("train", base("--checkpoint-minutes", "-1")),
    2,
    /--checkpoint-minutes to be a number >= 0/,
  );
});

Deno.test("train: other out-of-range and malformed values name the flag and what is accepted", async () => {
  assertCliError(await runCli("train", base("--stride-k32", "3")), 2, /even strides/);
  assertCliError(await runCli("train", base("--dim", "0")), 2, /--dim to be a positive integer but found '0'/);
  assertCliError(await runCli("train", base("--lr", "0")), 2, /learning rate > 0 but found 0/);
  assertCliError(await runCli("train", base("--lambda", "NaN")), 2, /--lambda to be a number but found 'NaN'/);
  assertCliError(await runCli("train", base("--losses", "ssl,bogus")), 2, /--losses to list ssl, svdd-prime, svdd/);
  assertCliError(await runCli("train", base("--encoder", "flat")), 2, /flat encoder exists only for K=64/);
  assertCliError(
    await runCli("train", base("--nn", "fast")),
    2,
    /--nn to be one of auto, hnsw, exact but found 'fast'/,
  );
  assertCliError(await runCli("train", base("--backend", "gpu")), 2, /--backend to be one of auto, native/);
  assertCliError(await runCli("train", base("--image-size", "32")), 2, /image size .*but found 32/);
});

Deno.test("train: missing required flags and a missing dataset root say what to pass", async () => {
  assertCliError(await runCli("train", ["--out", join(tmp, "x")]), 2, /Missing --category/, /Usage:/);
  assertCliError(await runCli("train", ["--category", category]), 2, /Missing --out/);
  assertCliError(
    await runCli("train", ["--category", category, "--out", join(tmp, "x")], { MVTEC_ROOT: "" }),
    2,
    /No dataset root: pass --data ROOT or set MVTEC_ROOT/,
  );
  assertCliError(await runCli("train", [...base(), "--steps"]), 2, /--steps.*argument missing/);
});

Deno.test("eval: unknown flags, bad values, an invalid stride and an unavailable backend", async () => {
  const run = join(tmp, "run");
  assertCliOk(await runCli("train", trainArgs(data, category, run, "--steps", "0")), "train --steps 0");
  assertCliError(await runCli("eval", ["--run", run, "--lambda", "1"]), 2, /Unknown option '--lambda'/, /Usage:/);
  assertCliError(await runCli("eval", []), 2, /Missing --run RUN/);
  assertCliError(
    await runCli("eval", ["--run", run, "--nn", "kd"]),
    2,
    /--nn to be one of auto, hnsw, exact but found 'kd'/,
  );
  assertCliError(await runCli("eval", ["--run", run, "--stride-k32", "0"]), 2, /--stride-k32 to be a positive integer/);
  assertCliError(
    await runCli("eval", ["--run", run, "--stride-k32", "-4"]),
    2,
    /--stride-k32 to be a positive integer/,
  );
  assertCliError(await runCli("eval", ["--run", run, "--stride-k32", "3"]), 2, /even strides/);
  assertCliError(await runCli("eval", ["--run", run, "--backend", "tensorflow"]), 2, /@tensorflow\/tfjs-node/);
  assertCliError(await runCli("eval", ["--run", run, "--category", "nope"]), 2, /Category 'nope' not found/);
});
