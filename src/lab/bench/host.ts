/**
 * What machine a benchmark ran on: a short "host kind" for file names (`2core-intel-xeon-processor`)
 * and the details behind it (CPU model, the vector instruction sets it offers, cores, memory, runtime
 * versions, load average).
 *
 * @module
 */

import { type NativeInfo, nativeInfo } from "../../backend/native.ts";

/** The vector instruction sets a CPU offers (from /proc/cpuinfo; all false where it is unreadable). */
export interface CpuFlags {
  /** AVX2 (x86: Haswell, AMD Zen and later). */
  avx2: boolean;
  /** AVX-512 Foundation (x86: Skylake-SP, Ice Lake, AMD Zen 4 and later). */
  avx512f: boolean;
  /** Intel AMX tiles with bf16 (`amx_tile` and `amx_bf16`: Sapphire Rapids and later), which `--precision bf16` needs. */
  amx: boolean;
  /** ARM Advanced SIMD (`asimd` on AArch64, `neon` on 32-bit ARM). */
  neon: boolean;
}

/** The machine and runtime of a benchmark. */
export interface HostInfo {
  /** `${cores}core-${cpu model slug}`, e.g. `2core-intel-xeon-processor`. */
  kind: string;
  /** CPU model from /proc/cpuinfo (on ARM, the core named from its implementer and part; "unknown" elsewhere). */
  cpu_model: string;
  /** The vector instruction sets the CPU offers (absent in records written before they were kept). */
  cpu_flags?: CpuFlags;
  /** `navigator.hardwareConcurrency`. */
  cores: number;
  /** Operating system and architecture, e.g. `linux x86_64`. */
  os: string;
  /** Total physical memory in MiB (0 when unknown). */
  total_memory_mb: number;
  /** Deno, V8 and TypeScript versions. */
  runtime: { deno: string; v8: string; typescript: string };
  /**
   * The native kernels' instruction set (the one they were compiled for: it names the bench file),
   * thread count and library file, or null when the library is not loaded. Older records lack `library`.
   */
  native: (Omit<NativeInfo, "library"> & { library?: string }) | null;
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

// ARM cores by implementer and part number (the kernel's /proc/cpuinfo has no model name on arm64),
// after Linux's arch/arm64/include/asm/cputype.h; the rest are shown by their numbers.
const ARM_IMPLEMENTERS: Record<string, string> = {
  "0x41": "ARM",
  "0x46": "Fujitsu",
  "0x48": "HiSilicon",
  "0x4e": "NVIDIA",
  "0x51": "Qualcomm",
  "0x61": "Apple",
  "0xc0": "Ampere",
};
const ARM_PARTS: Record<string, string> = {
  "0x41 0xd03": "Cortex-A53",
  "0x41 0xd05": "Cortex-A55",
  "0x41 0xd07": "Cortex-A57",
  "0x41 0xd08": "Cortex-A72",
  "0x41 0xd0b": "Cortex-A76",
  "0x41 0xd0c": "Neoverse-N1",
  "0x41 0xd40": "Neoverse-V1",
  "0x41 0xd49": "Neoverse-N2",
  "0x41 0xd4f": "Neoverse-V2",
};

/** The value of the first `key : value` line of /proc/cpuinfo whose key matches, or undefined. */
function cpuinfoField(text: string, key: RegExp): string | undefined {
  for (const line of text.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0 && key.test(line.slice(0, i).trim())) return line.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * The CPU model in a /proc/cpuinfo text: its `model name` (x86), else the ARM core named from its
 * `CPU implementer` and `CPU part`, else a `Model`, `cpu model` or `Hardware` line.
 *
 * @param text the contents of /proc/cpuinfo
 * @returns e.g. "AMD EPYC 9B45 128-Core Processor", "ARM Neoverse-N1", "ARM part 0xd0d", or "unknown"
 * @example
 * ```ts
 * import { cpuModelFromCpuinfo } from "./host.ts";
 * cpuModelFromCpuinfo("CPU implementer\t: 0x41\nCPU part\t: 0xd0c\n"); // "ARM Neoverse-N1"
 * ```
 */
export function cpuModelFromCpuinfo(text: string): string {
  const name = cpuinfoField(text, /^model name$/);
  if (name) return name;
  const implementer = cpuinfoField(text, /^CPU implementer$/)?.toLowerCase();
  const part = cpuinfoField(text, /^CPU part$/)?.toLowerCase();
  if (implementer && part) {
    const vendor = ARM_IMPLEMENTERS[implementer] ?? `implementer ${implementer}`;
    return `${vendor} ${ARM_PARTS[`${implementer} ${part}`] ?? `part ${part}`}`;
  }
  return cpuinfoField(text, /^(Model|cpu model|Hardware)$/) || "unknown";
}

/**
 * The vector instruction sets a /proc/cpuinfo text lists (x86 `flags`, ARM `Features`).
 *
 * @param text the contents of /proc/cpuinfo ("" gives all false)
 * @returns which of AVX2, AVX-512F, AMX (tile and bf16) and NEON the CPU has
 * @example
 * ```ts
 * import { cpuFlagsFromCpuinfo } from "./host.ts";
 * cpuFlagsFromCpuinfo("flags\t\t: fpu sse2 avx2 fma\n"); // { avx2: true, avx512f: false, amx: false, neon: false }
 * ```
 */
export function cpuFlagsFromCpuinfo(text: string): CpuFlags {
  const have = new Set((cpuinfoField(text, /^(flags|Features)$/) ?? "").split(/\s+/));
  return {
    avx2: have.has("avx2"),
    avx512f: have.has("avx512f"),
    amx: have.has("amx_tile") && have.has("amx_bf16"),
    neon: have.has("asimd") || have.has("neon"),
  };
}

function readCpuinfo(): string {
  try {
    return Deno.readTextFileSync("/proc/cpuinfo");
  } catch {
    return "";
  }
}

/**
 * The CPU model name of this machine.
 *
 * @returns see {@linkcode cpuModelFromCpuinfo}; "unknown" without /proc/cpuinfo
 */
export function cpuModel(): string {
  return cpuModelFromCpuinfo(readCpuinfo());
}

/**
 * Describe this machine.
 *
 * @returns cores, CPU model and flags, host kind, memory, runtime versions, native kernel info
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
    cpu_flags: cpuFlagsFromCpuinfo(readCpuinfo()),
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
