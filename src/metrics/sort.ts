/**
 * Fast ascending sorts for score arrays: an LSD radix sort for float32 (three
 * 11-bit passes, about 4x faster than `Float32Array.prototype.sort` on millions
 * of pixels) and an argsort that carries the original indices along.
 *
 * @module
 */

/** Scores in the two typed-array precisions the metrics accept. */
export type ScoreArray = Float32Array | Float64Array;

/**
 * Map float32 bit patterns to unsigned keys whose integer order is the float order
 * (negative floats: flip all bits; positive: flip the sign bit).
 */
function floatKeys(values: Float32Array): Uint32Array {
  const n = values.length;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  const keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    keys[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
  }
  return keys;
}

/** Inverse of {@linkcode floatKeys}, in place; returns the same buffer viewed as float32. */
function keysToFloats(keys: Uint32Array): Float32Array {
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    keys[i] = k & 0x80000000 ? (k ^ 0x80000000) >>> 0 : ~k >>> 0;
  }
  return new Float32Array(keys.buffer, keys.byteOffset, keys.length);
}

/** Exclusive prefix sums of the three digit histograms (11, 11 and 10 bits). */
function digitOffsets(keys: Uint32Array): [Uint32Array, Uint32Array, Uint32Array] {
  const c0 = new Uint32Array(2048), c1 = new Uint32Array(2048), c2 = new Uint32Array(1024);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    c0[k & 2047]++;
    c1[(k >>> 11) & 2047]++;
    c2[k >>> 22]++;
  }
  for (const c of [c0, c1, c2]) {
    let sum = 0;
    for (let i = 0; i < c.length; i++) {
      const v = c[i];
      c[i] = sum;
      sum += v;
    }
  }
  return [c0, c1, c2];
}

/**
 * Throw a RangeError naming the first NaN, if any.
 *
 * @param values the values to check
 * @param what what they are, for the message
 */
export function assertNoNaN(values: ArrayLike<number>, what = "scores"): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new RangeError(`Expected ${what} without NaN but found NaN at index ${i}`);
  }
}

/**
 * Sorted ascending copy of float32 values (radix sort; -0 sorts before +0).
 *
 * @param values the values to sort; left unchanged; must not contain NaN
 * @returns a new ascending Float32Array
 * @example
 * ```ts
 * import { sortFloat32 } from "./sort.ts";
 * sortFloat32(new Float32Array([3, -1, 2])); // Float32Array [-1, 2, 3]
 * ```
 */
export function sortFloat32(values: Float32Array): Float32Array {
  const n = values.length;
  let keys = floatKeys(values);
  let tmp: Uint32Array = new Uint32Array(n);
  const [c0, c1, c2] = digitOffsets(keys);
  for (let i = 0; i < n; i++) tmp[c0[keys[i] & 2047]++] = keys[i];
  [keys, tmp] = [tmp, keys];
  for (let i = 0; i < n; i++) tmp[c1[(keys[i] >>> 11) & 2047]++] = keys[i];
  [keys, tmp] = [tmp, keys];
  for (let i = 0; i < n; i++) tmp[c2[keys[i] >>> 22]++] = keys[i];
  return keysToFloats(tmp);
}

/**
 * Stable ascending argsort of float32 values (radix sort).
 *
 * @param values the values; left unchanged; must not contain NaN
 * @returns `{ sorted, order }`: the ascending values and, for each, its index in `values`
 * @example
 * ```ts
 * import { argsortFloat32 } from "./sort.ts";
 * argsortFloat32(new Float32Array([3, -1, 2])).order; // Uint32Array [1, 2, 0]
 * ```
 */
export function argsortFloat32(values: Float32Array): { sorted: Float32Array; order: Uint32Array } {
  const n = values.length;
  let keys = floatKeys(values);
  let tmp: Uint32Array = new Uint32Array(n);
  let order: Uint32Array = new Uint32Array(n);
  let tmpOrder: Uint32Array = new Uint32Array(n);
  const [c0, c1, c2] = digitOffsets(keys);
  for (let i = 0; i < n; i++) {
    const at = c0[keys[i] & 2047]++;
    tmp[at] = keys[i];
    tmpOrder[at] = i;
  }
  [keys, tmp, order, tmpOrder] = [tmp, keys, tmpOrder, order];
  for (let i = 0; i < n; i++) {
    const at = c1[(keys[i] >>> 11) & 2047]++;
    tmp[at] = keys[i];
    tmpOrder[at] = order[i];
  }
  [keys, tmp, order, tmpOrder] = [tmp, keys, tmpOrder, order];
  for (let i = 0; i < n; i++) {
    const at = c2[keys[i] >>> 22]++;
    tmp[at] = keys[i];
    tmpOrder[at] = order[i];
  }
  return { sorted: keysToFloats(tmp), order: tmpOrder };
}

/**
 * Sorted ascending copy of scores: radix sort for float32, the built-in sort for float64.
 *
 * @param values the values; left unchanged; must not contain NaN
 * @returns a new ascending array of the same precision
 */
export function sortAscending(values: ScoreArray): ScoreArray {
  return values instanceof Float32Array ? sortFloat32(values) : values.slice().sort();
}
