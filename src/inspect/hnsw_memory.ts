/**
 * How much memory an hnsw index (hnswlib 0.8, as bundled by hnswlib-node 3.0) takes, so that
 * inspection can refuse a memory bank that would not fit instead of being killed half-way.
 *
 * The estimate follows `hnswalg.h` field by field, per vector: the level-0 block (2M links of 4
 * bytes, a 4-byte count, the vector as float32, an 8-byte label), the upper-level link lists
 * (M links + count on each of an expected 1/(M-1) levels, plus a malloc header on the 1/M of
 * vectors that have one), the link-list pointer, the per-element mutex (40 bytes on Linux x86-64),
 * the level number, the visited-list slot (2 bytes) and the label hash map entry (about 48 bytes:
 * node, malloc header, bucket); plus 65536 label-operation mutexes once. Measured resident-memory
 * growth while building indices of 50k-200k vectors (dim 8 and 64, M 16) was within 25 % of it
 * (above it by 10-25 %, partly the JS side of the build loop), hence the default safety factor.
 *
 * @module
 */

import { UserError } from "../errors.ts";

/** Bytes of one `std::mutex` (glibc, x86-64). */
const MUTEX_BYTES = 40;
/** Bytes of one label -> id entry of `std::unordered_map<size_t, unsigned>` (node, malloc header, bucket). */
const LABEL_MAP_ENTRY_BYTES = 48;
/** hnswlib's `MAX_LABEL_OPERATION_LOCKS`. */
const LABEL_OPERATION_LOCKS = 65536;
/** Measured resident memory over {@linkcode hnswMemoryBytes}: at most about 1.25. */
export const HNSW_MEMORY_SAFETY = 1.25;

/**
 * Estimated bytes of an hnsw index (L2, float32 vectors) holding `numVectors` vectors.
 *
 * @param numVectors vectors in the index (the memory bank)
 * @param dim vector length
 * @param M graph degree (hnswlib's M; level 0 keeps 2M links)
 * @returns estimated bytes (not counting the bank the vectors are copied from)
 * @throws {RangeError} for a negative or fractional count, or dim or M below 1 (M below 2)
 * @example
 * ```ts
 * import { hnswMemoryBytes } from "./hnsw_memory.ts";
 * const gib = hnswMemoryBytes(2_000_000, 64, 16) / 2 ** 30; // about 0.94
 * ```
 */
export function hnswMemoryBytes(numVectors: number, dim: number, M: number): number {
  if (!(Number.isInteger(numVectors) && numVectors >= 0)) {
    throw new RangeError(`Expected the number of vectors to be a non-negative integer but found ${numVectors}`);
  }
  if (!(Number.isInteger(dim) && dim > 0)) {
    throw new RangeError(`Expected dim to be a positive integer but found ${dim}`);
  }
  if (!(Number.isInteger(M) && M >= 2)) throw new RangeError(`Expected M to be an integer >= 2 but found ${M}`);
  const m = Math.min(M, 10000); // hnswlib caps M
  const level0 = 2 * m * 4 + 4 + dim * 4 + 8;
  const upperLevels = (m * 4 + 4) / (m - 1) + 16 / m;
  const bookkeeping = 8 + MUTEX_BYTES + 4 + 2 + LABEL_MAP_ENTRY_BYTES;
  return Math.ceil(numVectors * (level0 + upperLevels + bookkeeping)) + LABEL_OPERATION_LOCKS * MUTEX_BYTES;
}

/** A byte count in GiB, two decimals (more significant digits below 0.01 GiB). */
function gib(bytes: number): string {
  const g = bytes / 2 ** 30;
  return g >= 0.01 ? g.toFixed(2) : g.toPrecision(2);
}

/**
 * Refuse to build an hnsw index that would not fit in the available memory.
 *
 * @param numVectors vectors in the memory bank
 * @param dim vector length
 * @param M graph degree
 * @param availableBytes memory available now (e.g. `Deno.systemMemoryInfo().available`)
 * @param strideFlag the flag that thins this bank out (e.g. `--stride-k32`); null when none does
 * @param safety factor applied to the estimate (default {@linkcode HNSW_MEMORY_SAFETY})
 * @throws {UserError} "the hnsw index of N vectors (dim D) needs about X GiB but only Y GiB is available; ..."
 * @example
 * ```ts
 * import { checkHnswMemory } from "./hnsw_memory.ts";
 * checkHnswMemory(1000, 64, 16, 2 ** 30, "--stride-k32"); // fits: no error
 * ```
 */
export function checkHnswMemory(
  numVectors: number,
  dim: number,
  M: number,
  availableBytes: number,
  strideFlag: string | null = "--stride-k32",
  safety: number = HNSW_MEMORY_SAFETY,
): void {
  const need = hnswMemoryBytes(numVectors, dim, M) * safety;
  if (need <= availableBytes) return;
  throw new UserError(
    `the hnsw index of ${numVectors} vectors (dim ${dim}) needs about ${gib(need)} GiB but only ` +
      `${gib(availableBytes)} GiB is available; use --nn exact${strideFlag ? ` or a larger ${strideFlag}` : ""}`,
  );
}

/**
 * Memory available to new allocations, from the operating system.
 *
 * @returns bytes, or Infinity when the runtime cannot tell (no `--allow-sys`)
 */
export function availableMemoryBytes(): number {
  try {
    return Deno.systemMemoryInfo().available;
  } catch {
    return Infinity;
  }
}
