/**
 * Variants of an MVTec-layout category for robustness checks: grayscale copies, copies rotated
 * by a random angle per image (masks with their image), or shifted. They stand in for the kinds
 * of data a researcher may bring and the kit has never seen (MVTec screw: grayscale objects at
 * random angles on a flat background). Pure file-to-file work with `sharp`; nothing is trained.
 *
 * @module
 */

import sharp from "sharp";
import { dirname, join, relative } from "node:path";
import { indexCategory } from "./mvtec_index.ts";
import { Rng } from "../util/rng.ts";

/** What to change in every image of the variant. */
export interface VariantOptions {
  /** Convert to one-channel grayscale (written as 1-channel PNG). Default false. */
  gray?: boolean;
  /** Rotate each image by a uniform random angle in [0, 360) degrees, masks likewise. Default false. */
  rotate?: boolean;
  /** Shift each image by up to this fraction of its side on each axis (uniform), masks likewise. Default 0. */
  shift?: number;
  /**
   * Shrink each image by this factor (0 < scale <= 1) and place it at a uniform random position of a
   * flat background of its border colour (masks likewise): small objects anywhere on a flat surface,
   * as in MVTec screw. Default 1 (unchanged).
   */
  scale?: number;
  /** Add Gaussian pixel noise of this std, in grey levels, to every image (not masks), seeded. Default 0. */
  noise?: number;
  /** Seed of the per-image angles and shifts. Default 0. */
  seed?: number;
}

/** What {@linkcode makeVariant} wrote. */
export interface VariantSummary {
  /** Images written (train and test). */
  images: number;
  /** Masks written. */
  masks: number;
}

/**
 * Write a variant of `root/category` to `outRoot/name` in the MVTec layout. The uncovered corners
 * of a rotated or shifted image are filled with the mean colour of its border (a flat background
 * stays flat), those of a mask with 0.
 *
 * @param root dataset root holding `category`
 * @param category source category
 * @param outRoot dataset root to write into (created)
 * @param name category name of the variant
 * @param opts what to change
 * @returns counts
 *
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs the MVTec AD data and writes a copy of a category
 * import { makeVariant } from "./variant.ts";
 * await makeVariant("../shared/data/mvtec_ad", "transistor", "runs/variants", "transistor_gray_rot", {
 *   gray: true,
 *   rotate: true,
 * });
 * ```
 */
export async function makeVariant(
  root: string,
  category: string,
  outRoot: string,
  name: string,
  opts: VariantOptions = {},
): Promise<VariantSummary> {
  const index = await indexCategory(root, category, { requireMasks: false });
  const rng = new Rng((opts.seed ?? 0) ^ 0x7a11);
  const srcDir = join(root, category);
  const dstDir = join(outRoot, name);
  let images = 0, masks = 0;
  for (const sample of [...index.train, ...index.test]) {
    const angle = opts.rotate ? rng.next() * 360 : 0;
    const shift = opts.shift ?? 0;
    const dx = (rng.next() * 2 - 1) * shift, dy = (rng.next() * 2 - 1) * shift;
    const scale = opts.scale ?? 1;
    const px = rng.next(), py = rng.next(), noiseSeed = rng.int(2 ** 30);
    const move = { angle, dx, dy, gray: opts.gray ?? false, scale, px, py, noise: opts.noise ?? 0, noiseSeed };
    await transformFile(sample.path, join(dstDir, relative(srcDir, sample.path)), move, false);
    images++;
    if (sample.maskPath) {
      await transformFile(sample.maskPath, join(dstDir, relative(srcDir, sample.maskPath)), move, true);
      masks++;
    }
  }
  return { images, masks };
}

/** Rotate by `angle` degrees about the centre, shift by (dx, dy) of the side, keep the size. */
async function transformFile(
  src: string,
  dst: string,
  move: {
    angle: number;
    dx: number;
    dy: number;
    gray: boolean;
    scale: number;
    px: number;
    py: number;
    noise: number;
    noiseSeed: number;
  },
  isMask: boolean,
): Promise<void> {
  const { data, info } = await sharp(src).removeAlpha().toColourspace("srgb").raw().toBuffer({
    resolveWithObject: true,
  }); // 3 channels whatever the file
  const { width, height, channels } = info;
  const fill = isMask ? [0, 0, 0] : borderMean(data, width, height, channels);
  const background = { r: fill[0], g: fill[1 % fill.length], b: fill[2 % fill.length], alpha: 1 };
  let image = sharp(data, { raw: { width, height, channels } });
  if (move.angle !== 0) {
    const rotated = await image.rotate(move.angle, { background }).raw().toBuffer({ resolveWithObject: true });
    const left = Math.round((rotated.info.width - width) / 2), top = Math.round((rotated.info.height - height) / 2);
    image = sharp(rotated.data, { raw: rotated.info }).extract({ left, top, width, height });
  }
  if (move.dx !== 0 || move.dy !== 0) {
    const ox = Math.round(move.dx * width), oy = Math.round(move.dy * height);
    const buf = await image.raw().toBuffer({ resolveWithObject: true });
    const pad = Math.max(Math.abs(ox), Math.abs(oy));
    image = sharp(buf.data, { raw: buf.info })
      .extend({ top: pad, bottom: pad, left: pad, right: pad, background })
      .extract({ left: pad - ox, top: pad - oy, width, height });
  }
  if (move.scale < 1) {
    const w = Math.max(1, Math.round(width * move.scale)), h = Math.max(1, Math.round(height * move.scale));
    const small = await image.resize(w, h, { kernel: isMask ? "nearest" : "cubic" }).raw().toBuffer();
    image = sharp({ create: { width, height, channels: channels as 3, background } }).composite([{
      input: small,
      raw: { width: w, height: h, channels: channels as 3 },
      left: Math.round(move.px * (width - w)),
      top: Math.round(move.py * (height - h)),
    }]);
  }
  if (move.noise > 0 && !isMask) {
    const buf = await image.raw().toBuffer({ resolveWithObject: true });
    const rng = new Rng(move.noiseSeed);
    const out = new Uint8Array(buf.data);
    for (let i = 0; i < out.length; i++) {
      out[i] = Math.max(0, Math.min(255, Math.round(out[i] + rng.normal() * move.noise)));
    }
    image = sharp(out, { raw: buf.info });
  }
  if (isMask) image = sharp(await image.png().toBuffer()).threshold(128);
  if (move.gray || isMask) image = sharp(await image.png().toBuffer()).toColourspace("b-w");
  await Deno.mkdir(dirname(dst), { recursive: true });
  await image.removeAlpha().png().toFile(dst);
}

/** Mean colour of the outermost pixels, per channel. */
function borderMean(data: Uint8Array, width: number, height: number, channels: number): number[] {
  const sum = new Array(channels).fill(0);
  let n = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y !== 0 && y !== height - 1 && x !== 0 && x !== width - 1) continue;
      for (let c = 0; c < channels; c++) sum[c] += data[(y * width + x) * channels + c];
      n++;
    }
  }
  return sum.map((s) => Math.round(s / n));
}
