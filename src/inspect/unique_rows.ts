/**
 * The distinct rows of a memory bank. Copies of one vector leave every nearest-neighbour distance
 * as it was when all but the first are dropped, but they harm an hnsw graph: hnswlib links a new
 * vector to its closest earlier ones, so a group of identical vectors (uniform background patches
 * embed to one code; 4.5 % of bottle's K=32 bank under a random encoder) links only to itself and
 * the search gets stuck in it. Dropping them raised recall@1 on that bank at efSearch 64 from
 * 0.88 to 0.91 (100k vectors) with nothing else changed.
 *
 * @module
 */

/**
 * Row numbers of the first occurrence of every distinct row, in ascending order. Rows are
 * compared bit for bit (so `0` and `-0` count as different, which costs one extra vector and
 * changes no distance).
 *
 * @param data rows of `dim` floats, row-major
 * @param dim row length
 * @returns ascending row numbers, one per distinct row
 * @throws {RangeError} when dim is not a positive integer or does not divide the data
 * @example
 * ```ts
 * import { uniqueRows } from "./unique_rows.ts";
 * uniqueRows(new Float32Array([1, 2, 3, 4, 1, 2]), 2); // Uint32Array [0, 1]
 * ```
 */
export function uniqueRows(data: Float32Array, dim: number): Uint32Array {
  if (!(Number.isInteger(dim) && dim > 0)) {
    throw new RangeError(`Expected dim to be a positive integer but found ${dim}`);
  }
  const n = data.length / dim;
  if (!Number.isInteger(n)) throw new RangeError(`Expected data length ${data.length} to be a multiple of dim ${dim}`);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const sameRow = (a: number, b: number) => {
    for (let d = 0; d < dim; d++) if (bits[a * dim + d] !== bits[b * dim + d]) return false;
    return true;
  };
  // Open addressing on a 32-bit FNV-1a hash of the row's bits; slots hold row + 1 (0 = empty).
  const capacity = 2 ** Math.ceil(Math.log2(Math.max(2, n * 2)));
  const slots = new Uint32Array(capacity);
  const keep = new Uint32Array(n);
  let kept = 0;
  for (let row = 0; row < n; row++) {
    let h = 0x811c9dc5;
    for (let d = 0; d < dim; d++) h = Math.imul(h ^ bits[row * dim + d], 0x01000193);
    let slot = (h >>> 0) & (capacity - 1);
    let duplicate = false;
    while (slots[slot] !== 0) {
      if (sameRow(slots[slot] - 1, row)) {
        duplicate = true;
        break;
      }
      slot = (slot + 1) & (capacity - 1);
    }
    if (duplicate) continue;
    slots[slot] = row + 1;
    keep[kept++] = row;
  }
  return keep.slice(0, kept);
}
