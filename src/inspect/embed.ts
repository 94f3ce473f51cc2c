/**
 * Embedding whole image sets for inspection: every patch of every level on its grid,
 * through the dense (fully convolutional) path, in small batches so memory stays flat.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { embedLevels, gridSize } from "../model/dense.ts";
import { type Encoder, encoderLevels } from "../model/encoder.ts";

/** All patch embeddings of one level over an image set. */
export interface LevelEmbeddings {
  /** Patch size K. */
  patchSize: number;
  /** Pixel stride of the grid. */
  stride: number;
  /** Grid side n (n x n patches per image). */
  grid: number;
  /** Embedding dimension D. */
  dim: number;
  /** [N, n, n, D] row-major. */
  data: Float32Array;
}

/**
 * Embed normalised images at every level of the encoder.
 *
 * @param encoder top-level encoder
 * @param images N*S*S*3 normalised images
 * @param count N
 * @param size S
 * @param strideFor pixel stride of a level of patch size K
 * @param batchSize images per forward pass
 * @param onProgress called with (images done, N)
 * @returns per-level embeddings, keyed by K
 */
export async function embedImageSet(
  encoder: Encoder,
  images: Float32Array,
  count: number,
  size: number,
  strideFor: (patchSize: number) => number,
  batchSize = 4,
  onProgress?: (done: number, total: number) => void,
): Promise<Map<number, LevelEmbeddings>> {
  const out = new Map<number, LevelEmbeddings>();
  for (const level of encoderLevels(encoder)) {
    const k = level.patchSize, stride = strideFor(k);
    const grid = gridSize(size, k, stride);
    out.set(k, {
      patchSize: k,
      stride,
      grid,
      dim: level.embeddingDim,
      data: new Float32Array(count * grid * grid * level.embeddingDim),
    });
  }
  const perImage = size * size * 3;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const maps = tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(start * perImage, (start + n) * perImage), [n, size, size, 3]);
      // tf.tidy keeps tensors inside plain objects (not Maps)
      return Object.fromEntries(embedLevels(encoder, x, strideFor)) as Record<string, tf.Tensor4D>;
    });
    for (const [k, t] of Object.entries(maps)) {
      const e = out.get(Number(k))!;
      e.data.set(await t.data() as Float32Array, start * e.grid * e.grid * e.dim);
      t.dispose();
    }
    onProgress?.(start + n, count);
  }
  return out;
}
