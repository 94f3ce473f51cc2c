/**
 * A small reader and writer of the safetensors format (huggingface/safetensors), the
 * framework-neutral way the reference's trained weights and expected outputs reach us.
 *
 * Layout of a file:
 * - 8 bytes: N, the header length, an unsigned 64-bit little-endian integer;
 * - N bytes: a UTF-8 JSON object `{name: {dtype, shape, data_offsets: [begin, end]}, ...}`,
 *   plus an optional `"__metadata__": {string: string}` entry;
 * - the data: every tensor's raw little-endian bytes, row-major, at
 *   `[begin, end)` counted from the first byte after the header.
 *
 * Every tensor is returned as a `Float32Array` whatever its stored dtype (F32, F16, BF16,
 * F64, I64, I32, I16, I8, U8, BOOL); `dtype` keeps the stored one. Writing produces F32.
 *
 * @module
 */

import { DataError } from "../errors.ts";

/** One tensor of a safetensors file, its values converted to float32. */
export interface SafetensorsTensor {
  /** The dtype stored in the file (`F32`, `F16`, ...); written files always hold `F32`. */
  dtype: string;
  /** Shape, row-major (a scalar has shape `[]`). */
  shape: number[];
  /** The values, row-major, length = product of `shape`. */
  data: Float32Array;
}

/** A whole decoded safetensors file. */
export interface SafetensorsFile {
  /** Tensors by name, in the order of the file's header. */
  tensors: Map<string, SafetensorsTensor>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

/** Bytes per element of every dtype we decode. */
const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Upper bound on a header length, as in the reference Rust implementation (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/**
 * An IEEE half-precision value (as its 16 bits) to a number.
 *
 * @param h the 16 bits
 * @returns the value
 */
export function float16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // subnormal or zero
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Four bytes to reinterpret a bfloat16 as a float32. */
const scratch = new DataView(new ArrayBuffer(4));

function decodeValues(dtype: string, view: DataView, count: number): Float32Array {
  const out = new Float32Array(count);
  const get: (i: number) => number = {
    F64: (i: number) => view.getFloat64(8 * i, true),
    F32: (i: number) => view.getFloat32(4 * i, true),
    F16: (i: number) => float16ToNumber(view.getUint16(2 * i, true)),
    // bfloat16 is the top half of a float32
    BF16: (i: number) => {
      scratch.setUint32(0, view.getUint16(2 * i, true) << 16, true);
      return scratch.getFloat32(0, true);
    },
    I64: (i: number) => Number(view.getBigInt64(8 * i, true)),
    I32: (i: number) => view.getInt32(4 * i, true),
    I16: (i: number) => view.getInt16(2 * i, true),
    I8: (i: number) => view.getInt8(i),
    U8: (i: number) => view.getUint8(i),
    BOOL: (i: number) => (view.getUint8(i) ? 1 : 0),
  }[dtype]!;
  for (let i = 0; i < count; i++) out[i] = get(i);
  return out;
}

/**
 * Decode the bytes of a safetensors file.
 *
 * @param bytes the whole file
 * @param source a name for error messages (the path)
 * @returns the tensors (as float32) and the metadata
 * @throws {DataError} when the file is truncated, its header is not valid JSON, or a
 *   tensor's dtype, shape or offsets are inconsistent
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * import { strictEqual } from "node:assert/strict";
 * const bytes = encodeSafetensors(new Map([["w", { shape: [2], data: new Float32Array([1, 2]) }]]));
 * strictEqual(decodeSafetensors(bytes).tensors.get("w")!.data[1], 2);
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array, source = "<bytes>"): SafetensorsFile {
  const truncated = (needed: number) =>
    new DataError(
      `${source} is truncated: header says ${needed} bytes, file has ${bytes.length}; re-download it`,
    );
  if (bytes.length < 8) throw truncated(8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = Number(view.getBigUint64(0, true));
  if (headerBytes > MAX_HEADER_BYTES) {
    throw new DataError(
      `${source} is not a safetensors file: expected a header length below ${MAX_HEADER_BYTES} bytes ` +
        `but found ${headerBytes}`,
    );
  }
  if (8 + headerBytes > bytes.length) throw truncated(8 + headerBytes);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerBytes)));
  } catch (e) {
    throw new DataError(`${source} is not a safetensors file: its header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new DataError(`${source} is not a safetensors file: expected a JSON object header`);
  }
  const dataStart = 8 + headerBytes;
  const dataBytes = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: [string, { dtype: string; shape: number[]; begin: number; end: number }][] = [];
  let needed = 0;
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (typeof value !== "object" || value === null) {
        throw new DataError(`${source}: expected __metadata__ to be an object but found ${JSON.stringify(value)}`);
      }
      for (const [k, v] of Object.entries(value)) metadata[k] = String(v);
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES)) {
      throw new DataError(
        `${source}: tensor ${name} has dtype ${String(dtype)}, which this reader does not support ` +
          `(expected one of ${Object.keys(DTYPE_BYTES).join(", ")})`,
      );
    }
    if (!Array.isArray(shape) || !shape.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new DataError(`${source}: tensor ${name} has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) ||
      offsets[1] < offsets[0]
    ) {
      throw new DataError(`${source}: tensor ${name} has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== count * DTYPE_BYTES[dtype]) {
      throw new DataError(
        `${source}: tensor ${name} (${dtype}, shape [${shape.join(", ")}]) expected ` +
          `${count * DTYPE_BYTES[dtype]} bytes but its data_offsets span ${end - begin}`,
      );
    }
    needed = Math.max(needed, end);
    entries.push([name, { dtype, shape: shape as number[], begin, end }]);
  }
  if (needed > dataBytes) throw truncated(dataStart + needed);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, { dtype, shape, begin, end }] of entries) {
    const slice = new DataView(bytes.buffer, bytes.byteOffset + dataStart + begin, end - begin);
    tensors.set(name, { dtype, shape, data: decodeValues(dtype, slice, (end - begin) / DTYPE_BYTES[dtype]) });
  }
  return { tensors, metadata };
}

/**
 * Encode tensors as a safetensors file (F32, in the map's order, header padded with
 * spaces to a multiple of 8 bytes as the reference writer does).
 *
 * @param tensors tensors by name (`dtype`, if given, is ignored: the output is F32)
 * @param metadata optional `__metadata__` strings
 * @returns the file's bytes
 * @throws {RangeError} when a tensor's data length does not match its shape
 */
export function encodeSafetensors(
  tensors: Map<string, Pick<SafetensorsTensor, "shape" | "data">>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, { shape, data }] of tensors) {
    const count = shape.reduce((a, b) => a * b, 1);
    if (count !== data.length) {
      throw new RangeError(
        `Expected ${count} values for ${name} of shape [${shape.join(", ")}] but found ${data.length}`,
      );
    }
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(padded - json.length));
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const { data } of tensors.values()) {
    for (let i = 0; i < data.length; i++, pos += 4) view.setFloat32(pos, data[i], true);
  }
  return out;
}

/**
 * Read the tensors of a safetensors file.
 *
 * @param path file path
 * @returns tensors by name (values as float32, `dtype` the stored one)
 * @throws {DataError} when the file is truncated or malformed (the message names the path and the fix)
 */
export async function readSafetensors(path: string): Promise<Map<string, SafetensorsTensor>> {
  return decodeSafetensors(await Deno.readFile(path), path).tensors;
}

/**
 * Read a safetensors file's tensors and its `__metadata__`.
 *
 * @param path file path
 * @returns tensors and metadata
 * @throws {DataError} when the file is truncated or malformed
 */
export async function readSafetensorsFile(path: string): Promise<SafetensorsFile> {
  return decodeSafetensors(await Deno.readFile(path), path);
}

/**
 * Write tensors to a safetensors file (F32).
 *
 * @param path file path (overwritten)
 * @param tensors tensors by name
 * @param metadata optional `__metadata__` strings
 */
export async function writeSafetensors(
  path: string,
  tensors: Map<string, Pick<SafetensorsTensor, "shape" | "data">>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await Deno.writeFile(path, encodeSafetensors(tensors, metadata));
}
