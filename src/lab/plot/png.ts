/**
 * A minimal PNG encoder (8-bit RGBA, no interlace), synchronous and dependency-free apart
 * from `node:zlib`: figure functions stay synchronous and pure while embedding raster images
 * (photographs, heatmaps, colour ramps) as `data:` URIs.
 *
 * @module
 */

import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encode 8-bit RGBA pixels as a PNG file.
 *
 * @param rgba `width * height * 4` bytes, row-major, straight (non-premultiplied) alpha
 * @param width image width in pixels
 * @param height image height in pixels
 * @returns the PNG file's bytes
 * @throws {RangeError} when the pixel buffer's length disagrees with the size
 * @example
 * ```ts
 * import { encodePng } from "./png.ts";
 * import { strictEqual } from "node:assert/strict";
 * const png = encodePng(new Uint8Array([255, 0, 0, 255]), 1, 1); // one red pixel
 * strictEqual(png[1], 0x50);
 * strictEqual(png[2], 0x4e);
 * strictEqual(png[3], 0x47); // "PNG"
 * ```
 */
export function encodePng(rgba: ArrayLike<number>, width: number, height: number): Uint8Array {
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new RangeError(`Expected a positive integer PNG size but found ${width} x ${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new RangeError(
      `Expected ${width} x ${height} x 4 = ${width * height * 4} RGBA bytes but found ${rgba.length}`,
    );
  }
  const stride = width * 4;
  const raw = new Uint8Array((stride + 1) * height); // each row: filter byte 0 (None), then pixels
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    for (let i = 0; i < stride; i++) raw[row + 1 + i] = rgba[y * stride + i];
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, adaptive filter, no interlace
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(deflateSync(raw))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Encode RGBA pixels as a `data:image/png;base64,...` URI (for an SVG `<image href>`).
 *
 * @param rgba `width * height * 4` bytes, row-major
 * @param width image width in pixels
 * @param height image height in pixels
 * @returns the data URI
 * @example
 * ```ts
 * import { pngDataUri } from "./png.ts";
 * pngDataUri(new Uint8Array([0, 0, 0, 255]), 1, 1).startsWith("data:image/png;base64,"); // true
 * ```
 */
export function pngDataUri(rgba: ArrayLike<number>, width: number, height: number): string {
  const png = encodePng(rgba, width, height);
  let binary = "";
  for (let i = 0; i < png.length; i += 0x8000) binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
  return `data:image/png;base64,${btoa(binary)}`;
}
