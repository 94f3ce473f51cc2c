/**
 * Dense (fully convolutional) embedding: every patch of a whole image in one pass.
 *
 * `f_small` has no padding and network stride 2, so running it on a whole image yields
 * exactly the embedding of every 32x32 patch whose corner lies on the stride-2 grid;
 * running its last (stride-1) layer with stride s/2 yields exactly the stride-s grid,
 * for less work. A hierarchical level's 2x2 head reads its four quadrant codes at
 * offsets of K/2 pixels from the level below, so it is evaluated only where needed: the
 * four quadrant maps are gathered from the inner level's grid and multiplied by the
 * head's weights as one 1x1 conv (REFERENCE.md section 2, last point).
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

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Grids already computed for the current images, keyed by level and stride. */
export type GridCache = Map<string, tf.Tensor4D>;

/**
 * Gather, for every output position, the four quadrant codes of a hierarchical level
 * from the inner level's grid (pure; exported for tests).
 *
 * @param inner inner grid values [N, m, m, D]
 * @param shape [N, m, m, D]
 * @param offset quadrant offset in inner-grid cells (K/2 / inner stride)
 * @param step output step in inner-grid cells (stride / inner stride)
 * @param n output grid side
 * @returns [N, n, n, 4D]: codes of quadrants (0,0), (0,1), (1,0), (1,1), the 2x2 kernel's (kh, kw) order
 */
export function gatherQuadrants(
  inner: Float32Array,
  shape: [number, number, number, number],
  offset: number,
  step: number,
  n: number,
): Float32Array {
  const [numImages, m, , d] = shape;
  const out = new Float32Array(numImages * n * n * 4 * d);
  let o = 0;
  for (let i = 0; i < numImages; i++) {
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        for (const [a, b] of [[0, 0], [0, offset], [offset, 0], [offset, offset]]) {
          const src = ((i * m + y * step + a) * m + x * step + b) * d;
          out.set(inner.subarray(src, src + d), o);
          o += d;
        }
      }
    }
  }
  return out;
}

/** Backends whose tensors live in host memory: the quadrant gather runs there (tfjs' strided slice is slow on them). */
const HOST_BACKENDS = new Set(["native", "cpu", "wasm"]);

/**
 * {@linkcode gatherQuadrants} with tfjs ops, for backends whose tensors live on a device
 * (webgpu, tensorflow): four strided slices concatenated on the channel axis.
 *
 * @param inner inner grid [N, m, m, D]
 * @param offset quadrant offset in inner-grid cells
 * @param step output step in inner-grid cells
 * @param n output grid side
 * @returns [N, n, n, 4D] in the same (kh, kw, in) order as {@linkcode gatherQuadrants}
 */
export function gatherQuadrantsOnDevice(inner: tf.Tensor4D, offset: number, step: number, n: number): tf.Tensor4D {
  return tf.tidy(() => {
    const numImages = inner.shape[0], d = inner.shape[3];
    const span = (n - 1) * step + 1;
    const parts = [[0, 0], [0, offset], [offset, 0], [offset, offset]].map(([a, b]) =>
      tf.stridedSlice(inner, [0, a, b, 0], [numImages, a + span, b + span, d], [1, step, step, 1]) as tf.Tensor4D
    );
    return tf.concat(parts, 3);
  });
}

/**
 * Embeddings of the patches of one level on a regular grid with the given pixel stride.
 * Forward only (no gradients); tensors are cached in `cache` and owned by the caller.
 *
 * @param encoder the level
 * @param images [N, S, S, 3]
 * @param stride pixel stride, a multiple of {@linkcode denseStride}
 * @param cache grids of this and inner levels, shared between calls on the same images
 * @returns [N, n, n, D] with n = gridSize(S, K, stride)
 */
export function embedGrid(
  encoder: Encoder,
  images: tf.Tensor4D,
  stride: number,
  cache: GridCache = new Map(),
): tf.Tensor4D {
  const key = `${encoder.prefix}@${stride}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const [numImages, size] = images.shape;
  const net = denseStride(encoder.kind === "hier" ? encoder.inner! : encoder);
  if (stride % net !== 0) throw new RangeError(`Expected a stride that is a multiple of ${net} but found ${stride}`);
  const n = gridSize(size, encoder.patchSize, stride);
  let out: tf.Tensor4D;
  if (encoder.kind !== "hier") {
    // All layers at their own stride, the last (stride 1) at stride/net: exactly the requested grid.
    out = tf.tidy(() => {
      let h = images;
      encoder.layers.forEach((layer, i) => {
        const last = i === encoder.layers.length - 1;
        h = applyConv(encoder, last ? { ...layer, stride: stride / net } : layer, h, 1, true);
      });
      return h;
    });
  } else {
    const half = encoder.patchSize / 2;
    // Reuse an inner grid whose stride divides both the stride and the quadrant offset, else make one.
    const innerPrefix = `${encoder.inner!.prefix}@`;
    const reusable = [...cache.keys()]
      .filter((k) => k.startsWith(innerPrefix) && !k.slice(innerPrefix.length).includes("@"))
      .map((k) => Number(k.slice(innerPrefix.length)))
      .filter((s) => stride % s === 0 && half % s === 0)
      .sort((a, b) => b - a);
    const innerStride = reusable[0] ?? gcd(stride, half);
    const inner = embedGrid(encoder.inner!, images, innerStride, cache);
    const d = encoder.embeddingDim;
    const [offset, step] = [half / innerStride, stride / innerStride];
    const [head, proj] = encoder.layers;
    out = tf.tidy(() => {
      const x = HOST_BACKENDS.has(tf.getBackend())
        ? tf.tensor4d(
          gatherQuadrants(inner.dataSync() as Float32Array, inner.shape, offset, step, n),
          [numImages, n, n, 4 * d],
        )
        : gatherQuadrantsOnDevice(inner, offset, step, n);
      const w = encoder.params.get(`${head.name}.weight`)!;
      const b = encoder.params.get(`${head.name}.bias`)!;
      const w1x1 = tf.reshape(w, [1, 1, 4 * d, head.outChannels]) as tf.Tensor4D; // rows ordered (kh, kw, in)
      const h = tf.fused.conv2d({
        x,
        filter: w1x1,
        strides: 1,
        pad: "valid",
        bias: b,
        activation: "leakyrelu",
        leakyreluAlpha: LEAKY_SLOPE,
      });
      return applyConv(encoder, proj, h, 1, true);
    });
  }
  cache.set(key, out);
  return out;
}

/**
 * Embeddings of every level of an encoder at per-level strides, sharing inner grids.
 * Forward only. The returned tensors are the caller's to dispose (intermediate grids
 * are disposed here).
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
 * import { strictEqual } from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const enc = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 8 }, 0);
 * const images = tf.zeros([1, 64, 64, 3]) as tf.Tensor4D;
 * const maps = embedLevels(enc, images, (k) => (k === 64 ? 16 : 4));
 * strictEqual(maps.get(32)!.shape[1], 9);
 * strictEqual(maps.get(64)!.shape[1], 1);
 * tf.dispose([images, ...maps.values()]);
 * ```
 */
export function embedLevels(
  encoder: Encoder,
  images: tf.Tensor4D,
  strideFor: (patchSize: number) => number,
): Map<number, tf.Tensor4D> {
  const cache: GridCache = new Map();
  const out = new Map<number, tf.Tensor4D>();
  // Innermost first, so outer levels reuse the inner grids.
  for (const level of encoderLevels(encoder).reverse()) {
    out.set(level.patchSize, embedGrid(level, images, strideFor(level.patchSize), cache));
  }
  const kept = new Set(out.values());
  for (const t of cache.values()) if (!kept.has(t)) t.dispose();
  return out;
}
