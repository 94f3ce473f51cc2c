/**
 * Shared fixtures of the reliability suite: the tiny configuration every run uses, CLI runs
 * (to completion or killed with SIGKILL), and the assertion for one-line user errors.
 *
 * Everything is sized for a loaded two-core machine: 64 px synthetic images, f_small only
 * (K = 32), D = 8, 4 pairs per pair set, the `native` backend, exact nearest neighbours.
 *
 * @module
 */

import { assert, assertEquals } from "../assert.ts";
import { type CliResult, errorLine, runCli } from "../cli/_run.ts";
import { generateSynthetic, type SyntheticSummary } from "../../src/data/synthetic.ts";
import { readCheckpoint } from "../../src/train/checkpoint.ts";

export { type CliResult, errorLine, runCli };

const root = new URL("../../", import.meta.url).pathname;

/** Model and budget flags of every tiny CLI run. */
export const TINY_FLAGS: readonly string[] = [
  ...["--image-size", "64", "--patch-size", "32", "--dim", "8", "--batch-size", "4"],
  ...["--backend", "native", "--nn", "exact", "--quiet"],
];

/**
 * A fresh temporary folder for one test file, removed when the test module unloads
 * (kept when `PATCHSVDD_KEEP_TEST_DIRS` is set, to inspect a failure).
 *
 * @param name short label in the folder name
 * @returns the folder
 */
export async function tempDir(name: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `patchsvdd-rel-${name}-` });
  if (!Deno.env.get("PATCHSVDD_KEEP_TEST_DIRS")) {
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  }
  return dir;
}

/**
 * A tiny synthetic category (64 px texture) under `root`.
 *
 * @param root dataset root to write into
 * @param numTrain training images (default 6)
 * @param seed generator seed (default 1)
 * @returns the generator's summary (category name, index)
 */
export async function tinyDataset(root: string, numTrain = 6, seed = 1): Promise<SyntheticSummary> {
  return await generateSynthetic(root, { kind: "texture", size: 64, numTrain, numTestGood: 2, numTestDefect: 1, seed });
}

/**
 * `train` arguments for a tiny run.
 *
 * @param data dataset root
 * @param category category folder
 * @param out run folder
 * @param extra more flags (budget, --resume, ...)
 * @returns the argument list
 */
export function trainArgs(data: string, category: string, out: string, ...extra: string[]): string[] {
  return ["--data", data, "--category", category, "--out", out, ...TINY_FLAGS, ...extra];
}

/**
 * Assert a failed CLI run: the exit code, one `error: ` line matching every pattern, no stack trace.
 *
 * @param r the run
 * @param code expected exit code (2 for user errors, 3 for training faults)
 * @param patterns what the error line must say
 * @returns the error line
 */
export function assertCliError(r: CliResult, code: number, ...patterns: RegExp[]): string {
  assertEquals(r.code, code, `exit code ${r.code}, expected ${code}; stderr:\n${r.stderr}`);
  const line = errorLine(r);
  assert(line.startsWith("error: "), `expected an 'error: ' line, got: ${line}`);
  for (const p of patterns) assert(p.test(line), `${line}\n  !~ ${p}`);
  assert(!/^\s+at /m.test(r.stderr), `stack trace printed:\n${r.stderr}`);
  const errorLines = r.stderr.split("\n").filter((l) => l.startsWith("error"));
  assertEquals(errorLines.length, 1, `expected one error line:\n${r.stderr}`);
  return line;
}

/**
 * Assert a successful CLI run.
 *
 * @param r the run
 * @param what label for the failure message
 */
export function assertCliOk(r: CliResult, what: string): void {
  assertEquals(r.code, 0, `${what}: exit code ${r.code}; stderr:\n${r.stderr}`);
}

/** The warning lines (`warning: ...`) of a run's stderr. */
export function warnings(r: CliResult): string[] {
  return r.stderr.split("\n").filter((l) => l.startsWith("warning: "));
}

/**
 * Start a CLI entry point as a child process (output discarded), to be killed.
 *
 * @param name entry point (train, eval)
 * @param args arguments
 * @returns the child
 */
export function spawnCli(name: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/cli/${name}.ts`, ...args],
    cwd: root,
    env: { PATCHSVDD_CACHE: `${root}.cache/test-decoded` },
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/**
 * Kill a child with SIGKILL after `ms` (unless it ended before) and wait for it.
 *
 * @param child the process
 * @param ms delay
 * @returns true when it was killed, false when it had already exited
 */
export async function killAfter(child: Deno.ChildProcess, ms: number): Promise<boolean> {
  let killed = false;
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
      killed = true;
    } catch {
      // already exited
    }
  }, ms);
  const status = await child.status;
  clearTimeout(timer);
  return killed && status.signal === "SIGKILL";
}

/**
 * Wait until a file exists (polling every 20 ms).
 *
 * @param path the file
 * @param timeoutMs give up after this long (0: look once)
 * @returns true when it appeared
 */
export async function waitForFile(path: string, timeoutMs = 60_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await Deno.stat(path);
      return true;
    } catch {
      if (Date.now() >= end) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/**
 * Every tensor of a run's checkpoint (model and optimizer), by name.
 *
 * @param run run folder
 * @returns name -> values, and the checkpoint's step
 */
export async function checkpointTensors(run: string): Promise<{ step: number; tensors: Map<string, Float32Array> }> {
  const c = await readCheckpoint(`${run}/checkpoint.safetensors`);
  const tensors = new Map<string, Float32Array>();
  for (const [name, t] of c.tensors) tensors.set(name, t.data);
  c.optimizer.forEach(({ name, tensor }, i) => tensors.set(`optimizer.${i}.${name}`, tensor.data));
  return { step: c.meta.step, tensors };
}

/**
 * Elements that differ between two tensor maps (same names required), and the largest difference.
 *
 * @param a one checkpoint's tensors
 * @param b another's
 * @returns count of differing elements and max |a - b|
 */
export function tensorDifference(
  a: Map<string, Float32Array>,
  b: Map<string, Float32Array>,
): { differing: number; maxAbs: number } {
  assertEquals([...a.keys()].sort(), [...b.keys()].sort());
  let differing = 0, maxAbs = 0;
  for (const [name, x] of a) {
    const y = b.get(name)!;
    assertEquals(x.length, y.length, name);
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) {
        differing++;
        maxAbs = Math.max(maxAbs, Math.abs(x[i] - y[i]));
      }
    }
  }
  return { differing, maxAbs };
}

/**
 * The numbers of a metrics record, without timings (which legitimately differ between runs).
 *
 * @param metrics parsed metrics.json
 * @returns a copy without `timing_s`
 */
export function metricsWithoutTiming(metrics: Record<string, unknown>): Record<string, unknown> {
  const { timing_s: _timing, ...rest } = metrics;
  return rest;
}
