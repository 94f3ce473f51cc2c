/**
 * What machine a benchmark ran on: a short "host kind" for file names (`2core-intel-xeon-processor`)
 * and the details behind it (CPU model, cores, memory, runtime versions, load average).
 *
 * @module
 */

import { nativeInfo } from "../backend/native.ts";

/** The machine and runtime of a benchmark. */
export interface HostInfo {
  /** `${cores}core-${cpu model slug}`, e.g. `2core-intel-xeon-processor`. */
  kind: string;
  /** CPU model name from /proc/cpuinfo ("unknown" elsewhere). */
  cpu_model: string;
  /** `navigator.hardwareConcurrency`. */
  cores: number;
  /** Operating system and architecture, e.g. `linux x86_64`. */
  os: string;
  /** Total physical memory in MiB (0 when unknown). */
  total_memory_mb: number;
  /** Deno, V8 and TypeScript versions. */
  runtime: { deno: string; v8: string; typescript: string };
  /** The native kernels' instruction set and thread count, or null when the library is not built. */
  native: { isa: string; threads: number } | null;
}

/**
 * Lower-case a CPU model name into a file-name slug: trademark marks, "CPU" and the clock
 * ("@ 2.20GHz") dropped, everything else that is not a letter or digit turned into single dashes.
 *
 * @param model e.g. "Intel(R) Xeon(R) CPU @ 2.20GHz"
 * @returns e.g. "intel-xeon"
 * @example
 * ```ts
 * import { cpuSlug } from "./host.ts";
 * cpuSlug("AMD EPYC 7B13 64-Core Processor"); // "amd-epyc-7b13-64-core-processor"
 * ```
 */
export function cpuSlug(model: string): string {
  const slug = model.toLowerCase()
    .replace(/\((r|tm|c)\)/g, " ")
    .replace(/@.*$/, " ")
    .replace(/\bcpu\b/g, " ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "unknown";
}

/**
 * The CPU model name of this machine.
 *
 * @returns the first `model name` of /proc/cpuinfo, or "unknown"
 */
export function cpuModel(): string {
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    const line = text.split("\n").find((l) => /^(model name|Model|cpu model)\s*:/.test(l));
    return line ? line.split(":").slice(1).join(":").trim() : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * Describe this machine.
 *
 * @returns cores, CPU model, host kind, memory, runtime versions, native kernel info
 */
export function hostInfo(): HostInfo {
  const cores = navigator.hardwareConcurrency;
  const model = cpuModel();
  let total = 0;
  try {
    total = Math.round(Deno.systemMemoryInfo().total / 2 ** 20);
  } catch { /* not available on this platform */ }
  return {
    kind: `${cores}core-${cpuSlug(model)}`,
    cpu_model: model,
    cores,
    os: `${Deno.build.os} ${Deno.build.arch}`,
    total_memory_mb: total,
    runtime: { ...Deno.version },
    native: nativeInfo(),
  };
}

/**
 * The 1, 5 and 15 minute load averages (zeros where the platform has none).
 *
 * @returns [1 min, 5 min, 15 min]
 */
export function loadAverage(): [number, number, number] {
  try {
    const [a, b, c] = Deno.loadavg();
    return [a, b, c];
  } catch {
    return [0, 0, 0];
  }
}
