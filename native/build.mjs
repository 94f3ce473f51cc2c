#!/usr/bin/env node
/**
 * Builds the native kernels (native/kernels.cc) into native/build/libpatchsvdd.so.
 *
 * Run by `npm install` (postinstall), by `node native/build.mjs` or `deno run -A native/build.mjs`,
 * or imported: `import { buildNative } from "../../native/build.mjs"`. Idempotent: nothing is
 * compiled when the library is newer than its sources and was built with the same command. A
 * missing compiler or a failed compile prints a warning and is not an error: the kit then runs on
 * the wasm backend.
 *
 * Environment: CXX (compiler, default g++), PATCHSVDD_CXXFLAGS (replaces the default flags),
 * PATCHSVDD_NATIVE=0 (skip the build).
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Source file of the native kernels. */
export const NATIVE_SOURCE = join(here, "kernels.cc");
/** Path of the built shared library. */
export const NATIVE_LIBRARY = join(here, "build", "libpatchsvdd.so");

// -z nodelete: the thread pool's workers live as long as the process, but Deno unloads an FFI library
// when the isolate that opened it ends (each `deno test --doc` example is one); a worker still waking
// up then ran unmapped code and crashed the whole test runner. Marked nodelete, the library stays mapped.
const DEFAULT_FLAGS = ["-O3", "-march=native", "-pthread", "-fPIC", "-shared", "-std=c++17", "-Wl,-z,nodelete"];

/**
 * Compile the native library unless it is up to date.
 *
 * @param {{ force?: boolean, quiet?: boolean, cxx?: string }} [options] force: rebuild even if up to
 *   date; quiet: print nothing but warnings; cxx: compiler (default: $CXX or g++)
 * @returns {{ ok: boolean, built: boolean, path: string, reason: string }} ok: the library exists
 *   and matches the sources; built: it was compiled now; reason: a one-line explanation
 * @example
 * ```js
 * import { buildNative } from "./build.mjs";
 * const r = buildNative({ quiet: true });
 * console.log(r.ok ? r.path : r.reason);
 * ```
 */
export function buildNative(options = {}) {
  const log = (/** @type {string} */ msg) => {
    if (!options.quiet) console.log(`patchsvdd native: ${msg}`);
  };
  const warn = (/** @type {string} */ msg) => console.warn(`patchsvdd native: WARNING: ${msg}`);
  const result = (/** @type {boolean} */ ok, /** @type {boolean} */ built, /** @type {string} */ reason) => ({
    ok,
    built,
    path: NATIVE_LIBRARY,
    reason,
  });

  if (process.env.PATCHSVDD_NATIVE === "0") {
    return result(existsSync(NATIVE_LIBRARY), false, "skipped (PATCHSVDD_NATIVE=0)");
  }
  const cxx = options.cxx || process.env.CXX || "g++";
  const flags = process.env.PATCHSVDD_CXXFLAGS ? process.env.PATCHSVDD_CXXFLAGS.split(/\s+/).filter(Boolean) : [
    ...DEFAULT_FLAGS,
  ];
  const command = [cxx, ...flags, "-o", NATIVE_LIBRARY, NATIVE_SOURCE];
  const stamp = NATIVE_LIBRARY + ".cmd";
  const stampText = command.join(" ") + "\n";

  if (!options.force && isUpToDate(stamp, stampText)) {
    log(`up to date (${NATIVE_LIBRARY})`);
    return result(true, false, "up to date");
  }

  const probe = spawnSync(cxx, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    const reason = `no C++ compiler (${cxx}) found; the native backend is disabled and the kit will use wasm. ` +
      `Install g++ (e.g. apt-get install g++) and run: node native/build.mjs`;
    warn(reason);
    return result(false, false, reason);
  }

  mkdirSync(dirname(NATIVE_LIBRARY), { recursive: true });
  const tmp = NATIVE_LIBRARY + `.tmp${process.pid}`;
  log(`compiling: ${[cxx, ...flags].join(" ")} (about 20 s)`);
  const run = (/** @type {string[]} */ f) => spawnSync(cxx, [...f, "-o", tmp, NATIVE_SOURCE], { encoding: "utf8" });
  const out = run(flags);
  if (out.error || out.status !== 0) {
    rmSync(tmp, { force: true });
    const detail = (out.stderr || String(out.error || "")).split("\n").slice(0, 20).join("\n");
    const reason = `compiling native/kernels.cc failed; the kit will use the wasm backend.\n${detail}`;
    warn(reason);
    return result(false, false, reason.split("\n")[0]);
  }
  renameSync(tmp, NATIVE_LIBRARY);
  writeFileSync(stamp, stampText);
  log(`built ${NATIVE_LIBRARY}`);
  return result(true, true, "built");
}

/**
 * @param {string} stamp path of the file recording the last build command
 * @param {string} stampText the command that would be run now
 * @returns {boolean} true when the library is newer than its sources and was built the same way
 */
function isUpToDate(stamp, stampText) {
  if (!existsSync(NATIVE_LIBRARY) || !existsSync(stamp)) return false;
  if (readFileSync(stamp, "utf8") !== stampText) return false;
  const libTime = statSync(NATIVE_LIBRARY).mtimeMs;
  return [NATIVE_SOURCE, fileURLToPath(import.meta.url)].every((f) => statSync(f).mtimeMs <= libTime);
}

const isMain = /** @type {{ main?: boolean }} */ (import.meta).main ??
  (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href);
if (isMain) {
  buildNative({ force: process.argv.includes("--force") });
}
