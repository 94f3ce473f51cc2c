/**
 * FFI bindings to the native CPU kernels (`native/kernels.cc`, built by `native/build.mjs` into
 * `native/build/libpatchsvdd.so`): NHWC float32 convolutions, batched matmul, a few elementwise
 * kernels and reductions, and an exact nearest-neighbour search. Loading needs `--allow-ffi` (the tasks run with `-A`).
 *
 * Everything here works on plain typed arrays; the tfjs backend built on top of these calls lives
 * in `native_backend.ts`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

const SYMBOLS = {
  psv_abi_version: { parameters: [], result: "i32" },
  psv_isa: { parameters: [], result: "pointer" },
  psv_set_threads: { parameters: ["i32"], result: "void" },
  psv_get_threads: { parameters: [], result: "i32" },
  psv_set_precision: { parameters: ["i32"], result: "i32" },
  psv_get_precision: { parameters: [], result: "i32" },
  psv_conv2d: { parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "i32", "f32"], result: "void" },
  psv_conv2d_backprop_input: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "f32"],
    result: "void",
  },
  psv_conv2d_backprop_filter: { parameters: ["buffer", "buffer", "buffer", "buffer"], result: "void" },
  psv_matmul: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "i32", "i32", "i32", "f32"],
    result: "void",
  },
  psv_binary: { parameters: ["i32", "buffer", "i64", "buffer", "i64", "buffer", "i64"], result: "void" },
  psv_select: { parameters: ["buffer", "buffer", "buffer", "buffer", "i64"], result: "void" },
  psv_leaky_relu: { parameters: ["buffer", "buffer", "i64", "f32"], result: "void" },
  psv_tanh: { parameters: ["buffer", "buffer", "i64"], result: "void" },
  psv_leaky_relu_grad: { parameters: ["buffer", "buffer", "buffer", "i64", "f32"], result: "void" },
  psv_sum: { parameters: ["buffer", "i64", "i64", "i32", "buffer"], result: "void" },
  psv_nearest: { parameters: ["buffer", "i64", "buffer", "i64", "i32", "buffer", "buffer"], result: "i32" },
  psv_nearest_async: {
    name: "psv_nearest",
    parameters: ["buffer", "i64", "buffer", "i64", "i32", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
} as const;

/**
 * The C symbols these bindings look up in the library (each declared function's `name`, else its key).
 *
 * @example
 * ```ts
 * import { NATIVE_SYMBOL_NAMES } from "./native.ts";
 * NATIVE_SYMBOL_NAMES.includes("psv_nearest"); // true
 * ```
 */
export const NATIVE_SYMBOL_NAMES: readonly string[] = [
  ...new Set(Object.entries(SYMBOLS).map(([key, def]) => ("name" in def ? def.name : key))),
];

/** ABI version the bindings expect (must equal `psv_abi_version()` in kernels.cc). */
export const NATIVE_ABI_VERSION = 5;

/** The loaded library's raw symbols. */
export type NativeSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Activation fused into a convolution or matmul epilogue. */
export type NativeActivation = "linear" | "relu" | "leakyrelu";

const ACTIVATION_CODE: Record<NativeActivation, number> = { linear: 0, relu: 1, leakyrelu: 2 };

/**
 * A 2-D convolution in NHWC layout, described the way tfjs's `Conv2DInfo` does (all in pixels).
 * `x` is [batch, inHeight, inWidth, inChannels], the filter [filterHeight, filterWidth,
 * inChannels, outChannels], the output [batch, outHeight, outWidth, outChannels].
 */
export interface NativeConvShape {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  /** Zero rows added above the input (0 for VALID). */
  padTop: number;
  /** Zero columns added left of the input (0 for VALID). */
  padLeft: number;
}

/**
 * File name of the native library built for an instruction-set target (native/build.mjs names them
 * the same way).
 *
 * @param isa a PATCHSVDD_NATIVE_ISA value (`avx2`, `avx512`, `generic`, `neon`); `native`, empty
 *   or undefined: the default `-march=native` build
 * @returns `libpatchsvdd.so` or `libpatchsvdd-<isa>.so`
 * @example
 * ```ts
 * import { nativeLibraryFile } from "./native.ts";
 * nativeLibraryFile("avx2"); // "libpatchsvdd-avx2.so"
 * ```
 */
export function nativeLibraryFile(isa?: string): string {
  return !isa || isa === "native" ? "libpatchsvdd.so" : `libpatchsvdd-${isa}.so`;
}

/** The instruction-set target asked for with PATCHSVDD_NATIVE_ISA ("native" when unset). */
const NATIVE_ISA_REQUESTED: string = Deno.env.get("PATCHSVDD_NATIVE_ISA") || "native";

/**
 * Where the native library is expected: $PATCHSVDD_NATIVE_LIB, else native/build/ and the file of
 * the target in $PATCHSVDD_NATIVE_ISA (see {@linkcode nativeLibraryFile}).
 */
export const NATIVE_LIBRARY_PATH: string = Deno.env.get("PATCHSVDD_NATIVE_LIB") ?? defaultLibraryPath();

function defaultLibraryPath(): string {
  const url = new URL(`../../native/build/${nativeLibraryFile(NATIVE_ISA_REQUESTED)}`, import.meta.url);
  return url.protocol === "file:" ? fileURLToPath(url) : "";
}

let loaded: { symbols: NativeSymbols } | { reason: string } | undefined;

/**
 * Open the native library once (later calls return the same result, unless `retry` is set and
 * the first attempt failed, e.g. after building the library).
 *
 * @param retry try again after an earlier failure
 * @returns the raw symbols, or a one-line reason why they are unavailable (library not built,
 *   no FFI permission, ABI mismatch)
 * @example
 * ```ts
 * import { loadNative } from "./native.ts";
 * const lib = loadNative();
 * console.log("symbols" in lib ? "native kernels loaded" : lib.reason);
 * ```
 */
export function loadNative(retry = false): { symbols: NativeSymbols } | { reason: string } {
  if (loaded && !(retry && "reason" in loaded)) return loaded;
  loaded = open();
  return loaded;
}

function open(): { symbols: NativeSymbols } | { reason: string } {
  if (!NATIVE_LIBRARY_PATH) return { reason: "the native library is only available from a local checkout" };
  try {
    Deno.statSync(NATIVE_LIBRARY_PATH);
  } catch {
    const env = NATIVE_ISA_REQUESTED === "native" ? "" : `PATCHSVDD_NATIVE_ISA=${NATIVE_ISA_REQUESTED} `;
    return {
      reason:
        `native library not built (${NATIVE_LIBRARY_PATH} is missing); run: ${env}node native/build.mjs (needs g++)`,
    };
  }
  try {
    const lib = Deno.dlopen(NATIVE_LIBRARY_PATH, SYMBOLS);
    const abi = lib.symbols.psv_abi_version();
    if (abi !== NATIVE_ABI_VERSION) {
      lib.close();
      return { reason: `native library ABI ${abi} != ${NATIVE_ABI_VERSION}; rebuild: node native/build.mjs --force` };
    }
    return { symbols: lib.symbols };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      return { reason: `loading the native library needs --allow-ffi (${msg.split("\n")[0]})` };
    }
    return { reason: `could not load ${NATIVE_LIBRARY_PATH}: ${msg.split("\n")[0]}` };
  }
}

/**
 * The native symbols, or an Error naming the reason they are missing.
 *
 * @returns the raw symbols
 * @throws {Error} when the library cannot be loaded
 */
export function nativeSymbols(): NativeSymbols {
  const lib = loadNative();
  if ("reason" in lib) throw new Error(lib.reason);
  return lib.symbols;
}

/** The loaded native library, as {@linkcode nativeInfo} describes it. */
export interface NativeInfo {
  /**
   * The vector instruction set its kernels were compiled for: "avx512", "avx2", "avx", "neon"
   * (AArch64) or "generic" (4-wide plain vectors).
   */
  isa: string;
  /** Threads its kernels use, the calling thread included. */
  threads: number;
  /** File name of the library (`libpatchsvdd.so`, or a PATCHSVDD_NATIVE_ISA variant's). */
  library: string;
}

/**
 * Describe the loaded library: instruction set, thread count and file.
 *
 * @returns e.g. `{ isa: "avx512", threads: 2, library: "libpatchsvdd.so" }`, or null when the
 *   library is unavailable
 */
export function nativeInfo(): NativeInfo | null {
  const lib = loadNative();
  if ("reason" in lib) return null;
  const ptr = lib.symbols.psv_isa();
  const isa = ptr === null ? "unknown" : new Deno.UnsafePointerView(ptr).getCString();
  return { isa, threads: lib.symbols.psv_get_threads(), library: NATIVE_LIBRARY_PATH.replace(/^.*[\\/]/, "") };
}

/**
 * Set how many threads the native kernels use, the calling thread included (0: the
 * PATCHSVDD_THREADS environment variable, or every core).
 *
 * @param threads number of threads, >= 0
 */
export function setNativeThreads(threads: number): void {
  nativeSymbols().psv_set_threads(threads);
}

/**
 * Arithmetic of the native convolutions and matmuls.
 * - `fp32` (default): float32 products and sums, as the reference's PyTorch code.
 * - `bf16`: Intel AMX tiles; both operands rounded to bfloat16 (8 mantissa bits instead of 24),
 *   products summed in float32. Needs AMX (Sapphire Rapids or later).
 */
export type MatmulPrecision = "fp32" | "bf16";

/** Every {@link MatmulPrecision}, in order of decreasing accuracy. */
export const MATMUL_PRECISIONS: readonly MatmulPrecision[] = ["fp32", "bf16"];

const PRECISION_CODE: Record<MatmulPrecision, number> = { fp32: 0, bf16: 1 };

/**
 * Select the arithmetic of the native convolutions and matmuls, for the calling thread (the main
 * program, or one worker: parallel test modules do not affect each other).
 *
 * @param precision see {@link MatmulPrecision}
 * @throws Error when bf16 is asked for on a CPU or OS without AMX
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: bf16 needs a CPU with Intel AMX
 * import { setNativePrecision } from "./native.ts";
 * setNativePrecision("bf16");
 * ```
 */
export function setNativePrecision(precision: MatmulPrecision): void {
  const code = PRECISION_CODE[precision];
  if (code === undefined) throw new RangeError(`Unknown precision "${precision}"; use one of ${MATMUL_PRECISIONS}`);
  if (nativeSymbols().psv_set_precision(code) !== 1) {
    throw new Error(
      `precision ${precision} needs Intel AMX (Sapphire Rapids or later, Linux >= 5.16, library built with ` +
        `-march=native on that CPU); this machine cannot run it (native kernels: ${nativeInfo()?.isa}, ` +
        `${NATIVE_LIBRARY_PATH.replace(/^.*[\\/]/, "")}): use --precision fp32`,
    );
  }
}

/** The precision the native convolutions and matmuls use now. */
export function nativePrecision(): MatmulPrecision {
  return MATMUL_PRECISIONS[nativeSymbols().psv_get_precision()] ?? "fp32";
}

function shapeParams(s: NativeConvShape): Int32Array {
  return Int32Array.of(
    s.batch,
    s.inHeight,
    s.inWidth,
    s.inChannels,
    s.outHeight,
    s.outWidth,
    s.outChannels,
    s.filterHeight,
    s.filterWidth,
    s.strideHeight,
    s.strideWidth,
    s.dilationHeight,
    s.dilationWidth,
    s.padTop,
    s.padLeft,
  );
}

function checkLength(name: string, a: Float32Array, want: number): void {
  if (a.length !== want) throw new RangeError(`Expected ${name} to hold ${want} floats but found ${a.length}`);
}

/**
 * Convolution forward pass, optionally fused with a bias and an activation:
 * y = act(conv(x, w) + bias).
 *
 * @param x input [batch, inHeight, inWidth, inChannels]
 * @param w filter [filterHeight, filterWidth, inChannels, outChannels]
 * @param shape the convolution's geometry
 * @param bias per-output-channel bias [outChannels], or null
 * @param activation fused activation
 * @param alpha slope for negative inputs of "leakyrelu"
 * @returns y [batch, outHeight, outWidth, outChannels]
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs the native library, which `npm ci` builds (native/build.mjs)
 * import { nativeConv2d } from "./native.ts";
 * const shape = { batch: 1, inHeight: 3, inWidth: 3, inChannels: 1, outHeight: 1, outWidth: 1, outChannels: 1,
 *   filterHeight: 3, filterWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1,
 *   padTop: 0, padLeft: 0 };
 * nativeConv2d(new Float32Array(9).fill(1), new Float32Array(9).fill(1), shape); // Float32Array [9]
 * ```
 */
export function nativeConv2d(
  x: Float32Array,
  w: Float32Array,
  shape: NativeConvShape,
  bias: Float32Array | null = null,
  activation: NativeActivation = "linear",
  alpha = 0.2,
): Float32Array {
  const s = shape;
  checkLength("x", x, s.batch * s.inHeight * s.inWidth * s.inChannels);
  checkLength("w", w, s.filterHeight * s.filterWidth * s.inChannels * s.outChannels);
  if (bias) checkLength("bias", bias, s.outChannels);
  const y = new Float32Array(s.batch * s.outHeight * s.outWidth * s.outChannels);
  nativeSymbols().psv_conv2d(x, w, bias, y, shapeParams(s), ACTIVATION_CODE[activation], alpha);
  return y;
}

/**
 * Gradient of a convolution with respect to its input.
 *
 * @param dy output gradient [batch, outHeight, outWidth, outChannels]
 * @param w filter [filterHeight, filterWidth, inChannels, outChannels]
 * @param shape the forward convolution's geometry
 * @param leaky optional: x was the output of a LeakyReLU with slope `alpha`; dx is then carried
 *   through it (multiplied by 1 where x > 0 and by alpha elsewhere) while still in cache
 * @returns dx [batch, inHeight, inWidth, inChannels]
 */
export function nativeConv2dBackpropInput(
  dy: Float32Array,
  w: Float32Array,
  shape: NativeConvShape,
  leaky: { x: Float32Array; alpha: number } | null = null,
): Float32Array {
  const s = shape;
  checkLength("dy", dy, s.batch * s.outHeight * s.outWidth * s.outChannels);
  checkLength("w", w, s.filterHeight * s.filterWidth * s.inChannels * s.outChannels);
  const dx = new Float32Array(s.batch * s.inHeight * s.inWidth * s.inChannels);
  if (leaky) checkLength("x", leaky.x, dx.length);
  nativeSymbols().psv_conv2d_backprop_input(dy, w, dx, shapeParams(s), leaky?.x ?? null, leaky?.alpha ?? 0);
  return dx;
}

/**
 * Gradient of a convolution with respect to its filter.
 *
 * @param x input [batch, inHeight, inWidth, inChannels]
 * @param dy output gradient [batch, outHeight, outWidth, outChannels]
 * @param shape the forward convolution's geometry
 * @returns dw [filterHeight, filterWidth, inChannels, outChannels]
 */
export function nativeConv2dBackpropFilter(x: Float32Array, dy: Float32Array, shape: NativeConvShape): Float32Array {
  const s = shape;
  checkLength("x", x, s.batch * s.inHeight * s.inWidth * s.inChannels);
  checkLength("dy", dy, s.batch * s.outHeight * s.outWidth * s.outChannels);
  const dw = new Float32Array(s.filterHeight * s.filterWidth * s.inChannels * s.outChannels);
  nativeSymbols().psv_conv2d_backprop_filter(x, dy, dw, shapeParams(s));
  return dw;
}

/** Operand layout of {@linkcode nativeMatMul}. */
export interface NativeMatMulShape {
  /** Batch count of a (1 broadcasts). */
  batchA: number;
  /** Batch count of b (1 broadcasts). */
  batchB: number;
  /** Rows of op(a) and of the result. */
  m: number;
  /** Columns of op(b) and of the result. */
  n: number;
  /** Shared inner dimension. */
  k: number;
  /** a is stored [batch, k, m] instead of [batch, m, k]. */
  transposeA: boolean;
  /** b is stored [batch, n, k] instead of [batch, k, n]. */
  transposeB: boolean;
}

/**
 * Batched matmul c[i] = act(op(a[i]) op(b[i]) + bias).
 *
 * @param a left operand
 * @param b right operand
 * @param shape sizes and transposition flags
 * @param bias [n] or null
 * @param activation fused activation
 * @param alpha slope for negative inputs of "leakyrelu"
 * @returns c [max(batchA, batchB), m, n]
 */
export function nativeMatMul(
  a: Float32Array,
  b: Float32Array,
  shape: NativeMatMulShape,
  bias: Float32Array | null = null,
  activation: NativeActivation = "linear",
  alpha = 0.2,
): Float32Array {
  const s = shape;
  checkLength("a", a, s.batchA * s.m * s.k);
  checkLength("b", b, s.batchB * s.k * s.n);
  if (bias) checkLength("bias", bias, s.n);
  if (s.batchA !== s.batchB && s.batchA !== 1 && s.batchB !== 1) {
    throw new RangeError(`Expected batch sizes to match or be 1 but found ${s.batchA} and ${s.batchB}`);
  }
  const c = new Float32Array(Math.max(s.batchA, s.batchB) * s.m * s.n);
  const dims = Int32Array.of(s.batchA, s.batchB, s.m, s.n, s.k);
  nativeSymbols().psv_matmul(
    a,
    b,
    bias,
    c,
    dims,
    s.transposeA ? 1 : 0,
    s.transposeB ? 1 : 0,
    ACTIVATION_CODE[activation],
    alpha,
  );
  return c;
}

/** Elementwise binary operations of {@linkcode nativeBinary}. */
export type NativeBinaryOp = "mul" | "add" | "sub" | "greater" | "div";

const BINARY_CODE: Record<NativeBinaryOp, number> = { mul: 0, add: 1, sub: 2, greater: 3, div: 4 };

/**
 * out[i] = a[i % a.length] op b[i % b.length]: equal sizes, a scalar, or an operand repeating
 * along the leading dimensions (a per-channel vector) all broadcast this way.
 *
 * @param op the operation; "greater" yields 1/0 bytes
 * @param a left operand
 * @param b right operand
 * @param n output size (a multiple of both operand sizes)
 * @returns the result (Uint8Array for "greater")
 */
export function nativeBinary(
  op: NativeBinaryOp,
  a: Float32Array,
  b: Float32Array,
  n: number,
): Float32Array | Uint8Array {
  if (a.length === 0 || b.length === 0 || n % a.length !== 0 || n % b.length !== 0) {
    throw new RangeError(`Expected operand sizes ${a.length} and ${b.length} to divide the output size ${n}`);
  }
  const out = op === "greater" ? new Uint8Array(n) : new Float32Array(n);
  nativeSymbols().psv_binary(BINARY_CODE[op], a, BigInt(a.length), b, BigInt(b.length), out, BigInt(n));
  return out;
}

/**
 * out[i] = cond[i] ? t[i] : e[i].
 *
 * @param cond condition bytes (0 = false)
 * @param t values where true
 * @param e values where false
 * @returns the selection
 */
export function nativeSelect(cond: Uint8Array, t: Float32Array, e: Float32Array): Float32Array {
  if (cond.length !== t.length || t.length !== e.length) {
    throw new RangeError(`Expected equal sizes but found ${cond.length}, ${t.length}, ${e.length}`);
  }
  const out = new Float32Array(t.length);
  nativeSymbols().psv_select(cond, t, e, out, BigInt(t.length));
  return out;
}

/**
 * LeakyReLU: x < 0 ? alpha * x : x.
 *
 * @param x input
 * @param alpha slope for negative inputs
 * @returns the activation
 */
export function nativeLeakyRelu(x: Float32Array, alpha: number): Float32Array {
  const out = new Float32Array(x.length);
  nativeSymbols().psv_leaky_relu(x, out, BigInt(x.length), alpha);
  return out;
}

/**
 * tanh, each value computed in float64 and rounded to float32 (what tfjs's cpu kernel gives, in
 * vectors and on every thread).
 *
 * @param x input
 * @returns tanh(x)
 */
export function nativeTanh(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  nativeSymbols().psv_tanh(x, out, BigInt(x.length));
  return out;
}

/**
 * The gradient through a LeakyReLU, from its output y: dy where y > 0, alpha * dy elsewhere (y has
 * the sign of the LeakyReLU's input).
 *
 * @param dy gradient with respect to y
 * @param y the LeakyReLU's output
 * @param alpha slope for negative inputs
 * @returns the gradient with respect to the LeakyReLU's input
 */
export function nativeLeakyReluGrad(dy: Float32Array, y: Float32Array, alpha: number): Float32Array {
  checkLength("y", y, dy.length);
  const out = new Float32Array(dy.length);
  nativeSymbols().psv_leaky_relu_grad(dy, y, out, BigInt(dy.length), alpha);
  return out;
}

/**
 * Sum of x viewed as a [rows, cols] matrix, accumulated in float64.
 *
 * @param x values, row-major
 * @param rows number of rows
 * @param over "rows" sums each column (leading axes), "cols" sums each row (trailing axes)
 * @returns cols sums (over "rows") or rows sums (over "cols")
 */
export function nativeSum(x: Float32Array, rows: number, over: "rows" | "cols"): Float32Array {
  if (rows <= 0 || x.length % rows !== 0) throw new RangeError(`Expected ${x.length} values to form ${rows} rows`);
  const cols = x.length / rows;
  const out = new Float32Array(over === "rows" ? cols : rows);
  nativeSymbols().psv_sum(x, BigInt(rows), BigInt(cols), over === "rows" ? 1 : 0, out);
  return out;
}

/** Result of {@linkcode exactNearestNativeDetailed}. */
export interface NativeNearest {
  /** Per query: L2 distance (not squared) to the nearest bank vector. */
  distances: Float32Array;
  /** Per query: index of that bank vector (the smallest index among exact ties; -1 for an empty bank). */
  indices: Int32Array;
  /** Distinct queries that had 16+ near-tied candidates and were settled by a float64 scan of their reach. */
  fallbacks: number;
}

function checkNearestArgs(bank: Float32Array, queries: Float32Array, dim: number): void {
  if (!(Number.isInteger(dim) && dim > 0)) {
    throw new RangeError(`Expected dim to be a positive integer but found ${dim}`);
  }
  if (bank.length % dim !== 0 || queries.length % dim !== 0) {
    throw new RangeError(
      `Expected bank (${bank.length}) and queries (${queries.length}) to hold whole vectors of dim ${dim}`,
    );
  }
  if (bank.length / dim > 0x7fffffff) throw new RangeError(`Expected at most 2^31 - 1 bank vectors`);
}

function checkNearestResult(code: number): number {
  if (code === -2) throw new RangeError("Expected finite bank and query values but found NaN or Infinity");
  if (code < 0) throw new RangeError(`The native nearest-neighbour search rejected its arguments (code ${code})`);
  return code;
}

/**
 * Exact nearest-neighbour search: for every query, the L2 distance (not squared) to the closest
 * bank vector, with its index. Exact even for tiny vectors (distances ~1e-4, magnitudes ~0.03): the
 * float32 |q|^2 + |b|^2 - 2 q.b only selects candidates, within a proven error bound, and they are
 * re-ranked in float64 (see kernels.cc for the argument).
 *
 * @param bank bank vectors, row-major [nb, dim]
 * @param queries query vectors, row-major [nq, dim]
 * @param dim vector length
 * @returns distances, indices and fallback count, or null when the native library is unavailable
 */
export function exactNearestNativeDetailed(
  bank: Float32Array,
  queries: Float32Array,
  dim: number,
): NativeNearest | null {
  const lib = loadNative();
  if ("reason" in lib) return null;
  checkNearestArgs(bank, queries, dim);
  const nq = queries.length / dim;
  const distances = new Float32Array(nq);
  const indices = new Int32Array(nq);
  const fallbacks = lib.symbols.psv_nearest(
    bank,
    BigInt(bank.length / dim),
    queries,
    BigInt(nq),
    dim,
    distances,
    indices,
  );
  return { distances, indices, fallbacks: checkNearestResult(fallbacks) };
}

/**
 * Exact nearest-neighbour distances (see {@linkcode exactNearestNativeDetailed}).
 *
 * @param bank bank vectors, row-major [nb, dim]
 * @param queries query vectors, row-major [nq, dim]
 * @param dim vector length
 * @returns per query, the L2 distance (not squared) to its nearest bank vector; null when the
 *   native library is unavailable (fall back to another search)
 * @example
 * ```ts
 * import { exactNearestNative } from "./native.ts";
 * const d = exactNearestNative(Float32Array.of(0, 0, 3, 4), Float32Array.of(3, 4.5), 2);
 * console.log(d ?? "native library not built"); // Float32Array [0.5]
 * ```
 */
export function exactNearestNative(bank: Float32Array, queries: Float32Array, dim: number): Float32Array | null {
  return exactNearestNativeDetailed(bank, queries, dim)?.distances ?? null;
}

/**
 * Like {@linkcode exactNearestNativeDetailed}, but runs on a worker thread so the event loop
 * stays free (progress output, timers). The arrays must not be modified until it resolves.
 *
 * @param bank bank vectors, row-major [nb, dim]
 * @param queries query vectors, row-major [nq, dim]
 * @param dim vector length
 * @returns distances, indices and fallback count, or null when the native library is unavailable
 */
export async function exactNearestNativeAsync(
  bank: Float32Array,
  queries: Float32Array,
  dim: number,
): Promise<NativeNearest | null> {
  const lib = loadNative();
  if ("reason" in lib) return null;
  checkNearestArgs(bank, queries, dim);
  const nq = queries.length / dim;
  const distances = new Float32Array(nq);
  const indices = new Int32Array(nq);
  const fallbacks = await lib.symbols.psv_nearest_async(
    bank,
    BigInt(bank.length / dim),
    queries,
    BigInt(nq),
    dim,
    distances,
    indices,
  );
  return { distances, indices, fallbacks: checkNearestResult(fallbacks) };
}
