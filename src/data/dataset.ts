/**
 * Loading a category into memory: index -> decode (cached, 4 files at a time) ->
 * arrays of raw pixels, binary masks and the train mean image, plus the
 * reference's normalisation `(x - mean) / 255` (REFERENCE.md section 1).
 *
 * @module
 */

import { DataError } from "../errors.ts";
import { DecodeCache } from "./cache.ts";
import type { DecodedImage, DecodedMask } from "./decode.ts";
import { type DatasetIndex, indexCategory, type Sample } from "./mvtec_index.ts";

/** The images of one split, decoded and stacked. */
export interface ImageSet {
  /** The samples in array order (skipped files removed). */
  samples: Sample[];
  /** [N, size, size, 3] HWC, raw 0..255 values. */
  images: Float32Array;
  /** [N, size, size], 1 = anomalous pixel; all-zero for normal images; null for the train split. */
  masks: Uint8Array | null;
  /** Side of every image in pixels. */
  size: number;
}

/** A loaded category. */
export interface Dataset {
  /** The samples actually loaded (skipped files removed), in the reference's order. */
  index: DatasetIndex;
  /** train/good images. */
  train: ImageSet;
  /** Test images: defects first, then good; masks aligned with them. */
  test: ImageSet;
  /** [size, size, 3] per-pixel mean of the TRAIN images, 0..255. */
  meanImage: Float32Array;
  /** 1 when every file is grayscale (tiled to 3 channels), 3 otherwise. */
  channels: 1 | 3;
  /** Paths skipped as unreadable (only with `skipBad`). */
  skipped: string[];
}

/** Options of {@linkcode loadDataset}. */
export interface LoadOptions {
  /** Side of the square images after resizing. Reference: 256. */
  size?: number;
  /** Skip unreadable files with a warning instead of failing (CLI: --skip-bad). */
  skipBad?: boolean;
  /** Accept grayscale and colour files in one category, tiling the grayscale ones (CLI: --allow-mixed-channels). */
  allowMixedChannels?: boolean;
  /** Receives one-line warnings (skipped files, non-binary masks, size mismatches). */
  onWarning?: (message: string) => void;
  /** Receives (files decoded so far, total files) after each file. */
  onProgress?: (done: number, total: number) => void;
  /** Decoder and its on-disk cache; default `new DecodeCache()` (`$PATCHSVDD_CACHE` or `.cache/decoded`). */
  cache?: DecodeCache;
  /** Files decoded at the same time. Default 4. */
  concurrency?: number;
  /** Require a mask for every defect image (default true); see {@linkcode indexCategory}. */
  requireMasks?: boolean;
}

/** Warnings of one kind beyond this many are summarised in one line. */
const WARNINGS_PER_KIND = 5;

/** Forwards warnings, keeping at most {@linkcode WARNINGS_PER_KIND} per kind and summarising the rest. */
class WarningSink {
  #counts = new Map<string, number>();
  #emit: (message: string) => void;
  constructor(emit: (message: string) => void) {
    this.#emit = emit;
  }
  warn(kind: string, message: string): void {
    const n = (this.#counts.get(kind) ?? 0) + 1;
    this.#counts.set(kind, n);
    if (n <= WARNINGS_PER_KIND) this.#emit(message);
  }
  flush(): void {
    for (const [kind, n] of this.#counts) {
      if (n > WARNINGS_PER_KIND) this.#emit(`... and ${n - WARNINGS_PER_KIND} more warnings of this kind (${kind})`);
    }
  }
}

/** Run `fn` on every item with at most `limit` calls in flight; the first error stops new work and is rethrown. */
async function forEachLimited<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  for (const r of results) if (r.status === "rejected") throw r.reason;
}

/**
 * The per-pixel mean of a stack of images (accumulated in float64).
 *
 * @param images [N, ...] values, N images of `imageLength` values each
 * @param imageLength values per image, e.g. size * size * 3
 * @returns [imageLength] the mean image
 * @throws {RangeError} when the stack is empty or its length is not a multiple of imageLength
 * @example
 * ```ts
 * import { computeMeanImage } from "./dataset.ts";
 * const mean = computeMeanImage(new Float32Array([0, 10, 20, 30]), 2);
 * if (mean[0] !== 10 || mean[1] !== 20) throw new Error("mean of [0,10] and [20,30]");
 * ```
 */
export function computeMeanImage(images: Float32Array, imageLength: number): Float32Array {
  if (!(imageLength > 0) || images.length === 0 || images.length % imageLength !== 0) {
    throw new RangeError(
      `Expected a non-empty stack whose length is a multiple of ${imageLength} but found length ${images.length}`,
    );
  }
  const n = images.length / imageLength;
  const sum = new Float64Array(imageLength);
  for (let k = 0; k < n; k++) {
    const offset = k * imageLength;
    for (let i = 0; i < imageLength; i++) sum[i] += images[offset + i];
  }
  const mean = new Float32Array(imageLength);
  for (let i = 0; i < imageLength; i++) mean[i] = sum[i] / n;
  return mean;
}

/**
 * The reference's normalisation: subtract the train mean image, divide by 255
 * (no per-channel std). Float32 rounding after each step, as numpy does.
 *
 * @param images [N, size, size, 3] raw 0..255 values (one image or a stack)
 * @param mean [size, size, 3] train mean image, 0..255
 * @returns a new array [N, size, size, 3] of (x - mean) / 255
 * @throws {RangeError} when the images are not a whole number of mean-sized images
 * @example
 * ```ts
 * import { normalize } from "./dataset.ts";
 * const x = normalize(new Float32Array([255, 0]), new Float32Array([0, 255]));
 * if (x[0] !== 1 || x[1] !== -1) throw new Error("(x - mean) / 255");
 * ```
 */
export function normalize(images: Float32Array, mean: Float32Array): Float32Array {
  if (mean.length === 0 || images.length % mean.length !== 0) {
    throw new RangeError(
      `Expected the images' length to be a multiple of the mean image's length ${mean.length} ` +
        `but found ${images.length}`,
    );
  }
  const out = new Float32Array(images.length);
  const m = mean.length;
  for (let offset = 0; offset < images.length; offset += m) {
    for (let i = 0; i < m; i++) out[offset + i] = Math.fround(images[offset + i] - mean[i]) / 255;
  }
  return out;
}

/**
 * Index, decode and stack one category, ready for training and inspection.
 *
 * Test masks are aligned with the test images (all-zero for normal images). Files
 * are decoded through the on-disk cache, `concurrency` at a time.
 *
 * @param root dataset root, the folder holding the category folders
 * @param category category folder name, e.g. "bottle"
 * @param opts see {@linkcode LoadOptions}
 * @returns the decoded train and test sets and the train mean image
 * @throws {DataError} for layout problems, unreadable files (without `skipBad`), an empty
 *   train set after skipping, or grayscale mixed with colour (without `allowMixedChannels`)
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs the MVTec AD data
 * import { loadDataset, normalize } from "./dataset.ts";
 * const ds = await loadDataset("../shared/data/mvtec_ad", "bottle");
 * const x = normalize(ds.test.images, ds.meanImage); // network input, [83, 256, 256, 3]
 * ```
 */
export async function loadDataset(root: string, category: string, opts: LoadOptions = {}): Promise<Dataset> {
  const size = opts.size ?? 256;
  if (!(Number.isInteger(size) && size > 0)) {
    throw new RangeError(`Expected the image size to be a positive integer but found ${size}`);
  }
  const concurrency = opts.concurrency ?? 4;
  if (!(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new RangeError(`Expected concurrency to be a positive integer but found ${concurrency}`);
  }
  const warnings = new WarningSink(opts.onWarning ?? (() => {}));
  const cache = opts.cache ?? new DecodeCache();
  const index = await indexCategory(root, category, {
    requireMasks: opts.requireMasks,
    onWarning: (m) => warnings.warn("index", m),
  });

  const total = index.train.length + index.test.length;
  let done = 0;
  const skipped: string[] = [];
  /** Decode one file; with skipBad an unreadable one becomes null and is recorded. */
  const attempt = async <T>(path: string, decode: () => Promise<T>): Promise<T | null> => {
    try {
      return await decode();
    } catch (e) {
      if (!(opts.skipBad && e instanceof DataError)) throw e;
      skipped.push(path);
      warnings.warn("skip", `Skipping ${path}: ${e.message.replace(/; replace it or pass --skip-bad.*$/, "")}`);
      return null;
    }
  };

  const imageLength = size * size * 3;
  const maskLength = size * size;
  const channelsSeen = { gray: null as string | null, colour: null as string | null, grayCount: 0 };
  const noteChannels = (path: string, image: DecodedImage) => {
    if (image.channels === 1) {
      channelsSeen.gray ??= path;
      channelsSeen.grayCount++;
    } else channelsSeen.colour ??= path;
  };

  // Train: every image, stacked in index order; skipped slots are compacted away below.
  const trainImages = new Float32Array(index.train.length * imageLength);
  const trainKept: boolean[] = index.train.map(() => false);
  await forEachLimited(index.train, concurrency, async (sample, i) => {
    const image = await attempt(sample.path, () => cache.image(sample.path, size));
    if (image) {
      trainImages.set(image.data, i * imageLength);
      trainKept[i] = true;
      noteChannels(sample.path, image);
    }
    opts.onProgress?.(++done, total);
  });

  // Test: image, then its mask (which needs the image's original size for the mismatch check).
  const testImages = new Float32Array(index.test.length * imageLength);
  const testMasks = new Uint8Array(index.test.length * maskLength);
  const testKept: boolean[] = index.test.map(() => false);
  await forEachLimited(index.test, concurrency, async (sample, i) => {
    const image = await attempt(sample.path, () => cache.image(sample.path, size));
    let mask: DecodedMask | null = null;
    if (image && sample.maskPath) {
      const maskPath = sample.maskPath;
      const dims = { width: image.originalWidth, height: image.originalHeight };
      mask = await attempt(maskPath, () => cache.mask(maskPath, size, dims));
      if (!mask) {
        warnings.warn("skip", `Skipping ${sample.path} too: its mask is unreadable`);
        opts.onProgress?.(++done, total);
        return;
      }
      for (const w of mask.warnings) warnings.warn(w.includes(" is not binary") ? "mask values" : "mask size", w);
    }
    if (image) {
      testImages.set(image.data, i * imageLength);
      if (mask) testMasks.set(mask.data, i * maskLength);
      testKept[i] = true;
      noteChannels(sample.path, image);
    }
    opts.onProgress?.(++done, total);
  });

  if (channelsSeen.gray && channelsSeen.colour) {
    if (!opts.allowMixedChannels) {
      throw new DataError(
        `Category ${category} mixes grayscale and colour images (grayscale: ${channelsSeen.gray}; ` +
          `colour: ${channelsSeen.colour}); convert them to one mode or pass --allow-mixed-channels`,
      );
    }
    warnings.warn(
      "channels",
      `Category ${category} mixes grayscale and colour images: ${channelsSeen.grayCount} grayscale image(s) ` +
        `(e.g. ${channelsSeen.gray}) were tiled to 3 channels`,
    );
  }

  const train = compact(index.train, trainKept, trainImages, imageLength, null, maskLength, size);
  const test = compact(index.test, testKept, testImages, imageLength, testMasks, maskLength, size);
  if (skipped.length > 0) {
    warnings.warn("skip summary", `Skipped ${skipped.length} unreadable file(s) (--skip-bad)`);
  }
  warnings.flush();
  if (train.samples.length === 0) {
    throw new DataError(
      `All ${index.train.length} training images of ${category} were unreadable and skipped; ` +
        `replace the files in ${root}/${category}/train/good`,
    );
  }
  if (test.samples.length === 0) {
    throw new DataError(
      `All ${index.test.length} test images of ${category} were unreadable and skipped; ` +
        `replace the files in ${root}/${category}/test`,
    );
  }

  return {
    index: { root: index.root, category: index.category, train: train.samples, test: test.samples },
    train,
    test,
    meanImage: computeMeanImage(train.images, imageLength),
    channels: channelsSeen.colour ? 3 : 1,
    skipped,
  };
}

/** Drop the skipped slots of a stack in place and wrap the rest as an {@linkcode ImageSet}. */
function compact(
  samples: Sample[],
  kept: boolean[],
  images: Float32Array,
  imageLength: number,
  masks: Uint8Array | null,
  maskLength: number,
  size: number,
): ImageSet {
  let n = 0;
  for (let i = 0; i < samples.length; i++) {
    if (!kept[i]) continue;
    if (n !== i) {
      images.copyWithin(n * imageLength, i * imageLength, (i + 1) * imageLength);
      masks?.copyWithin(n * maskLength, i * maskLength, (i + 1) * maskLength);
    }
    n++;
  }
  const all = n === samples.length;
  return {
    samples: samples.filter((_, i) => kept[i]),
    images: all ? images : images.slice(0, n * imageLength),
    masks: masks === null ? null : all ? masks : masks.slice(0, n * maskLength),
    size,
  };
}
