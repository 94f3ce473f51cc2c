/**
 * Pure raster helpers for anomaly-map overlays: a perceptual colour map, heatmap
 * blending, mask boundaries, and the three-panel overlay `eval` writes per test image
 * (image | heatmap over image | ground-truth contour over image).
 *
 * @module
 */

import sharp from "sharp";

// Anchor colours of a turbo-like map (dark blue -> cyan -> green -> yellow -> red).
const ANCHORS: [number, number, number][] = [
  [48, 18, 59],
  [40, 120, 230],
  [30, 200, 190],
  [120, 240, 80],
  [240, 200, 40],
  [240, 90, 20],
  [122, 4, 3],
];

/**
 * Colour of a value on the heat scale.
 *
 * @param t value in [0, 1] (clamped)
 * @returns [r, g, b] in 0..255
 */
export function heatColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (ANCHORS.length - 1);
  const i = Math.min(ANCHORS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [ANCHORS[i], ANCHORS[i + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

/**
 * Pixels on the boundary of a binary mask (a mask pixel with a 4-neighbour outside the mask).
 *
 * @param mask S*S, nonzero = inside
 * @param size S
 * @returns S*S, 1 on the boundary
 */
export function maskBoundary(mask: ArrayLike<number>, size: number): Uint8Array {
  const out = new Uint8Array(size * size);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      if (!mask[i]) continue;
      if (
        y === 0 || x === 0 || y === size - 1 || x === size - 1 || !mask[i - 1] || !mask[i + 1] ||
        !mask[i - size] || !mask[i + size]
      ) out[i] = 1;
    }
  }
  return out;
}

/**
 * The overlay panels of one test image, as raw RGB.
 *
 * @param image S*S*3 RGB, 0..255
 * @param map S*S anomaly map
 * @param mask S*S ground truth (or null for none)
 * @param size S
 * @param range [lo, hi] of map values mapped to the colour scale
 * @param alpha heatmap opacity over the image
 * @returns raw RGB of width 3S and height S
 */
export function overlayPanels(
  image: ArrayLike<number>,
  map: ArrayLike<number>,
  mask: ArrayLike<number> | null,
  size: number,
  range: [number, number],
  alpha = 0.5,
): Uint8Array {
  const out = new Uint8Array(size * size * 9);
  const boundary = mask ? maskBoundary(mask, size) : null;
  const span = range[1] - range[0] || 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const rgb = [image[3 * i], image[3 * i + 1], image[3 * i + 2]];
      const heat = heatColor((map[i] - range[0]) / span);
      const row = y * size * 9;
      for (let c = 0; c < 3; c++) {
        out[row + 3 * x + c] = rgb[c];
        out[row + 3 * (size + x) + c] = Math.round((1 - alpha) * rgb[c] + alpha * heat[c]);
        out[row + 3 * (2 * size + x) + c] = boundary?.[i] ? [0, 255, 0][c] : rgb[c];
      }
    }
  }
  return out;
}

/**
 * Write the overlay panels of one test image as a PNG.
 *
 * @param path destination `.png`
 * @param image S*S*3 RGB, 0..255
 * @param map S*S anomaly map
 * @param mask S*S ground truth or null
 * @param size S
 * @param range colour-scale range of the map
 */
export async function writeOverlayPng(
  path: string,
  image: ArrayLike<number>,
  map: ArrayLike<number>,
  mask: ArrayLike<number> | null,
  size: number,
  range: [number, number],
): Promise<void> {
  const raw = overlayPanels(image, map, mask, size, range);
  await sharp(raw, { raw: { width: 3 * size, height: size, channels: 3 } }).png().toFile(path);
}
