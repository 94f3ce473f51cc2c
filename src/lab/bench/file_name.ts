/**
 * The name of a benchmark record in `results/bench/`: one file per host kind, instruction set of
 * the native kernels, backend and precision, so that records from an AVX2, an AVX-512 and an ARM
 * machine (or from two builds on one machine) sit side by side instead of replacing each other.
 *
 * @module
 */

/** What a benchmark record's file name is made of. */
export interface BenchFileParts {
  /** `${cores}core-${cpu model slug}`, e.g. `2core-amd-epyc-9b45-128-core-processor`. */
  hostKind: string;
  /**
   * The instruction set the native kernels were compiled for (`avx512`, `avx2`, `neon`, ...), or
   * null when the native library was not loaded (the wasm backend then also searches without it).
   */
  isa: string | null;
  /** The active backend (`native`, `wasm`, ...). */
  backend: string;
  /** The native matmul precision; `fp32` (the default) adds nothing to the name. */
  precision: string;
  /** Short (smoke) mode: a `-short` suffix, so it never replaces a full record. */
  short: boolean;
}

/**
 * The file name of a benchmark record: `<host-kind>[-<isa>]-<backend>[-<precision>][-short].json`.
 * Records written before the instruction set was part of the name (`<host-kind>-<backend>.json`)
 * keep their names and stay readable: the figures read every `*.json` there.
 *
 * @param parts host kind, instruction set, backend, precision, mode
 * @returns e.g. `2core-amd-epyc-9b45-128-core-processor-avx512-native.json`
 * @example
 * ```ts
 * import { benchFileName } from "./file_name.ts";
 * benchFileName({ hostKind: "2core-arm-neoverse-n1", isa: "neon", backend: "native", precision: "fp32", short: false });
 * // "2core-arm-neoverse-n1-neon-native.json"
 * ```
 */
export function benchFileName(parts: BenchFileParts): string {
  const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  const pieces = [
    parts.hostKind,
    ...(parts.isa ? [slug(parts.isa)] : []),
    slug(parts.backend),
    ...(parts.precision && parts.precision !== "fp32" ? [slug(parts.precision)] : []),
    ...(parts.short ? ["short"] : []),
  ];
  return `${pieces.join("-")}.json`;
}
