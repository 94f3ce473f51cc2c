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
 * PATCHSVDD_NATIVE=0 (skip the build), PATCHSVDD_NATIVE_ISA (default `native`: `-march=native` into
 * libpatchsvdd.so; `avx2`, `avx512`, `generic` on x86-64 or `neon` on aarch64 build that instruction
 * set instead, into libpatchsvdd-<isa>.so beside it, so that one machine can measure another's code
 * path; the kit loads the same variant when started with the same variable).
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
/** Path of the default shared library (`-march=native`). */
export const NATIVE_LIBRARY = join(here, "build", "libpatchsvdd.so");

// -z nodelete: the thread pool's workers live as long as the process, but Deno unloads an FFI library
// when the isolate that opened it ends (each `deno test --doc` example is one); a worker still waking
// up then ran unmapped code and crashed the whole test runner. Marked nodelete, the library stays mapped.
const COMMON_FLAGS = ["-pthread", "-fPIC", "-shared", "-std=c++17", "-Wl,-z,nodelete"];

/**
 * The explicit instruction-set targets of PATCHSVDD_NATIVE_ISA, per machine architecture (Node's
 * `process.arch`): the flags that replace `-march=native`, and the CPU flags (/proc/cpuinfo) a
 * machine needs to run the result. `native` (the default) is valid everywhere.
 * - avx2: Haswell's instruction set (AVX2, FMA, BMI2), tuned for AMD Zen 3, the common AVX2 machine.
 * - avx512: x86-64-v4 (AVX-512 F, BW, CD, DQ, VL), without AMX or AVX512-BF16 (so no bf16 path).
 * - generic: plain x86-64 (SSE2): the 4-wide fallback kernels.
 * - neon: ARMv8-A, whose Advanced SIMD (NEON) every 64-bit ARM CPU has.
 */
export const NATIVE_ISA_TARGETS = {
  x64: {
    avx512: { flags: ["-march=x86-64-v4"], needs: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"] },
    avx2: { flags: ["-march=haswell", "-mtune=znver3"], needs: ["avx2", "fma", "bmi2"] },
    generic: { flags: ["-march=x86-64"], needs: [] },
  },
  arm64: {
    neon: { flags: ["-march=armv8-a"], needs: ["asimd"] },
  },
};

/**
 * Where the library for an instruction-set target lives.
 *
 * @param {string} [isa] a PATCHSVDD_NATIVE_ISA value; `native` or empty: the default library
 * @returns {string} native/build/libpatchsvdd.so, or native/build/libpatchsvdd-<isa>.so
 * @example
 * ```js
 * import { nativeLibraryPath } from "./build.mjs";
 * nativeLibraryPath("avx2"); // ".../native/build/libpatchsvdd-avx2.so"
 * ```
 */
export function nativeLibraryPath(isa) {
  return !isa || isa === "native" ? NATIVE_LIBRARY : join(here, "build", `libpatchsvdd-${isa}.so`);
}

/**
 * What to build for an instruction-set target on a machine: the library path and the compiler flags.
 *
 * @param {{ isa?: string, arch?: string, cxxflags?: string }} [target] isa: a PATCHSVDD_NATIVE_ISA
 *   value (default `native`); arch: Node's `process.arch` (default this machine's); cxxflags: the
 *   PATCHSVDD_CXXFLAGS value, which replaces every flag when set
 * @returns {{ library: string, flags: string[], needs: string[] } | { error: string }} needs: the
 *   CPU flags a machine must have to run the library; error: a one-line reason and the fix
 * @example
 * ```js
 * import { nativeBuildPlan } from "./build.mjs";
 * const plan = nativeBuildPlan({ isa: "avx2", arch: "x64" });
 * console.log("error" in plan ? plan.error : plan.flags.join(" ")); // "-O3 -march=haswell -mtune=znver3 ..."
 * ```
 */
export function nativeBuildPlan(target = {}) {
  const isa = target.isa || "native";
  const arch = target.arch || process.arch;
  /** @type {Record<string, { flags: string[], needs: string[] }>} */
  const targets = /** @type {Record<string, Record<string, { flags: string[], needs: string[] }>>} */ (
    NATIVE_ISA_TARGETS
  )[arch] ?? {};
  const chosen = isa === "native" ? { flags: ["-march=native"], needs: [] } : targets[isa];
  if (!chosen) {
    const valid = ["native", ...Object.keys(targets)].join(", ");
    return { error: `PATCHSVDD_NATIVE_ISA=${isa} is not a target on this ${arch} machine; use one of: ${valid}` };
  }
  const flags = target.cxxflags
    ? target.cxxflags.split(/\s+/).filter(Boolean)
    : ["-O3", ...chosen.flags, ...COMMON_FLAGS];
  return { library: nativeLibraryPath(isa), flags, needs: chosen.needs };
}

/**
 * The CPU flags from `needs` that a /proc/cpuinfo text does not list (x86 `flags`, ARM `Features`).
 *
 * @param {string[]} needs CPU flags, e.g. ["avx512f"]
 * @param {string} cpuinfo the text of /proc/cpuinfo ("" when unknown: nothing is reported missing)
 * @returns {string[]} the missing ones
 */
export function missingCpuFlags(needs, cpuinfo) {
  const line = cpuinfo.split("\n").find((l) => /^(flags|Features)\s*:/.test(l));
  if (!line) return [];
  const have = new Set(line.split(":")[1].trim().split(/\s+/));
  return needs.filter((f) => !have.has(f));
}

/**
 * Compile the native library unless it is up to date.
 *
 * @param {{ force?: boolean, quiet?: boolean, cxx?: string, isa?: string }} [options] force: rebuild even
 *   if up to date; quiet: print nothing but warnings; cxx: compiler (default: $CXX or g++); isa: an
 *   instruction-set target (default: $PATCHSVDD_NATIVE_ISA or `native`, see {@link nativeBuildPlan})
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
  const isa = options.isa || process.env.PATCHSVDD_NATIVE_ISA || "native";
  const plan = nativeBuildPlan({ isa, cxxflags: process.env.PATCHSVDD_CXXFLAGS });
  const library = "error" in plan ? nativeLibraryPath(isa) : plan.library;
  const result = (/** @type {boolean} */ ok, /** @type {boolean} */ built, /** @type {string} */ reason) => ({
    ok,
    built,
    path: library,
    reason,
  });

  if (process.env.PATCHSVDD_NATIVE === "0") {
    return result(existsSync(library), false, "skipped (PATCHSVDD_NATIVE=0)");
  }
  if ("error" in plan) {
    warn(plan.error);
    return result(false, false, plan.error);
  }
  const cxx = options.cxx || process.env.CXX || "g++";
  const flags = plan.flags;
  const command = [cxx, ...flags, "-o", library, NATIVE_SOURCE];
  const stamp = library + ".cmd";
  const stampText = command.join(" ") + "\n";

  if (!options.force && isUpToDate(library, stamp, stampText)) {
    log(`up to date (${library})`);
    return result(true, false, "up to date");
  }
  const missing = missingCpuFlags(plan.needs, readCpuinfo());
  if (missing.length > 0) {
    warn(`this CPU lacks ${missing.join(", ")}: ${library} will build but cannot run here (illegal instruction)`);
  }

  const probe = spawnSync(cxx, ["--version"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) {
    const reason = `no C++ compiler (${cxx}) found; the native backend is disabled and the kit will use wasm. ` +
      `Install g++ (e.g. apt-get install g++) and run: node native/build.mjs`;
    warn(reason);
    return result(false, false, reason);
  }

  mkdirSync(dirname(library), { recursive: true });
  // Written aside and renamed into place: a process that has the old library loaded keeps its copy.
  const tmp = library + `.tmp${process.pid}`;
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
  renameSync(tmp, library);
  writeFileSync(stamp, stampText);
  log(`built ${library}`);
  return result(true, true, "built");
}

/**
 * @param {string} library path of the built library
 * @param {string} stamp path of the file recording the last build command
 * @param {string} stampText the command that would be run now
 * @returns {boolean} true when the library is newer than its sources and was built the same way
 */
function isUpToDate(library, stamp, stampText) {
  if (!existsSync(library) || !existsSync(stamp)) return false;
  if (readFileSync(stamp, "utf8") !== stampText) return false;
  const libTime = statSync(library).mtimeMs;
  return [NATIVE_SOURCE, fileURLToPath(import.meta.url)].every((f) => statSync(f).mtimeMs <= libTime);
}

/** @returns {string} the text of /proc/cpuinfo, or "" where there is none */
function readCpuinfo() {
  try {
    return readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return "";
  }
}

const isMain = /** @type {{ main?: boolean }} */ (import.meta).main ??
  (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href);
if (isMain) {
  const r = buildNative({ force: process.argv.includes("--force") });
  // A missing compiler or a failed compile is not an error (postinstall goes on, the kit uses wasm); an
  // unknown PATCHSVDD_NATIVE_ISA is a typo to fix.
  if (!r.ok && /PATCHSVDD_NATIVE_ISA=/.test(r.reason)) process.exit(2);
}
