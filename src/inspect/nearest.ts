/**
 * Patch scores as nearest-neighbour distances: for each query embedding, the
 * (non-squared) L2 distance to the closest embedding of the memory bank of
 * training patches.
 *
 * Two methods: approximate search with an HNSW graph (hnswlib-node; the reference
 * uses the NGT approximate index for K=32) and exact search (the reference uses a
 * KD-tree for K=64). The exact search sums (q - b)^2 directly in float64 and never
 * uses |q|^2 + |b|^2 - 2 q.b, which loses the ~1e-4 distances of untrained encoders
 * to float32 cancellation (REFERENCE.md, section 6). A faster exact kernel (e.g. native
 * code) can be plugged in through {@linkcode NearestOptions.exactKernel}.
 *
 * @module
 */

import hnswlib from "hnswlib-node";
import { DEFAULT_CONFIG } from "../config.ts";
import { loadNative } from "../backend/native.ts";
import { uniqueRows } from "./unique_rows.ts";

function nativeKernelsLoad(): boolean {
  return "symbols" in loadNative();
}

/**
 * The search an `nn` setting means on this machine: "auto" is exact when the native kernels
 * load (exact and, there, faster than hnsw), else hnsw.
 *
 * @param nn the configured method
 * @param nativeAvailable whether the native kernels load (injectable for tests)
 * @returns "exact" or "hnsw"
 * @example
 * ```ts
 * import { resolveNnMethod } from "./nearest.ts";
 * resolveNnMethod("auto", () => false); // "hnsw"
 * ```
 */
export function resolveNnMethod(
  nn: "auto" | "hnsw" | "exact",
  nativeAvailable: () => boolean = nativeKernelsLoad,
): "hnsw" | "exact" {
  return nn === "auto" ? (nativeAvailable() ? "exact" : "hnsw") : nn;
}

/** An hnswlib-node HNSW index over a memory bank (labels = row numbers in the bank). */
export type HnswIndex = InstanceType<typeof hnswlib.HierarchicalNSW>;

/** Distances and indices of each query's nearest bank vector. */
export interface NearestResult {
  /** Non-squared L2 distance to the nearest bank vector, one per query. */
  distances: Float32Array;
  /** Row number in the bank of that nearest vector, one per query. */
  indices: Uint32Array;
}

/** Reports progress: `done` of `total` items of the current phase. */
export type ProgressCallback = (phase: "build" | "search", done: number, total: number) => void;

/**
 * An exact nearest-neighbour kernel: non-squared L2 distance of each query to its nearest
 * bank vector, or null when unavailable (then the JS kernel runs).
 */
export type ExactKernel = (
  bank: Float32Array,
  queries: Float32Array,
  dim: number,
) => Float32Array | null | Promise<Float32Array | null>;

/** HNSW parameters; defaults from `DEFAULT_CONFIG.inspect`. */
export interface HnswOptions {
  /** Graph degree M. Default `DEFAULT_CONFIG.inspect.hnswM`. */
  M?: number;
  /** Candidate list size during construction. Default `DEFAULT_CONFIG.inspect.hnswEfConstruction`. */
  efConstruction?: number;
  /** Candidate list size during search (>= 1). Default `DEFAULT_CONFIG.inspect.hnswEfSearch`. */
  efSearch?: number;
  /** Seed of the level generator, for reproducible graphs. Default 0. */
  seed?: number;
  /** Progress of index construction and search. */
  onProgress?: ProgressCallback;
}

/** Options of {@linkcode buildHnswIndex}. */
export interface HnswBuildOptions extends HnswOptions {
  /**
   * Bank rows to insert, each labelled by its row number. Default: the distinct rows
   * ({@linkcode uniqueRows}: copies of a vector are inserted once, which changes no distance).
   */
  rows?: ArrayLike<number>;
}

/** Options of {@linkcode nearestDistances}. */
export interface NearestOptions extends HnswOptions {
  /** "hnsw" (approximate, default in the config) or "exact". */
  method: "hnsw" | "exact";
  /** Exact kernel tried first when method is "exact" (e.g. a native one); the JS kernel is the fallback. */
  exactKernel?: ExactKernel;
}

const PROGRESS_EVERY = 8192;

/** Throw a RangeError unless `data` holds whole vectors of length `dim` (at least `min` of them). */
function checkVectors(data: Float32Array, dim: number, what: string, min: number): number {
  if (!(Number.isInteger(dim) && dim > 0)) {
    throw new RangeError(`Expected dim to be a positive integer but found ${dim}`);
  }
  const count = data.length / dim;
  if (!Number.isInteger(count)) {
    throw new RangeError(`Expected ${what} length ${data.length} to be a multiple of dim ${dim}`);
  }
  if (count < min) throw new RangeError(`Expected at least ${min} ${what} vectors but found ${count}`);
  return count;
}

/**
 * Build an HNSW index (L2 space) over the memory bank, labelled by row number. Copies of a vector
 * are inserted once (the first of them): they change no distance, and groups of identical vectors
 * trap hnsw's search (see unique_rows.ts).
 *
 * hnswlib-node 3.0 accepts only plain JS arrays, one point per call and on one thread (it has no
 * batch or parallel insertion; `buildShardedHnsw` in hnsw_shards.ts builds shards in workers);
 * the bank is copied through one reused `number[]` buffer (that copy and the N-API conversion cost
 * about 3 us per vector; the graph insertion itself dominates). Measured as CPU time on a loaded
 * Zen 5 core, M 16, efConstruction 100: about 80 s for the 649k distinct vectors of bottle's K=32
 * bank (random encoder), 35-38 s for each half.
 *
 * @param bank memory bank, `n * dim` floats, row-major
 * @param dim vector length
 * @param options M, efConstruction, seed, rows to insert, progress
 * @returns the index, ready for {@linkcode searchHnsw}
 * @example
 * ```ts
 * import { buildHnswIndex, searchHnsw } from "./nearest.ts";
 * const index = buildHnswIndex(new Float32Array([0, 0, 1, 1]), 2);
 * searchHnsw(index, new Float32Array([1, 2]), 2).distances; // Float32Array [1]
 * ```
 */
export function buildHnswIndex(bank: Float32Array, dim: number, options: HnswBuildOptions = {}): HnswIndex {
  const n = checkVectors(bank, dim, "memory bank", 1);
  const rows = options.rows ?? uniqueRows(bank, dim);
  const count = rows.length;
  for (let j = 0; j < count; j++) {
    if (!(Number.isInteger(rows[j]) && rows[j] >= 0 && rows[j] < n)) {
      throw new RangeError(`Expected bank rows in 0..${n - 1} but found ${rows[j]}`);
    }
  }
  const defaults = DEFAULT_CONFIG.inspect;
  const index = new hnswlib.HierarchicalNSW("l2", dim);
  index.initIndex(
    Math.max(1, count),
    options.M ?? defaults.hnswM,
    options.efConstruction ?? defaults.hnswEfConstruction,
    options.seed ?? 0,
  );
  const point: number[] = new Array(dim).fill(0);
  for (let j = 0; j < count; j++) {
    const row = rows[j], offset = row * dim;
    for (let d = 0; d < dim; d++) point[d] = bank[offset + d];
    index.addPoint(point, row);
    if (options.onProgress && ((j + 1) % PROGRESS_EVERY === 0 || j + 1 === count)) {
      options.onProgress("build", j + 1, count);
    }
  }
  return index;
}

/**
 * Nearest bank vector of each query in an HNSW index (approximate).
 *
 * @param index an index from {@linkcode buildHnswIndex}
 * @param queries query vectors, `m * dim` floats, row-major
 * @param dim vector length (must match the index)
 * @param efSearch candidate list size; higher = better recall, slower. Default `DEFAULT_CONFIG.inspect.hnswEfSearch`
 * @param onProgress progress of the search
 * @returns non-squared L2 distances (the square root of hnswlib's squared 'l2' distances) and bank rows
 */
export function searchHnsw(
  index: HnswIndex,
  queries: Float32Array,
  dim: number,
  efSearch: number = DEFAULT_CONFIG.inspect.hnswEfSearch,
  onProgress?: ProgressCallback,
): NearestResult {
  const m = checkVectors(queries, dim, "query", 0);
  if (index.getNumDimensions() !== dim) {
    throw new RangeError(`Expected queries of the index's dimension ${index.getNumDimensions()} but found dim ${dim}`);
  }
  if (!(Number.isInteger(efSearch) && efSearch >= 1)) {
    throw new RangeError(`Expected efSearch to be a positive integer but found ${efSearch}`);
  }
  index.setEf(efSearch);
  const distances = new Float32Array(m);
  const indices = new Uint32Array(m);
  const point: number[] = new Array(dim).fill(0);
  for (let q = 0; q < m; q++) {
    const offset = q * dim;
    for (let d = 0; d < dim; d++) point[d] = queries[offset + d];
    const found = index.searchKnn(point, 1);
    distances[q] = Math.sqrt(found.distances[0]);
    indices[q] = found.neighbors[0];
    if (onProgress && ((q + 1) % PROGRESS_EVERY === 0 || q + 1 === m)) onProgress("search", q + 1, m);
  }
  return { distances, indices };
}

/** Queries per block of the exact search: the bank block is reused for all of them. */
const QUERY_BLOCK = 64;
/** Bank vectors per block: 512 x 64 floats = 128 KiB, about an L2 cache. */
const BANK_BLOCK = 512;

/**
 * Exact nearest bank vector of each query, in JS: sum (q - b)^2 in float64 over blocks of
 * queries x bank vectors, abandoning a candidate once its partial sum (checked every 8
 * dimensions) reaches the best so far. Each query block starts from the previous block's
 * neighbours (neighbouring patches look alike), which makes that early exit bite at once.
 * Ties keep either of the tied vectors; the distance is the same.
 *
 * @param bank memory bank, `n * dim` floats, row-major
 * @param queries query vectors, `m * dim` floats, row-major
 * @param dim vector length
 * @param onProgress progress of the search (phase "search")
 * @returns non-squared L2 distances and bank rows
 * @example
 * ```ts
 * import { exactNearest } from "./nearest.ts";
 * exactNearest(new Float32Array([0, 0, 3, 4]), new Float32Array([3, 4.5]), 2); // distances [0.5], indices [1]
 * ```
 */
export function exactNearest(
  bank: Float32Array,
  queries: Float32Array,
  dim: number,
  onProgress?: ProgressCallback,
): NearestResult {
  const n = checkVectors(bank, dim, "memory bank", 1);
  const m = checkVectors(queries, dim, "query", 0);
  const best = new Float64Array(m).fill(Infinity); // squared distances
  const indices = new Uint32Array(m);
  const query = new Float64Array(dim); // the current query, copied once per (query, bank block)
  const full8 = dim - (dim % 8); // dimensions covered by 8-wide unrolled steps

  for (let q0 = 0; q0 < m; q0 += QUERY_BLOCK) {
    const q1 = Math.min(m, q0 + QUERY_BLOCK);
    // Warm start: the previous block's neighbours give each query a tight bound before the scan.
    for (let q = q0; q0 > 0 && q < q1; q++) {
      for (let p = q0 - QUERY_BLOCK; p < q0; p++) {
        const bo = indices[p] * dim, qo = q * dim;
        let s = 0;
        for (let k = 0; k < dim; k++) s += (queries[qo + k] - bank[bo + k]) ** 2;
        if (s < best[q]) [best[q], indices[q]] = [s, indices[p]];
      }
    }
    for (let b0 = 0; b0 < n; b0 += BANK_BLOCK) {
      const b1 = Math.min(n, b0 + BANK_BLOCK);
      for (let q = q0; q < q1; q++) {
        for (let k = 0; k < dim; k++) query[k] = queries[q * dim + k];
        let bound = best[q], bestIndex = indices[q];
        for (let b = b0; b < b1; b++) {
          const bo = b * dim;
          let s = 0, k = 0;
          for (; k < full8; k += 8) {
            const d0 = query[k] - bank[bo + k], d1 = query[k + 1] - bank[bo + k + 1];
            const d2 = query[k + 2] - bank[bo + k + 2], d3 = query[k + 3] - bank[bo + k + 3];
            const d4 = query[k + 4] - bank[bo + k + 4], d5 = query[k + 5] - bank[bo + k + 5];
            const d6 = query[k + 6] - bank[bo + k + 6], d7 = query[k + 7] - bank[bo + k + 7];
            s += d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6 + d7 * d7;
            if (s >= bound) break; // early exit: already no better than the best so far
          }
          if (s >= bound) continue;
          for (; k < dim; k++) s += (query[k] - bank[bo + k]) ** 2;
          if (s < bound) {
            bound = s;
            bestIndex = b;
          }
        }
        best[q] = bound;
        indices[q] = bestIndex;
      }
    }
    onProgress?.("search", q1, m);
  }
  const distances = new Float32Array(m);
  for (let q = 0; q < m; q++) distances[q] = Math.sqrt(best[q]);
  return { distances, indices };
}

/**
 * Patch scores: the non-squared L2 distance of each query to its nearest memory-bank vector.
 *
 * @param bank memory bank of training-patch embeddings, `n * dim` floats, row-major
 * @param queries test-patch embeddings, `m * dim` floats, row-major
 * @param dim embedding dimension D
 * @param options method ("hnsw" or "exact"), HNSW parameters, progress, optional exact kernel
 * @returns one distance per query
 * @example
 * ```ts
 * import { nearestDistances } from "./nearest.ts";
 * const bank = new Float32Array([0, 0, 3, 4]);
 * await nearestDistances(bank, new Float32Array([3, 4.5]), 2, { method: "exact" }); // Float32Array [0.5]
 * ```
 */
export async function nearestDistances(
  bank: Float32Array,
  queries: Float32Array,
  dim: number,
  options: NearestOptions,
): Promise<Float32Array> {
  checkVectors(bank, dim, "memory bank", 1);
  checkVectors(queries, dim, "query", 0);
  if (options.method === "exact") {
    const native = await options.exactKernel?.(bank, queries, dim);
    if (native) return native;
    return exactNearest(bank, queries, dim, options.onProgress).distances;
  }
  if (options.method !== "hnsw") {
    throw new RangeError(`Expected nearest-neighbour method "hnsw" or "exact" but found "${options.method}"`);
  }
  const index = buildHnswIndex(bank, dim, options);
  return searchHnsw(index, queries, dim, options.efSearch, options.onProgress).distances;
}
