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
    const shift = [rng.normal() * std, rng.normal() * std, rng.normal() * std];
    for (let i = b * per, c = 0; i < (b + 1) * per; i++, c = c === 2 ? 0 : c + 1) {
      patches[i] += shift[c] + rng.normal() * std;
    }
  }
  return patches;
}
