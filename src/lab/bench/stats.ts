/**
 * Small statistics helpers for benchmark timings.
 *
 * @module
 */

/**
 * Median of a list of numbers (mean of the middle two for an even count).
 *
 * @param values the numbers (at least one)
 * @returns the median
 * @example
 * ```ts
 * import { median } from "./stats.ts";
 * median([3, 1, 2]); // 2
 * median([4, 1, 2, 3]); // 2.5
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("Expected at least one value for the median but found none");
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Evenly spaced indices into `0..total-1`, at most `count` of them (all when total <= count).
 *
 * @param total number of items
 * @param count how many to pick
 * @returns increasing indices
 * @example
 * ```ts
 * import { evenSubsample } from "./stats.ts";
 * evenSubsample(10, 3); // Uint32Array [0, 3, 6]
 * ```
 */
export function evenSubsample(total: number, count: number): Uint32Array {
  const n = Math.min(total, Math.max(0, Math.floor(count)));
  return Uint32Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
}
