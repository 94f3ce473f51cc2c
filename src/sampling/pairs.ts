/**
 * Pair sampling, exactly as the reference (REFERENCE.md section 4).
 *
 * Coordinates are top-left corners `(y, x)` of KxK patches in an HxW image.
 * All functions are pure given the seeded {@linkcode Rng}.
 *
 * @module
 */

import type { Rng } from "../util/rng.ts";

/** Offsets (dy, dx) of the 8 relative positions, in the reference's label order. */
export const POSITION_OFFSETS: ReadonlyArray<readonly [number, number]> = [
  [-1, -1],
  [-1, 0],
  [-1, 1],
  [0, -1],
  [0, 1],
  [1, -1],
  [1, 0],
  [1, 1],
];

/** A batch of patch pairs: corners of the first and second patch, and (SSL only) the position label. */
export interface PairBatch {
  /** Patch side K. */
  patchSize: number;
  /** Image index of each pair. */
  image: Int32Array;
  /** Corners of the first patches, [y0, x0, y1, x1, ...]. */
  first: Int32Array;
  /** Corners of the second patches. */
  second: Int32Array;
  /** Relative position label 0..7 of the second patch (SSL pairs; zeros for SVDD' pairs). */
  label: Int32Array;
}

const clip = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * One SVDD' pair: p1 uniform; p2 = p1 + jitter in [-J, J]^2 with J = K/32, (0,0)
 * excluded, clipped to the image; redrawn until p2 != p1 after clipping.
 *
 * @param height image height H
 * @param width image width W
 * @param patchSize K
 * @param rng seeded generator
 * @returns [y1, x1, y2, x2]
 */
export function svddPrimePair(height: number, width: number, patchSize: number, rng: Rng): number[] {
  const y1 = rng.int(height - patchSize + 1);
  const x1 = rng.int(width - patchSize + 1);
  const jitter = Math.max(1, Math.floor(patchSize / 32));
  for (;;) {
    let dy = 0, dx = 0;
    while (dy === 0 && dx === 0) {
      dy = rng.int(2 * jitter + 1) - jitter;
      dx = rng.int(2 * jitter + 1) - jitter;
    }
    const y2 = clip(y1 + dy, 0, height - patchSize);
    const x2 = clip(x1 + dx, 0, width - patchSize);
    if (y2 !== y1 || x2 !== x1) return [y1, x1, y2, x2];
  }
}

/**
 * One SSL pair: p1 uniform, label y uniform in 0..7; p2 = p1 + direction(y) * (3K/4 +
 * randint(0, K/4)) per axis (independent draws), clipped to the image.
 *
 * @param height image height H
 * @param width image width W
 * @param patchSize K
 * @param rng seeded generator
 * @returns [y1, x1, y2, x2, label]
 */
export function sslPair(height: number, width: number, patchSize: number, rng: Rng): number[] {
  const y1 = rng.int(height - patchSize + 1);
  const x1 = rng.int(width - patchSize + 1);
  const label = rng.int(8);
  const [dirY, dirX] = POSITION_OFFSETS[label];
  const base = Math.floor((3 * patchSize) / 4);
  const spread = Math.floor(patchSize / 4);
  const dy = dirY * (base + rng.int(spread));
  const dx = dirX * (base + rng.int(spread));
  return [y1, x1, clip(y1 + dy, 0, height - patchSize), clip(x1 + dx, 0, width - patchSize), label];
}

/**
 * Draw a batch of pairs of one kind.
 *
 * @param kind "svdd-prime" or "ssl"
 * @param batchSize number of pairs
 * @param numImages images to draw from (uniformly)
 * @param imageSize image side
 * @param patchSize K
 * @param rng seeded generator
 * @returns the batch
 * @example
 * ```ts
 * import { samplePairs } from "./pairs.ts";
 * import { Rng } from "../util/rng.ts";
 * import { ok } from "node:assert/strict";
 * const batch = samplePairs("ssl", 4, 10, 256, 64, new Rng(0));
 * ok(batch.label.every((y) => y >= 0 && y < 8));
 * ```
 */
export function samplePairs(
  kind: "svdd-prime" | "ssl",
  batchSize: number,
  numImages: number,
  imageSize: number,
  patchSize: number,
  rng: Rng,
): PairBatch {
  const out: PairBatch = {
    patchSize,
    image: new Int32Array(batchSize),
    first: new Int32Array(2 * batchSize),
    second: new Int32Array(2 * batchSize),
    label: new Int32Array(batchSize),
  };
  for (let i = 0; i < batchSize; i++) {
    out.image[i] = rng.int(numImages);
    const p = kind === "ssl"
      ? sslPair(imageSize, imageSize, patchSize, rng)
      : svddPrimePair(imageSize, imageSize, patchSize, rng);
    out.first.set([p[0], p[1]], 2 * i);
    out.second.set([p[2], p[3]], 2 * i);
    if (kind === "ssl") out.label[i] = p[4];
  }
  return out;
}
