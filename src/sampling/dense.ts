/**
 * Dense sampling (`--sampling dense`, a named deviation from the reference): a step encodes
 * a few crops fully convolutionally and draws all its pairs from the crops' embedding grids.
 *
 * f_small is convolutional with a net stride of 2 px, so a CxC crop gives a grid of
 * g = floor((C - 3) / 2) - 13 cells, and the KxK patch at cell (cy, cx) starts at pixel
 * (2cy, 2cx) of the crop; a hierarchical K-patch needs (K/2 - 16) more cells below and to the
 * right. The flat encoder (net stride 8) gets the same 2 px grid by evaluating its 4 phases per
 * axis (src/model/cell_embed.ts `denseGrid`); its last cells need 6 px more, whence its crop
 * of 2K + 6 px. Pairs follow the reference's distributions (section 4 of REFERENCE.md) rounded to
 * whole cells, with two differences: a pair is placed where both its patches lie inside the
 * crop (the displacement is drawn first, then the first patch among the positions that keep
 * the second inside), and SVDD' jitter is at least one cell (2 px; the reference's K=32 jitter is 1 px).
 * All functions are pure given the seeded {@linkcode Rng}.
 *
 * @module
 */

import type { Rng } from "../util/rng.ts";
import { POSITION_OFFSETS } from "./pairs.ts";

/** Pixel stride between neighbouring cells of f_small's dense grid. */
export const CELL_STRIDE = 2;

/** Crops per step in dense sampling when the config does not say. */
export const DEFAULT_DENSE_CROPS = 8;

/**
 * Side of f_small's dense grid on a square crop.
 *
 * @param cropSize crop side C in pixels (>= 32)
 * @returns g = floor((C - 3) / 2) - 13
 */
export function cellGridSize(cropSize: number): number {
  return Math.floor((cropSize - 3) / 2) - 13;
}

/** Phases per axis of the flat encoder's 2 px grid: its net stride 8 over the 2 px cell. */
const FLAT_PHASES = 4;

/**
 * The crop side for a model whose largest patch is K: 2K (room for an SSL pair, whose
 * patches are at most K - 1 px apart per axis; 2K + 6 for the flat encoder, whose phase
 * grid reaches 6 px less far), or the whole image when that is smaller.
 *
 * @param imageSize S
 * @param topPatchSize the largest K of the model
 * @param kind "hier" (f_small or a hierarchical level on top) or "flat"
 * @returns C
 */
export function denseCropSize(imageSize: number, topPatchSize: number, kind: "hier" | "flat" = "hier"): number {
  const extra = kind === "flat" ? (FLAT_PHASES - 1) * CELL_STRIDE : 0;
  return Math.min(imageSize, 2 * topPatchSize + extra);
}

/**
 * Top-left cells per axis at which a K-patch fits inside a crop, on the 2 px grid.
 *
 * @param kind "hier": f_small's grid, where a hierarchical K-patch needs K/2 - 16 cells more than a
 *   32 px one; "flat": the flat encoder's phase grid, FLAT_PHASES * (floor((C - 6 - K) / 8) + 1)
 * @param cropSize C
 * @param patchSize K
 * @returns the count (below 1: the patch does not fit)
 * @example
 * ```ts
 * import { patchPositions } from "./dense.ts";
 * import { equal } from "node:assert/strict";
 * equal(patchPositions("hier", 128, 64), 33); // 0, 2, ..., 64 px
 * equal(patchPositions("flat", 134, 64), 36); // 0, 2, ..., 70 px
 * ```
 */
export function patchPositions(kind: "hier" | "flat", cropSize: number, patchSize: number): number {
  if (kind === "hier") return cellGridSize(cropSize) - (patchSize / 2 - 16);
  const sub = cropSize - (FLAT_PHASES - 1) * CELL_STRIDE;
  return FLAT_PHASES * (Math.floor((sub - patchSize) / (FLAT_PHASES * CELL_STRIDE)) + 1);
}

/** Crop corners of one step. */
export interface CropBatch {
  /** Crop side C. */
  size: number;
  /** Image of each crop. */
  image: Int32Array;
  /** Top-left corners [y0, x0, y1, x1, ...]. */
  corners: Int32Array;
}

/**
 * Draw crops uniformly: an image, then a corner.
 *
 * @param count number of crops
 * @param numImages images to draw from
 * @param imageSize S
 * @param cropSize C (<= S)
 * @param rng seeded generator
 * @returns the crops
 */
export function sampleCrops(
  count: number,
  numImages: number,
  imageSize: number,
  cropSize: number,
  rng: Rng,
): CropBatch {
  const out: CropBatch = { size: cropSize, image: new Int32Array(count), corners: new Int32Array(2 * count) };
  for (let i = 0; i < count; i++) {
    out.image[i] = rng.int(numImages);
    out.corners[2 * i] = rng.int(imageSize - cropSize + 1);
    out.corners[2 * i + 1] = rng.int(imageSize - cropSize + 1);
  }
  return out;
}

/** Pairs of grid cells: crop, first and second cell as [cy, cx] pairs, and (SSL) the label. */
export interface CellPairs {
  /** Crop of each pair. */
  crop: Int32Array;
  /** First cells [cy0, cx0, cy1, cx1, ...]. */
  first: Int32Array;
  /** Second cells. */
  second: Int32Array;
  /** Relative position label 0..7 (SSL; zeros for SVDD' pairs). */
  label: Int32Array;
}

/**
 * The first cell of a pair with displacement d (cells) on one axis, both inside [0, maxCell],
 * or the reference's clipping when the displacement does not fit.
 */
function place(d: number, maxCell: number, rng: Rng): [number, number] {
  const lo = Math.max(0, -d), hi = Math.min(maxCell, maxCell - d);
  if (hi >= lo) {
    const a = lo + rng.int(hi - lo + 1);
    return [a, a + d];
  }
  const a = rng.int(maxCell + 1);
  return [a, Math.min(maxCell, Math.max(0, a + d))];
}

/**
 * Draw pairs of cells for one scale.
 *
 * @param kind "svdd-prime" (jitter of max(1, round(max(1, K/32) / 2)) cells, (0,0) excluded) or
 *   "ssl" (label uniform in 0..7, per axis direction * round((3K/4 + randint(0, K/4)) / 2) cells)
 * @param count number of pairs
 * @param numCrops crops to draw from (uniformly)
 * @param positions top-left cells per axis where a K-patch fits ({@linkcode patchPositions})
 * @param patchSize K of this scale (32 * 2^n)
 * @param rng seeded generator
 * @returns the pairs
 * @example
 * ```ts
 * import { patchPositions, sampleCellPairs } from "./dense.ts";
 * import { Rng } from "../util/rng.ts";
 * import { ok } from "node:assert/strict";
 * const p = sampleCellPairs("ssl", 4, 2, patchPositions("hier", 128, 64), 64, new Rng(0));
 * ok(p.first.every((c) => c >= 0 && c <= 32));
 * ```
 */
export function sampleCellPairs(
  kind: "svdd-prime" | "ssl",
  count: number,
  numCrops: number,
  positions: number,
  patchSize: number,
  rng: Rng,
): CellPairs {
  const maxCell = positions - 1;
  if (maxCell < 0) throw new RangeError(`A ${patchSize}px patch does not fit the crop (${positions} positions)`);
  const out: CellPairs = {
    crop: new Int32Array(count),
    first: new Int32Array(2 * count),
    second: new Int32Array(2 * count),
    label: new Int32Array(count),
  };
  const jitter = Math.max(1, Math.round(Math.max(1, Math.floor(patchSize / 32)) / CELL_STRIDE));
  const base = Math.floor((3 * patchSize) / 4), spread = Math.floor(patchSize / 4);
  for (let i = 0; i < count; i++) {
    out.crop[i] = rng.int(numCrops);
    let dy = 0, dx = 0;
    if (kind === "ssl") {
      const label = rng.int(8);
      const [dirY, dirX] = POSITION_OFFSETS[label];
      dy = dirY * Math.round((base + rng.int(spread)) / CELL_STRIDE);
      dx = dirX * Math.round((base + rng.int(spread)) / CELL_STRIDE);
      out.label[i] = label;
    } else {
      while (dy === 0 && dx === 0) {
        dy = rng.int(2 * jitter + 1) - jitter;
        dx = rng.int(2 * jitter + 1) - jitter;
      }
    }
    const [y1, y2] = place(dy, maxCell, rng);
    const [x1, x2] = place(dx, maxCell, rng);
    out.first.set([y1, x1], 2 * i);
    out.second.set([y2, x2], 2 * i);
  }
  return out;
}
