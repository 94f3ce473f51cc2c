/**
 * Bicubic resize of 8-bit images, bit-exact with Pillow's `Image.resize(size, BICUBIC)`,
 * the filter the reference implementation applies to every image and mask.
 *
 * Pillow resamples separably (horizontal pass, rounded to 8 bits, then vertical pass)
 * with the Catmull-Rom kernel (a = -0.5) widened by the scale factor when shrinking
 * (antialiasing), coefficients normalised per output pixel and quantised to 22-bit
 * fixed point. Reproducing that arithmetic gives the reference's arrays exactly for
 * any input size; libvips' cubic resize (sharp) differs by up to a few levels when
 * shrinking and samples a quarter pixel off when enlarging.
 *
 * @module
 */

/** Fixed-point fraction bits of Pillow's 8-bit resampling coefficients. */
const PRECISION_BITS = 32 - 8 - 2;
/** Support of the bicubic filter at scale 1. */
const BICUBIC_SUPPORT = 2;

/** Pillow's bicubic kernel, a = -0.5 (same operation order, so the same doubles). */
function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Per output pixel: first input index, number of taps, and fixed-point weights (Pillow's precompute_coeffs). */
interface Coefficients {
  /** Taps reserved per output pixel. */
  taps: number;
  /** [outSize] first input index. */
  start: Int32Array;
  /** [outSize] number of taps used. */
  count: Int32Array;
  /** [outSize * taps] weights scaled by 2^22 and rounded half away from zero. */
  weights: Float64Array;
}

function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  const k = new Float64Array(taps);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1.0 / filterScale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = bicubic((x + xmin - center + 0.5) * ss);
      total += k[x];
    }
    for (let x = 0; x < xmax; x++) {
      const w = total !== 0 ? k[x] / total : k[x];
      weights[xx * taps + x] = w < 0
        ? Math.trunc(-0.5 + w * (1 << PRECISION_BITS))
        : Math.trunc(0.5 + w * (1 << PRECISION_BITS));
    }
    start[xx] = xmin;
    count[xx] = xmax;
  }
  return { taps, start, count, weights };
}

/** Fixed-point accumulator -> byte, as Pillow's clip8. */
function clip8(acc: number): number {
  const v = Math.floor(acc / (1 << PRECISION_BITS));
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Resize an 8-bit image with Pillow's bicubic filter, bit for bit.
 *
 * @param pixels [height, width, channels] HWC bytes
 * @param width input width
 * @param height input height
 * @param channels values per pixel (each channel is resampled independently)
 * @param outWidth output width
 * @param outHeight output height
 * @returns [outHeight, outWidth, channels] HWC bytes (the input itself when the size is unchanged)
 * @throws {RangeError} when the sizes do not match the buffer
 * @example
 * ```ts
 * import { resizeBicubic } from "./resize.ts";
 * const flat = new Uint8Array(8 * 8).fill(77);
 * const out = resizeBicubic(flat, 8, 8, 1, 3, 5);
 * if (out.length !== 15 || out.some((v) => v !== 77)) throw new Error("a flat image stays flat");
 * ```
 */
export function resizeBicubic(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  for (const [name, v] of [["width", width], ["height", height], ["outWidth", outWidth], ["outHeight", outHeight]]) {
    if (!(Number.isInteger(v) && (v as number) > 0)) {
      throw new RangeError(`Expected ${name} to be a positive integer but found ${v}`);
    }
  }
  if (pixels.length !== width * height * channels) {
    throw new RangeError(
      `Expected ${width}x${height}x${channels} = ${width * height * channels} bytes but found ${pixels.length}`,
    );
  }
  const half = 1 << (PRECISION_BITS - 1);
  let src = pixels;
  let srcHeight = height;
  let rowOffset = 0; // first input row the vertical pass reads from `src`
  const vertical = coefficients(height, outHeight);

  if (outWidth !== width) {
    // Horizontal pass over only the rows the vertical pass will read.
    const firstRow = vertical.start[0];
    const lastRow = vertical.start[outHeight - 1] + vertical.count[outHeight - 1];
    const rows = lastRow - firstRow;
    const h = coefficients(width, outWidth);
    const tmp = new Uint8Array(rows * outWidth * channels);
    for (let y = 0; y < rows; y++) {
      const inRow = (y + firstRow) * width * channels;
      const outRow = y * outWidth * channels;
      for (let xx = 0; xx < outWidth; xx++) {
        const x0 = h.start[xx], n = h.count[xx], kOffset = xx * h.taps;
        for (let c = 0; c < channels; c++) {
          let acc = half;
          for (let x = 0; x < n; x++) acc += pixels[inRow + (x0 + x) * channels + c] * h.weights[kOffset + x];
          tmp[outRow + xx * channels + c] = clip8(acc);
        }
      }
    }
    src = tmp;
    srcHeight = rows;
    rowOffset = firstRow;
  }
  if (outHeight === height) {
    return src; // the horizontal pass covered every row (vertical taps at scale 1 reach all rows)
  }

  const rowLength = outWidth * channels;
  const out = new Uint8Array(outHeight * rowLength);
  for (let yy = 0; yy < outHeight; yy++) {
    const y0 = vertical.start[yy] - rowOffset, n = vertical.count[yy], kOffset = yy * vertical.taps;
    if (y0 < 0 || y0 + n > srcHeight) throw new RangeError("internal: vertical taps outside the horizontal pass");
    for (let i = 0; i < rowLength; i++) {
      let acc = half;
      for (let y = 0; y < n; y++) acc += src[(y0 + y) * rowLength + i] * vertical.weights[kOffset + y];
      out[yy * rowLength + i] = clip8(acc);
    }
  }
  return out;
}
