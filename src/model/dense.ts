/**
 * Dense (fully convolutional) embedding: every patch of a whole image in one pass.
 *
 * `f_small` has no padding and network stride 2, so running it on a whole image yields
 * exactly the embedding of every 32x32 patch whose corner lies on the stride-2 grid. A
 * hierarchical level's 2x2 head then reads its four quadrant codes from that map at
 * offsets of K/2 pixels (K/4 map cells): a 2x2 conv with dilation K/4. For a coarse
 * output stride we evaluate the head only where it is needed, by gathering the four
 * quadrant maps with strided slices (REFERENCE.md section 2, last point).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { applyConv, type Encoder, encoderLevels, LEAKY_SLOPE } from "./encoder.ts";

/**
 * Network stride of an encoder's dense map, in pixels.
 *
 * @param encoder any level
 * @returns 2 for f_small and hierarchical levels, 8 for the flat encoder
 */
export function denseStride(encoder: Encoder): number {
  return encoder.kind === "flat" ? 8 : 2;
}

/**
 * Number of patch positions along one axis.
 *
 * @param imageSize image side S
 * @param patchSize patch side K
 * @param stride step between patches
 * @returns floor((S - K) / stride) + 1
 */
export function gridSize(imageSize: number, patchSize: number, stride: number): number {
  return Math.floor((imageSize - patchSize) / stride) + 1;
}

function stack(encoder: Encoder, x: tf.Tensor4D): tf.Tensor4D {
  let h = x;
  for (const layer of encoder.layers) h = applyConv(encoder, layer, h);
  return h;
}

/**
 * The dense map of one level: the embedding of every patch at the network stride.
 *
 * @param encoder the level to evaluate
 * @param images [N, S, S, 3] normalised images
 * @param cache maps already computed for inner levels (filled as a side effect)
 * @returns [N, G, G, D] with G = gridSize(S, K, denseStride)
 */
export function denseMap(encoder: Encoder, images: tf.Tensor4D, cache = new Map<Encoder, tf.Tensor4D>()): tf.Tensor4D {
  const hit = cache.get(encoder);
  if (hit) return hit;
  let out: tf.Tensor4D;
  if (encoder.kind !== "hier") {
    out = stack(encoder, images);
  } else {
    const inner = denseMap(encoder.inner!, images, cache);
    const dilation = encoder.patchSize / 2 / denseStride(encoder.inner!);
    const [head, proj] = encoder.layers;
    out = applyConv(encoder, proj, applyConv(encoder, head, inner, dilation));
  }
  cache.set(encoder, out);
  return out;
}

/**
 * Embeddings of the patches of one level on a regular grid with the given pixel stride.
 *
 * @param encoder the level
 * @param images [N, S, S, 3]
 * @param stride pixel stride, a multiple of {@linkcode denseStride}
 * @param cache dense maps of inner levels, shared between calls on the same images
 * @returns [N, n, n, D] with n = gridSize(S, K, stride)
 */
export function embedGrid(
  encoder: Encoder,
  images: tf.Tensor4D,
  stride: number,
  cache = new Map<Encoder, tf.Tensor4D>(),
): tf.Tensor4D {
  const [numImages, size] = images.shape;
  const n = gridSize(size, encoder.patchSize, stride);
  const d = encoder.embeddingDim;
  if (encoder.kind !== "hier" || cache.has(encoder)) {
    const net = denseStride(encoder);
    if (stride % net !== 0) throw new RangeError(`Expected a stride that is a multiple of ${net} but found ${stride}`);
    const s = stride / net;
    const map = denseMap(encoder, images, cache);
    return tf.stridedSlice(map, [0, 0, 0, 0], [numImages, (n - 1) * s + 1, (n - 1) * s + 1, d], [
      1,
      s,
      s,
      1,
    ]) as tf.Tensor4D;
  }
  // Hierarchical level: evaluate the 2x2 head only at the requested positions.
  const inner = denseMap(encoder.inner!, images, cache);
  const net = denseStride(encoder.inner!);
  if (stride % net !== 0) throw new RangeError(`Expected a stride that is a multiple of ${net} but found ${stride}`);
  const s = stride / net;
  const q = encoder.patchSize / 2 / net; // quadrant offset in map cells
  // [N, n, n, D] codes of the quadrants (0,0), (0,1), (1,0), (1,1): the 2x2 kernel's (kh, kw) order.
  const quads = [
    [0, 0],
    [0, q],
    [q, 0],
    [q, q],
  ].map(([a, b]) =>
    tf.stridedSlice(inner, [0, a, b, 0], [numImages, a + (n - 1) * s + 1, b + (n - 1) * s + 1, d], [1, s, s, 1])
  );
  const gathered = tf.concat(quads, 3) as tf.Tensor4D; // [N, n, n, 4D]
  const [head, proj] = encoder.layers;
  const w = encoder.params.get(`${head.name}.weight`)!;
  const b = encoder.params.get(`${head.name}.bias`)!;
  const w1x1 = tf.reshape(w, [1, 1, 4 * d, head.outChannels]) as tf.Tensor4D; // rows ordered (kh, kw, in)
  const h = tf.leakyRelu(tf.add(tf.conv2d(gathered, w1x1, 1, "valid"), b), LEAKY_SLOPE) as tf.Tensor4D;
  return applyConv(encoder, proj, h);
}

/**
 * Embeddings of every level of an encoder at per-level strides, sharing the inner dense maps.
 *
 * @param encoder the top-level encoder
 * @param images [N, S, S, 3] normalised images
 * @param strideFor pixel stride for a level of patch size K
 * @returns a map from K to [N, n_K, n_K, D]
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { createEncoder } from "./encoder.ts";
 * import { embedLevels } from "./dense.ts";
 * await tf.setBackend("cpu");
 * const enc = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 8 }, 0);
 * const images = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
 * const maps = embedLevels(enc, images, (k) => (k === 64 ? 16 : 4));
 * console.assert(maps.get(32)!.shape[1] === 9 && maps.get(64)!.shape[1] === 1);
 * tf.dispose([images, ...maps.values()]);
 * ```
 */
export function embedLevels(
  encoder: Encoder,
  images: tf.Tensor4D,
  strideFor: (patchSize: number) => number,
): Map<number, tf.Tensor4D> {
  const cache = new Map<Encoder, tf.Tensor4D>();
  const out = new Map<number, tf.Tensor4D>();
  // Innermost first, so outer levels reuse the inner dense maps.
  for (const level of encoderLevels(encoder).reverse()) {
    out.set(level.patchSize, embedGrid(level, images, strideFor(level.patchSize), cache));
  }
  return out;
}
