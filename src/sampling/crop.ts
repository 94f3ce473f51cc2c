/**
 * Cutting patches out of normalised HWC images into a batch array, with the SSL
 * colour-shift and noise perturbation (REFERENCE.md section 4).
 *
 * @module
 */

import type { Rng } from "../util/rng.ts";

/**
 * Copy KxK patches into one [B, K, K, 3] array.
 *
 * @param images N*S*S*3 normalised images, HWC
 * @param imageSize S
 * @param imageIndex image of each patch
 * @param corners [y0, x0, y1, x1, ...] top-left corners
 * @param patchSize K
 * @param out optional destination of length B*K*K*3
 * @returns the batch array
 */
export function cropPatches(
  images: Float32Array,
  imageSize: number,
  imageIndex: Int32Array,
  corners: Int32Array,
  patchSize: number,
  out = new Float32Array(imageIndex.length * patchSize * patchSize * 3),
): Float32Array {
  const rowLen = patchSize * 3;
  const imgLen = imageSize * imageSize * 3;
  for (let b = 0; b < imageIndex.length; b++) {
    const y0 = corners[2 * b], x0 = corners[2 * b + 1];
    if (y0 < 0 || x0 < 0 || y0 + patchSize > imageSize || x0 + patchSize > imageSize) {
      throw new RangeError(`Patch at (${y0}, ${x0}) of size ${patchSize} leaves the ${imageSize}px image`);
    }
    const base = imageIndex[b] * imgLen;
    for (let r = 0; r < patchSize; r++) {
      const src = base + ((y0 + r) * imageSize + x0) * 3;
      out.set(images.subarray(src, src + rowLen), (b * patchSize + r) * rowLen);
    }
  }
  return out;
}

/**
 * The SSL perturbation, in place: per patch a per-channel shift ~ N(0, std) and per
 * pixel noise ~ N(0, std).
 *
 * @param patches [B, K, K, 3] batch
 * @param patchSize K
 * @param std standard deviation (reference: 0.02)
 * @param rng seeded generator
 * @returns the same array
 */
export function perturbPatches(patches: Float32Array, patchSize: number, std: number, rng: Rng): Float32Array {
  const per = patchSize * patchSize * 3;
  for (let b = 0; b * per < patches.length; b++) {
    const s0 = rng.normal() * std, s1 = rng.normal() * std, s2 = rng.normal() * std;
    for (let i = b * per; i < (b + 1) * per; i += 3) {
      patches[i] += s0;
      patches[i + 1] += s1;
      patches[i + 2] += s2;
    }
    rng.addNormals(patches, b * per, per, std);
  }
  return patches;
}

/**
 * Split every KxK patch of a batch into its four quadrants, quadrant-major: the output
 * holds 4B patches of K/2 ordered (quadrant, patch) with quadrants top-left, top-right,
 * bottom-left, bottom-right (the order `encodeSplitPatches` expects). Applied d times it
 * gives 4^d * B patches of K / 2^d.
 *
 * @param patches [B, K, K, 3]
 * @param count B
 * @param patchSize K
 * @returns [4B, K/2, K/2, 3]
 */
export function splitQuadrants(patches: Float32Array, count: number, patchSize: number): Float32Array {
  const half = patchSize / 2;
  const out = new Float32Array(patches.length);
  const rowLen = half * 3;
  let o = 0;
  for (const [qy, qx] of [[0, 0], [0, half], [half, 0], [half, half]]) {
    for (let b = 0; b < count; b++) {
      for (let r = 0; r < half; r++) {
        const src = ((b * patchSize + qy + r) * patchSize + qx) * 3;
        out.set(patches.subarray(src, src + rowLen), o);
        o += rowLen;
      }
    }
  }
  return out;
}
