/**
 * Differentiable embeddings of patches at cells of f_small's dense grid: what dense
 * sampling trains through. f_small's cell (cy, cx) is its own embedding; a hierarchical
 * level's K-patch at (cy, cx) is its head applied to the codes of its four quadrants,
 * at cells (cy, cx), (cy, cx + K/4), (cy + K/4, cx), (cy + K/4, cx + K/4) of the same grid
 * (K/2 px apart at 2 px per cell). Equal to {@linkcode encodePatches} on the cropped
 * patches (tests/model/cell_embed_test.ts).
 *
 * Gathering is split from the heads so that a step gathers all its rows in one `tf.gather`
 * (each gather's gradient scatters into, and copies, the whole grid).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { applyStack, type Encoder } from "./encoder.ts";
import { CELL_STRIDE } from "../sampling/dense.ts";

/**
 * The rows of f_small's flattened grid [numCrops * g * g, D] that a level needs for patches
 * at the given cells: one per patch for f_small; for a hierarchical level the rows of its
 * inner level for the 4P quadrants, ordered (quadrant, patch), recursively.
 *
 * @param encoder a small or hierarchical level (not flat)
 * @param gridSize g
 * @param crop crop of each patch
 * @param cells [cy0, cx0, cy1, cx1, ...] top-left cells
 * @returns P * 4^depth row indices
 */
export function cellRows(encoder: Encoder, gridSize: number, crop: Int32Array, cells: Int32Array): Int32Array {
  const p = crop.length;
  if (encoder.kind === "small") {
    const rows = new Int32Array(p);
    for (let i = 0; i < p; i++) rows[i] = (crop[i] * gridSize + cells[2 * i]) * gridSize + cells[2 * i + 1];
    return rows;
  }
  if (encoder.kind !== "hier") throw new RangeError(`Expected a small or hierarchical level but found ${encoder.kind}`);
  const o = encoder.patchSize / 2 / CELL_STRIDE;
  const crops = new Int32Array(4 * p), shifted = new Int32Array(8 * p);
  [[0, 0], [0, o], [o, 0], [o, o]].forEach(([dy, dx], q) => {
    crops.set(crop, q * p);
    for (let i = 0; i < p; i++) {
      shifted[2 * (q * p + i)] = cells[2 * i] + dy;
      shifted[2 * (q * p + i) + 1] = cells[2 * i + 1] + dx;
    }
  });
  return cellRows(encoder.inner!, gridSize, crops, shifted);
}

/**
 * A level's embeddings from the f_small codes {@linkcode cellRows} selected.
 *
 * @param encoder a small or hierarchical level
 * @param codes [P * 4^depth, D] in cellRows' order
 * @returns [P, D]
 */
export function embedFromCodes(encoder: Encoder, codes: tf.Tensor2D): tf.Tensor2D {
  if (encoder.kind !== "hier") return codes;
  const inner = embedFromCodes(encoder.inner!, codes); // [4P, D] ordered (quadrant, patch)
  const d = encoder.embeddingDim, p = inner.shape[0] / 4;
  const grid = tf.reshape(tf.transpose(tf.reshape(inner, [4, p, d]), [1, 0, 2]), [p, 2, 2, d]) as tf.Tensor4D;
  return tf.reshape(applyStack(encoder, grid), [p, d]);
}

/** One request to {@linkcode embedCellBatches}: a level and the cells of its patches. */
export interface CellRequest {
  /** The level (small or hierarchical). */
  level: Encoder;
  /** Crop of each patch. */
  crop: Int32Array;
  /** [cy0, cx0, ...] top-left cells. */
  cells: Int32Array;
}

/**
 * Embed several batches of patches from one grid with a single gather.
 *
 * @param grid f_small's dense grid [numCrops, g, g, D]
 * @param requests the batches
 * @returns one [P_i, D] per request
 */
export function embedCellBatches(grid: tf.Tensor4D, requests: CellRequest[]): tf.Tensor2D[] {
  const [, g, , d] = grid.shape;
  const rows = requests.map((r) => cellRows(r.level, g, r.crop, r.cells));
  const all = new Int32Array(rows.reduce((s, r) => s + r.length, 0));
  rows.reduce((off, r) => (all.set(r, off), off + r.length), 0);
  const codes = tf.gather(tf.reshape(grid, [-1, d]) as tf.Tensor2D, tf.tensor1d(all, "int32"));
  const parts = tf.split(codes, rows.map((r) => r.length), 0) as tf.Tensor2D[];
  return parts.map((c, i) => embedFromCodes(requests[i].level, c));
}

/**
 * Embed the patches of one level at the given cells.
 *
 * @param encoder a small or hierarchical level (not flat)
 * @param grid f_small's dense grid [numCrops, g, g, D]
 * @param crop crop of each patch
 * @param cells [cy0, cx0, cy1, cx1, ...] top-left cells
 * @returns [P, D]
 */
export function embedCells(encoder: Encoder, grid: tf.Tensor4D, crop: Int32Array, cells: Int32Array): tf.Tensor2D {
  return embedCellBatches(grid, [{ level: encoder, crop, cells }])[0];
}

/**
 * The innermost level of an encoder (f_small for the reference's hierarchy).
 *
 * @param encoder the top-level encoder
 * @returns the level whose dense grid {@linkcode embedCells} reads
 */
export function innermostLevel(encoder: Encoder): Encoder {
  let e = encoder;
  while (e.inner) e = e.inner;
  return e;
}
