/**
 * From patch scores to pixel anomaly maps: each pixel gets the mean score of all
 * patches covering it (as the reference does), two maps are fused, and an image's
 * score is the maximum of its map.
 *
 * @module
 */

/**
 * Pixel anomaly map from a grid of patch scores: every pixel gets the MEAN of the
 * scores of all patches covering it; patch (i, j) covers rows i*stride .. i*stride+patchSize-1
 * and columns j*stride .. j*stride+patchSize-1. A pixel covered by no patch gets 0 (with the
 * reference settings, K=64 stride 16 and K=32 stride 4 on 256x256 images, every pixel is covered).
 *
 * O(pixels + patches): scores are scattered into a 2-D difference array (float64) and summed with
 * 2-D prefix sums; the coverage count is separable (rows x columns).
 *
 * @param scores patch scores, `gridH * gridW`, row-major
 * @param gridH number of patch rows
 * @param gridW number of patch columns
 * @param patchSize patch side K in pixels
 * @param stride distance between neighbouring patches in pixels
 * @param imageSize image side in pixels (square images)
 * @returns the `imageSize * imageSize` map, row-major
 * @throws {RangeError} when sizes disagree or the grid runs past the image
 * @example
 * ```ts
 * import { patchScoresToMap } from "./maps.ts";
 * // a 2x2 grid of 2x2 patches at stride 1 on a 3x3 image; the centre pixel is covered by all four
 * patchScoresToMap(new Float32Array([1, 2, 3, 4]), 2, 2, 2, 1, 3)[4]; // 2.5 (centre: all four)
 * ```
 */
export function patchScoresToMap(
  scores: Float32Array,
  gridH: number,
  gridW: number,
  patchSize: number,
  stride: number,
  imageSize: number,
): Float32Array {
  for (const [name, v] of [["gridH", gridH], ["gridW", gridW], ["patchSize", patchSize], ["stride", stride]] as const) {
    if (!(Number.isInteger(v) && v > 0)) {
      throw new RangeError(`Expected ${name} to be a positive integer but found ${v}`);
    }
  }
  if (scores.length !== gridH * gridW) {
    throw new RangeError(`Expected ${gridH} x ${gridW} = ${gridH * gridW} patch scores but found ${scores.length}`);
  }
  const extent = (Math.max(gridH, gridW) - 1) * stride + patchSize;
  if (extent > imageSize) {
    throw new RangeError(
      `Expected the patch grid (${gridH} x ${gridW}, K=${patchSize}, stride ${stride}) to fit a ${imageSize} px image but it spans ${extent} px`,
    );
  }
  const side = imageSize + 1;
  // Difference array: +s at the patch's top-left, -s right of it and below it, +s diagonally past it.
  const diff = new Float64Array(side * side);
  for (let i = 0; i < gridH; i++) {
    const y0 = i * stride, y1 = y0 + patchSize;
    for (let j = 0; j < gridW; j++) {
      const s = scores[i * gridW + j];
      const x0 = j * stride, x1 = x0 + patchSize;
      diff[y0 * side + x0] += s;
      diff[y0 * side + x1] -= s;
      diff[y1 * side + x0] -= s;
      diff[y1 * side + x1] += s;
    }
  }
  // Coverage along one axis: how many patch rows (columns) cover pixel row y (column x).
  const coverRows = coverage(gridH, patchSize, stride, imageSize);
  const coverCols = coverage(gridW, patchSize, stride, imageSize);
  const map = new Float32Array(imageSize * imageSize);
  const rowSum = new Float64Array(imageSize); // running column sums of the rows above, per x
  for (let y = 0; y < imageSize; y++) {
    let running = 0;
    for (let x = 0; x < imageSize; x++) {
      running += diff[y * side + x];
      rowSum[x] += running;
      const n = coverRows[y] * coverCols[x];
      map[y * imageSize + x] = n > 0 ? rowSum[x] / n : 0;
    }
  }
  return map;
}

/** Number of patches (of a 1-D grid) covering each pixel position. */
function coverage(gridSize: number, patchSize: number, stride: number, imageSize: number): Int32Array {
  const delta = new Int32Array(imageSize + 1);
  for (let i = 0; i < gridSize; i++) {
    delta[i * stride]++;
    delta[i * stride + patchSize]--;
  }
  const count = new Int32Array(imageSize);
  let running = 0;
  for (let p = 0; p < imageSize; p++) count[p] = running += delta[p];
  return count;
}

/** How two anomaly maps combine: the paper's product, or their sum. */
export type FusionMode = "mult" | "sum";

/**
 * Fuse two anomaly maps (e.g. K=64 and K=32) elementwise.
 *
 * @param a first map
 * @param b second map, same length
 * @param mode "mult" (the paper's method: a * b) or "sum" (a + b)
 * @returns the fused map
 * @example
 * ```ts
 * import { fuse } from "./maps.ts";
 * fuse(new Float32Array([1, 2]), new Float32Array([3, 4]), "mult"); // Float32Array [3, 8]
 * ```
 */
export function fuse(a: Float32Array, b: Float32Array, mode: FusionMode): Float32Array {
  if (a.length !== b.length) throw new RangeError(`Expected maps of equal size but found ${a.length} and ${b.length}`);
  const out = new Float32Array(a.length);
  if (mode === "mult") { for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i]; }
  else if (mode === "sum") { for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i]; }
  else throw new RangeError(`Expected fusion mode "mult" or "sum" but found "${mode}"`);
  return out;
}

/**
 * Image-level anomaly score: the maximum of the anomaly map.
 *
 * @param map an anomaly map (non-empty)
 * @returns its maximum
 * @example
 * ```ts
 * import { imageScore } from "./maps.ts";
 * imageScore(new Float32Array([0.1, 0.7, 0.3])); // 0.699999988079071 (float32 0.7)
 * ```
 */
export function imageScore(map: ArrayLike<number>): number {
  if (map.length === 0) throw new RangeError("Expected a non-empty anomaly map but found 0 pixels");
  let max = -Infinity;
  for (let i = 0; i < map.length; i++) if (map[i] > max) max = map[i];
  return max;
}
