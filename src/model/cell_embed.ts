/**
 * Differentiable embeddings of patches at cells of a 2 px dense grid: what dense sampling
 * trains through. The grid is f_small's, or the flat encoder's assembled from its phases
 * ({@linkcode denseGrid}). A grid cell (cy, cx) is its own embedding; a hierarchical
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
import { applyLayers, applyStack, type Encoder } from "./encoder.ts";
import { CELL_STRIDE, patchPositions } from "../sampling/dense.ts";

/**
 * The 2 px dense grid of a pixel-level encoder on crops. f_small's net stride is 2, so that
 * is its output. The flat encoder's is 8 (strides 2, 2, 2, 1): its first layer keeps its
 * stride (the 2 px grid); every later stride-s layer runs at stride 1, which computes its
 * output at all s phases at once, and the phases are then moved to the batch (a reshape and
 * a transpose, no copy of overlapping slices) for the next layers. No value is computed twice.
 * The phases are interleaved back at the end: grid cell y = 4c + 2q2 + q1 (pixel 2y) for output
 * c of phase q1 of the second layer and q2 of the third. The crop is first cut (data, no
 * gradient) to the side that yields exactly {@linkcode patchPositions} cells.
 *
 * @param encoder f_small or the flat encoder
 * @param crops [n, C, C, 3]
 * @returns [n, g, g, D]
 */
export function denseGrid(encoder: Encoder, crops: tf.Tensor4D): tf.Tensor4D {
  if (encoder.kind !== "flat") return applyStack(encoder, crops);
  const [n, c, , ch] = crops.shape;
  const g = patchPositions("flat", c, encoder.patchSize);
  const [first, ...rest] = encoder.layers;
  const phase = rest.reduce((p, l) => p * l.stride, 1);
  // Input side for g cells, back through the layers: each later layer adds kernel - 1 and multiplies by its stride.
  let side = g / phase;
  for (const l of [...rest].reverse()) side = side * l.stride + l.kernel - 1;
  side = (side - 1) * first.stride + first.kernel;
  const dense = { ...encoder, layers: [first, ...rest.map((l) => ({ ...l, stride: 1 }))] };
  let h = applyLayers(dense, tf.slice(crops, [0, 0, 0, 0], [n, side, side, ch]), 0, 1);
  const strides: number[] = [];
  rest.forEach((l, i) => {
    h = applyLayers(dense, h, i + 1, i + 2);
    if (l.stride > 1) h = splitPhases(h, l.stride), strides.unshift(l.stride);
  });
  // h: [(q_m y, q_m x, ..., q_1 y, q_1 x, n), j, j, D] -> [n, (j, q_m y, ..., q_1 y), (j, q_m x, ..., q_1 x), D]
  const [, j, , d] = h.shape, m = 2 * strides.length;
  const shaped = tf.reshape(h, [...strides.flatMap((s) => [s, s]), n, j, j, d]);
  const ys = strides.map((_, k) => 2 * k), xs = ys.map((a) => a + 1);
  return tf.reshape(tf.transpose(shaped, [m, m + 1, ...ys, m + 2, ...xs, m + 3]), [n, g, g, d]);
}

/** Move the s x s phases of a stride-1 output (side divisible by s) to the batch, phase-major. */
function splitPhases(h: tf.Tensor4D, s: number): tf.Tensor4D {
  const [b, l, , ch] = h.shape, a = l / s;
  const phases = tf.transpose(tf.reshape(h, [b, a, s, a, s, ch]), [2, 4, 0, 1, 3, 5]);
  return tf.reshape(phases, [s * s * b, a, a, ch]);
}

/**
 * The rows of f_small's flattened grid [numCrops * g * g, D] that a level needs for patches
 * at the given cells: one per patch for f_small; for a hierarchical level the rows of its
 * inner level for the 4P quadrants, ordered (quadrant, patch), recursively.
 *
 * @param encoder a small, flat or hierarchical level
 * @param gridSize g
 * @param crop crop of each patch
 * @param cells [cy0, cx0, cy1, cx1, ...] top-left cells
 * @returns P * 4^depth row indices
 */
export function cellRows(encoder: Encoder, gridSize: number, crop: Int32Array, cells: Int32Array): Int32Array {
  const p = crop.length;
  if (encoder.kind !== "hier") {
    const rows = new Int32Array(p);
    for (let i = 0; i < p; i++) rows[i] = (crop[i] * gridSize + cells[2 * i]) * gridSize + cells[2 * i + 1];
    return rows;
  }
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
 * @param grid the innermost level's dense grid [numCrops, g, g, D] ({@linkcode denseGrid})
 * @param requests the batches
 * @returns one [P_i, D] per request
 */
export function embedCellBatches(grid: tf.Tensor4D, requests: CellRequest[]): tf.Tensor2D[] {
  const [, g, , d] = grid.shape;
  const rows = requests.map((r) => cellRows(r.level, g, r.crop, r.cells));
  const all = new Int32Array(rows.reduce((s, r) => s + r.length, 0));
  rows.reduce((off, r) => (all.set(r, off), off + r.length), 0);
  const codes = tf.gather(tf.reshape(grid, [-1, d]) as tf.Tensor2D, tf.tensor1d(all, "int32"));
  // A single-output split's gradient gets a lone tensor where concat wants a list: no split for one request.
  const parts = rows.length === 1 ? [codes] : tf.split(codes, rows.map((r) => r.length), 0) as tf.Tensor2D[];
  return parts.map((c, i) => embedFromCodes(requests[i].level, c));
}

/**
 * Embed the patches of one level at the given cells.
 *
 * @param encoder a small, flat or hierarchical level
 * @param grid the innermost level's dense grid [numCrops, g, g, D] ({@linkcode denseGrid})
 * @param crop crop of each patch
 * @param cells [cy0, cx0, cy1, cx1, ...] top-left cells
 * @returns [P, D]
 */
export function embedCells(encoder: Encoder, grid: tf.Tensor4D, crop: Int32Array, cells: Int32Array): tf.Tensor2D {
  return embedCellBatches(grid, [{ level: encoder, crop, cells }])[0];
}

/**
 * The innermost level of an encoder (f_small for the reference's hierarchy, the flat encoder itself).
 *
 * @param encoder the top-level encoder
 * @returns the level whose dense grid {@linkcode embedCells} reads
 */
export function innermostLevel(encoder: Encoder): Encoder {
  let e = encoder;
  while (e.inner) e = e.inner;
  return e;
}
