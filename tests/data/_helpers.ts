/**
 * Fixtures for the data tests: tiny images written with sharp into temporary
 * MVTec-style layouts, and an assertion for rejected promises.
 *
 * @module
 */

import sharp from "sharp";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";

export { assert };

/** Pixel generator: value of channel c at (x, y). */
export type PixelFn = (x: number, y: number, c: number) => number;

/** Options of {@linkcode writeImage}. */
export interface ImageSpec {
  width?: number;
  height?: number;
  /** 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). */
  channels?: 1 | 2 | 3 | 4;
  /** Pixel values; default a gradient. */
  pixel?: PixelFn;
  format?: "png" | "jpeg";
}

/** Raw pixels of a spec, HWC. */
export function rawPixels(spec: ImageSpec = {}): Uint8Array {
  const { width = 16, height = 16, channels = 3 } = spec;
  const pixel = spec.pixel ?? ((x, y, c) => (x * 13 + y * 7 + c * 50) % 256);
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = pixel(x, y, c);
    }
  }
  return out;
}

/** Write an image file (parent folders created). */
export async function writeImage(path: string, spec: ImageSpec = {}): Promise<void> {
  const { width = 16, height = 16, channels = 3, format = "png" } = spec;
  await Deno.mkdir(dirname(path), { recursive: true });
  let img = sharp(rawPixels(spec), { raw: { width, height, channels } });
  if (channels <= 2) img = img.toColourspace("b-w");
  await (format === "png" ? img.png() : img.jpeg({ quality: 95 })).toFile(path);
}

/** Write arbitrary bytes (parent folders created). */
export async function writeBytes(path: string, bytes: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  if (typeof bytes === "string") await Deno.writeTextFile(path, bytes);
  else await Deno.writeFile(path, bytes);
}

/** A mask pixel function: 255 inside the given rectangle [x0, x1) x [y0, y1). */
export function rectMask(x0: number, y0: number, x1: number, y1: number): PixelFn {
  return (x, y) => (x >= x0 && x < x1 && y >= y0 && y < y1 ? 255 : 0);
}

/** Description of a small category: file names per folder. */
export interface LayoutSpec {
  train?: string[];
  /** defect -> image names ("good" for normal). */
  test?: Record<string, string[]>;
  /** defect -> mask names; default `<stem>_mask.png` for every defect image. */
  masks?: Record<string, string[]>;
  image?: ImageSpec;
}

/**
 * Write a small MVTec-style category `root/category` with 16x16 images.
 *
 * @returns the category folder
 */
export async function makeLayout(root: string, category: string, spec: LayoutSpec = {}): Promise<string> {
  const dir = join(root, category);
  const train = spec.train ?? ["000.png", "001.png", "002.png"];
  const test = spec.test ?? { good: ["000.png", "001.png"], crack: ["000.png", "001.png"], blob: ["000.png"] };
  for (const name of train) await writeImage(join(dir, "train", "good", name), spec.image);
  for (const [defect, names] of Object.entries(test)) {
    for (const name of names) await writeImage(join(dir, "test", defect, name), spec.image);
  }
  const masks = spec.masks ??
    Object.fromEntries(
      Object.entries(test).filter(([d]) => d !== "good").map((
        [d, names],
      ) => [d, names.map((n) => n.replace(/\.[^.]+$/, "_mask.png"))]),
    );
  for (const [defect, names] of Object.entries(masks)) {
    for (const name of names) {
      await writeImage(join(dir, "ground_truth", defect, name), {
        width: spec.image?.width,
        height: spec.image?.height,
        channels: 1,
        pixel: rectMask(2, 2, 6, 6),
      });
    }
  }
  return dir;
}

/** Assert that a promise rejects with an instance of `errorClass` whose message contains every fragment. */
export async function assertRejectsWith(
  promise: Promise<unknown> | (() => Promise<unknown>),
  errorClass: new (...args: never[]) => Error,
  ...fragments: string[]
): Promise<Error> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (e) {
    assert.ok(e instanceof errorClass, `expected ${errorClass.name}, got ${e}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `expected "${f}" in: ${e.message}`);
    assert.ok(!e.message.includes("\n"), `expected a one-line message, got: ${e.message}`);
    return e;
  }
  throw new assert.AssertionError({ message: `expected a ${errorClass.name} rejection, but it resolved` });
}

/** Run `fn` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "patchsvdd-data-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
