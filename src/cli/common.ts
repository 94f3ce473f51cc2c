/**
 * Shared command-line plumbing: argument parsing (the runtime's `node:util`
 * `parseArgs`; jsr:@std/cli is unreachable from our machines), the error boundary
 * that turns {@linkcode UserError}s into one line and an exit code, and run-folder helpers.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { parseArgs as nodeParseArgs } from "node:util";
import { UserError } from "../errors.ts";
import { errorLine } from "./advice.ts";

/** Option spec for {@linkcode parseCli} (the `node:util` format). */
export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

/**
 * Parse argv strictly: unknown flags and missing values become a UserError naming the flag.
 * A command without its own `help` option answers `--help` / `-h` with its usage line and
 * exits 0.
 *
 * @param args the arguments (Deno.args)
 * @param options the accepted options
 * @param usage one-line usage shown with errors
 * @returns values and positionals
 */
export function parseCli(
  args: string[],
  options: OptionSpec,
  usage: string,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  if (!options.help && args.some((a) => a === "--help" || a === "-h")) {
    console.log(`Usage: ${usage}`);
    Deno.exit(0);
  }
  // node:util refuses `--lambda -1` as ambiguous; a negative number after a string option is its value
  // (validation then says what range is expected).
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") && !args[i].includes("=") ? args[i].slice(2) : null;
    if (name && options[name]?.type === "string" && i + 1 < args.length && /^-(\d|\.\d|Infinity)/.test(args[i + 1])) {
      joined.push(`${args[i]}=${args[++i]}`);
    } else joined.push(args[i]);
  }
  try {
    const { values, positionals } = nodeParseArgs({ args: joined, options, strict: true, allowPositionals: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    throw new UserError(`${(e as Error).message.split("\n")[0]}. Usage: ${usage}`);
  }
}

/**
 * Parse a numeric flag.
 *
 * @param value the raw value (undefined = absent)
 * @param flag flag name for messages
 * @param check "int" (>= 0 integer), "posint", "number" (finite), "nonneg" (>= 0)
 * @returns the number or undefined
 */
export function numberFlag(
  value: string | boolean | undefined,
  flag: string,
  check: "int" | "posint" | "number" | "nonneg" = "number",
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const ok = typeof value === "string" && value.trim() !== "" && Number.isFinite(n) &&
    (check === "number" || n >= 0) && (check !== "int" && check !== "posint" || Number.isInteger(n)) &&
    (check !== "posint" || n > 0);
  if (!ok) {
    const what =
      { int: "a non-negative integer", posint: "a positive integer", number: "a number", nonneg: "a number >= 0" }[
        check
      ];
    throw new UserError(`Expected --${flag} to be ${what} but found '${value}'`);
  }
  return n;
}

/**
 * Parse an enumerated flag.
 *
 * @param value raw value
 * @param flag flag name
 * @param allowed accepted values
 * @returns the value or undefined
 */
export function choiceFlag<T extends string>(
  value: string | boolean | undefined,
  flag: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new UserError(`Expected --${flag} to be one of ${allowed.join(", ")} but found '${value}'`);
  }
  return value as T;
}

/**
 * Run a CLI entry point: UserErrors print one line (no stack; a training fact with its advice,
 * src/cli/advice.ts) and exit with their code;
 * anything else prints its stack and exits 1.
 *
 * @param main the command
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  tf.env().set("PROD", true); // production mode: no debug checks, no "install tfjs-node" banner
  try {
    await main();
  } catch (e) {
    if (e instanceof UserError) {
      console.error(`error: ${errorLine(e)}`);
      Deno.exit(e.exitCode);
    }
    console.error(e);
    Deno.exit(1);
  }
}

/**
 * The dataset root: `--data`, else `$MVTEC_ROOT`.
 *
 * @param flag value of --data
 * @returns the root
 */
export function dataRoot(flag: string | boolean | undefined): string {
  const root = typeof flag === "string" ? flag : Deno.env.get("MVTEC_ROOT");
  if (!root) {
    throw new UserError("No dataset root: pass --data ROOT or set MVTEC_ROOT (a folder in the MVTec AD layout)");
  }
  return root;
}

// Run-folder helpers shared with src/jobs/ and src/lab/ablate/ live in src/util/ (so that those folders
// need not import cli/); re-exported here for the entry points.
export { gitCommit } from "../util/git_commit.ts";
export { exists } from "../util/exists.ts";
export { removeStaleTemporaries, writeJsonAtomic } from "../util/atomic.ts";
