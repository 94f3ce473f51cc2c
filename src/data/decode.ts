/**
 * Decoding one image or one ground-truth mask into the arrays the model reads,
 * exactly as the reference preprocesses them (REFERENCE.md section 1): bicubic
 * resize to `size x size`, grayscale tiled to 3 channels, masks binarised at > 128.
 *
 * sharp (libvips) decodes the file at its own size; the resize is
 * {@linkcode resizeBicubic}, bit-exact with the Pillow bicubic resize the reference
 * uses (libvips' own cubic resize differs by a few levels when shrinking and by a
 * quarter pixel when enlarging). An image already at the target size is returned
 * byte for byte.
 *
 * @module
 */

import sharp from "sharp";
import { DataError } from "../errors.ts";
import { resizeBicubic } from "./resize.ts";

/** A decoded image: `size * size * 3` values in HWC order on the 0..255 scale. */
export interface DecodedImage {
  /** [size, size, 3] HWC, 0..255 (integers; grayscale tiled to three equal channels). */
  data: Float32Array;
  /** Channels of the file itself: 1 for grayscale (tiled), 3 for colour (alpha dropped). */
  channels: 1 | 3;
  /** Width of the file before resizing. */
  originalWidth: number;
  /** Height of the file before resizing. */
  originalHeight: number;
}

/** A decoded ground-truth mask: `size * size` values, 1 = anomalous pixel. */
export interface DecodedMask {
  /** [size, size], 1 where the resized mask is > 128, else 0. */
  data: Uint8Array;
  /** Width of the mask file before resizing. */
  originalWidth: number;
  /** Height of the mask file before resizing. */
  originalHeight: number;
  /** Whether the file held values other than 0 and 255 (it is thresholded either way). */
  nonBinary: boolean;
  /** Whether the file's only values are 0 and 1, so that thresholding at 128 empties it. */
  zeroOneValues: boolean;
  /** Human-readable notes about the file (non-binary values, size differing from its image). */
  warnings: string[];
}

/** Width and height of an image, used to check that a mask matches its image. */
export interface ImageDims {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** Raw 8-bit pixels straight from the file, before any resize. */
interface RawPixels {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

function unreadable(path: string, cause: unknown): DataError {
  const err = new DataError(
    `${path} is not a readable image (truncated or corrupt); replace it or pass --skip-bad to skip it`,
  );
  (err as Error & { cause?: unknown }).cause = cause;
  return err;
}

/** Read a file and decode it to 8-bit pixels: grayscale as 1 channel, anything else as sRGB. */
async function readPixels(path: string, forceGray: boolean): Promise<RawPixels> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new DataError(`${path} does not exist; restore the file or re-index the dataset`);
    }
    throw new DataError(`${path} cannot be read (${(e as Error).message}); check its permissions`);
  }
  // Raw stored values, as the reference's imageio reads them: no ICC transform, no EXIF rotation.
  const options = { failOn: "error", ignoreIcc: true, autoOrient: false } as const;
  try {
    const meta = await sharp(bytes, options).metadata();
    const gray = forceGray || (meta.channels ?? 3) <= 2;
    const pipeline = sharp(bytes, options).removeAlpha();
    const { data, info } = await (gray ? pipeline.toColourspace("b-w") : pipeline.toColourspace("srgb"))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const channels = gray ? 1 : 3;
    if (info.channels !== channels || data.length !== info.width * info.height * channels) {
      throw new Error(`unexpected decoded layout: ${info.channels} channels, ${data.length} bytes`);
    }
    return {
      pixels: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      channels,
    };
  } catch (e) {
    throw unreadable(path, e);
  }
}

/** Pillow-exact bicubic resize of raw pixels; identity when already that size. */
function resizePixels(raw: RawPixels, size: number): Uint8Array {
  if (raw.width === size && raw.height === size) return raw.pixels;
  return resizeBicubic(raw.pixels, raw.width, raw.height, raw.channels, size, size);
}

function checkSize(size: number): void {
  if (!(Number.isInteger(size) && size > 0)) {
    throw new RangeError(`Expected the target size to be a positive integer but found ${size}`);
  }
}

/**
 * Decode an image file (PNG or JPEG, any size, gray or colour, with or without alpha)
 * into a `size x size x 3` array on the 0..255 scale.
 *
 * @param path the image file
 * @param size target side in pixels (the reference uses 256)
 * @returns the pixels in HWC order plus the file's own channel count and size
 * @throws {DataError} when the file is missing, truncated or not an image
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs the MVTec AD data
 * import { decodeImage } from "./decode.ts";
 * const image = await decodeImage("mvtec_ad/bottle/test/broken_large/000.png", 256);
 * console.log(image.data.length); // 196608 = 256 * 256 * 3
 * ```
 */
export async function decodeImage(path: string, size: number): Promise<DecodedImage> {
  checkSize(size);
  const raw = await readPixels(path, false);
  const resized = resizePixels(raw, size);
  const pixelCount = size * size;
  const data = new Float32Array(pixelCount * 3);
  if (raw.channels === 3) {
    for (let i = 0; i < data.length; i++) data[i] = resized[i];
  } else {
    for (let p = 0; p < pixelCount; p++) {
      const v = resized[p];
      data[3 * p] = v;
      data[3 * p + 1] = v;
      data[3 * p + 2] = v;
    }
  }
  return { data, channels: raw.channels, originalWidth: raw.width, originalHeight: raw.height };
}

/**
 * The warnings a mask deserves, from facts about the file (kept separate from decoding
 * so that a cached mask reports the same warnings as a freshly decoded one).
 *
 * @param path the mask file, named in the messages
 * @param mask what decoding found (original size, value range)
 * @param image size of the image the mask belongs to, when known
 * @param size the target side in pixels
 * @returns zero or more one-line warnings
 */
export function maskWarnings(
  path: string,
  mask: Pick<DecodedMask, "originalWidth" | "originalHeight" | "nonBinary" | "zeroOneValues">,
  image: ImageDims | undefined,
  size: number,
): string[] {
  const out: string[] = [];
  if (mask.zeroOneValues) {
    out.push(
      `Mask ${path} holds only the values 0 and 1, so thresholding at > 128 leaves it empty; ` +
        `save masks as 0/255`,
    );
  } else if (mask.nonBinary) {
    out.push(`Mask ${path} is not binary (values other than 0 and 255); thresholded at > 128`);
  }
  if (image && (image.width !== mask.originalWidth || image.height !== mask.originalHeight)) {
    out.push(
      `Mask ${path} is ${mask.originalWidth}x${mask.originalHeight} but its image is ` +
        `${image.width}x${image.height}; both were resized to ${size}x${size}`,
    );
  }
  return out;
}

/**
 * Decode a ground-truth mask: bicubic resize to `size x size`, then 1 where the
 * resized value is > 128 (the reference's binarisation).
 *
 * @param path the mask file (any colour mode; it is converted to gray)
 * @param size target side in pixels
 * @param image size of the image the mask belongs to; a different size is reported
 * @returns the binary mask and the warnings about the file
 * @throws {DataError} when the file is missing, truncated or not an image
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs the MVTec AD data
 * import { decodeMask } from "./decode.ts";
 * const mask = await decodeMask("mvtec_ad/bottle/ground_truth/broken_large/000_mask.png", 256);
 * console.log(mask.data.reduce((a, b) => a + b, 0), "anomalous pixels");
 * ```
 */
export async function decodeMask(path: string, size: number, image?: ImageDims): Promise<DecodedMask> {
  checkSize(size);
  const raw = await readPixels(path, true);
  let nonBinary = false;
  let allZeroOne = true;
  let anyOne = false;
  for (const v of raw.pixels) {
    if (v !== 0 && v !== 255) nonBinary = true;
    if (v > 1) allZeroOne = false;
    if (v === 1) anyOne = true;
  }
  const resized = resizePixels(raw, size);
  const data = new Uint8Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = resized[i] > 128 ? 1 : 0;
  const facts = {
    originalWidth: raw.width,
    originalHeight: raw.height,
    nonBinary,
    zeroOneValues: allZeroOne && anyOne,
  };
  return { data, ...facts, warnings: maskWarnings(path, facts, image, size) };
}
