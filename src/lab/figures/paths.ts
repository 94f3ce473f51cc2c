/**
 * Where things are, for notebooks and the figures task: the project root (notebooks run with
 * their own folder as working directory, the CLI with the root), and settings read from
 * environment variables with a default, so a notebook's top cell stays a list of plain values.
 *
 * @module
 */

import { isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the project root (the folder holding `deno.json`), without a trailing slash. */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../../..", import.meta.url)).replace(/\/$/, "");

/** The committed results folder, `<root>/results`. */
export const RESULTS_DIR: string = join(PROJECT_ROOT, "results");

/** The committed figures folder, `<root>/results/figures`. */
export const FIGURES_DIR: string = join(RESULTS_DIR, "figures");

/**
 * Resolve a path against the project root (absolute paths are kept), so that a notebook
 * (working directory `notebooks/`) and the CLI (working directory the root) mean the same file.
 *
 * @param path a path relative to the project root, or absolute
 * @returns the absolute path
 * @example
 * ```ts
 * import { fromRoot, PROJECT_ROOT } from "./paths.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(fromRoot("runs/x"), `${PROJECT_ROOT}/runs/x`);
 * strictEqual(fromRoot("/tmp/x"), "/tmp/x");
 * ```
 */
export function fromRoot(path: string): string {
  return isAbsolute(path) ? path : join(PROJECT_ROOT, path);
}

/**
 * A string setting: the environment variable when set and non-empty, else the default.
 *
 * @param name environment variable
 * @param fallback default value
 * @returns the value
 * @example
 * ```ts
 * import { envString } from "./paths.ts";
 * envString("PATCHSVDD_SURELY_UNSET", "runs/notebooks/01"); // "runs/notebooks/01"
 * ```
 */
export function envString(name: string, fallback: string): string {
  const value = Deno.env.get(name);
  return value === undefined || value.trim() === "" ? fallback : value;
}

/**
 * An optional string setting: the environment variable when set and non-empty, else null.
 *
 * @param name environment variable
 * @returns the value or null
 */
export function envOptional(name: string): string | null {
  const value = Deno.env.get(name);
  return value === undefined || value.trim() === "" ? null : value;
}

/**
 * A numeric setting: the environment variable when set, else the default.
 *
 * @param name environment variable
 * @param fallback default value
 * @returns the number
 * @throws {TypeError} when the variable is set but not a finite number
 * @example
 * ```ts
 * import { envNumber } from "./paths.ts";
 * envNumber("PATCHSVDD_SURELY_UNSET", 90); // 90
 * ```
 */
export function envNumber(name: string, fallback: number): number {
  const raw = envOptional(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new TypeError(`Expected ${name} to be a number but found '${raw}'`);
  return value;
}

/**
 * A boolean setting: `1`, `true`, `yes` or `on` (any case) are true, `0`, `false`, `no`, `off`
 * false; unset means the default.
 *
 * @param name environment variable
 * @param fallback default value
 * @returns the flag
 * @throws {TypeError} when the variable holds anything else
 * @example
 * ```ts
 * import { envFlag } from "./paths.ts";
 * envFlag("PATCHSVDD_SURELY_UNSET", false); // false
 * ```
 */
export function envFlag(name: string, fallback: boolean): boolean {
  const raw = envOptional(name);
  if (raw === null) return fallback;
  const value = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(value)) return true;
  if (["0", "false", "no", "off"].includes(value)) return false;
  throw new TypeError(`Expected ${name} to be true/false (or 1/0) but found '${raw}'`);
}
