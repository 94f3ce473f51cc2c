/**
 * Connected components of a binary mask with 8-connectivity (as
 * `scipy.ndimage.label` with a 3x3 structure of ones, which MVTec AD's official
 * evaluation uses to find ground-truth defect regions).
 *
 * @module
 */

/** Labelled components of one mask. */
export interface Components {
  /** Per pixel: 0 background, 1..count the component (numbered in row-major order of first pixel). */
  labels: Int32Array;
  /** Number of components. */
  count: number;
  /** Pixel count of each component; index 0 unused (background). */
  sizes: Int32Array;
}

/**
 * Label the 8-connected components of the nonzero pixels of a row-major mask.
 *
 * @param mask row-major mask, nonzero = foreground
 * @param width mask width; height is `mask.length / width`
 * @returns labels, count and sizes
 * @example
 * ```ts
 * import { labelComponents } from "./components.ts";
 * labelComponents(new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3).count; // 1 (diagonal touches)
 * ```
 */
export function labelComponents(mask: ArrayLike<number>, width: number): Components {
  const height = mask.length / width;
  if (!Number.isInteger(height) || width <= 0) {
    throw new RangeError(`Expected mask length ${mask.length} to be a multiple of width ${width}`);
  }
  const labels = new Int32Array(mask.length);
  const sizes: number[] = [0];
  const stack = new Int32Array(mask.length);
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    const id = ++count;
    let size = 0, top = 0;
    labels[start] = id;
    stack[top++] = start;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const y = (p / width) | 0, x = p - y * width;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (mask[q] !== 0 && labels[q] === 0) {
            labels[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, count, sizes: Int32Array.from(sizes) };
}
