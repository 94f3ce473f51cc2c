/**
 * hnsw over a memory bank split into shards, each built and searched in its own worker, so that
 * the index builds on several cores: hnswlib-node 3.0 inserts one point per call on one thread
 * and offers no parallel or batch insertion. Every query is searched in every shard and keeps the
 * nearest of their answers; the true nearest neighbour lies in one shard, so the merge loses
 * nothing that shard's search found. Results depend on the bank, the shard count, M,
 * efConstruction, efSearch and the seed only (not on timing or on the machine's core count).
 *
 * On bottle's K=32 bank (random encoder, 679k vectors, 649k distinct), two shards take half the
 * build time of one index on two cores, and the smaller graphs find more true neighbours; the
 * price is that each query is searched twice (in parallel). Measured numbers: docs/speed.md.
 *
 * @module
 */

import { DEFAULT_CONFIG } from "../config.ts";
import type { ShardReply, ShardRequest } from "./hnsw_shard_worker.ts";
import { buildHnswIndex, type HnswOptions, type NearestResult, type ProgressCallback, searchHnsw } from "./nearest.ts";
import { uniqueRows } from "./unique_rows.ts";

/** Options of {@linkcode buildShardedHnsw}. */
export interface ShardedHnswOptions extends HnswOptions {
  /** Shards (one worker each; 1 builds in this thread). Default `DEFAULT_CONFIG.inspect.hnswShards`. */
  shards?: number;
}

/** A built (possibly sharded) hnsw index over a memory bank. */
export interface HnswSearcher {
  /** Number of shards (1: one index in this thread). */
  readonly shards: number;
  /** Vectors in the index (the bank's distinct rows). */
  readonly vectors: number;
  /**
   * Nearest bank vector of each query (one search at a time: await it before the next).
   *
   * @param queries query vectors, `m * dim` floats, row-major
   * @param dim vector length
   * @param efSearch candidate list size of each shard's search
   * @param onProgress search progress, summed over shards
   * @returns non-squared L2 distances and bank rows
   */
  search(
    queries: Float32Array,
    dim: number,
    efSearch?: number,
    onProgress?: ProgressCallback,
  ): Promise<NearestResult>;
  /** Stop the workers and free their indices. Idempotent. */
  close(): void;
}

/**
 * Split row numbers into `shards` contiguous runs of (nearly) equal length.
 *
 * @param rows the rows to index, in insertion order
 * @param shards number of shards (a positive integer)
 * @returns one run per shard (views into `rows`; a shard may be empty when there are fewer rows)
 * @throws {RangeError} when shards is not a positive integer
 * @example
 * ```ts
 * import { shardRows } from "./hnsw_shards.ts";
 * shardRows(Uint32Array.of(0, 1, 2, 5, 6), 2); // [Uint32Array [0, 1], Uint32Array [2, 5, 6]]
 * ```
 */
export function shardRows(rows: Uint32Array, shards: number): Uint32Array[] {
  if (!(Number.isInteger(shards) && shards >= 1)) {
    throw new RangeError(`Expected the number of hnsw shards to be a positive integer but found ${shards}`);
  }
  return Array.from(
    { length: shards },
    (_, s) => rows.subarray(Math.floor((s * rows.length) / shards), Math.floor(((s + 1) * rows.length) / shards)),
  );
}

/**
 * Merge the answers of several shards to the same queries: per query, the nearest of them (on a
 * tie, the first shard's).
 *
 * @param parts one result per shard, all for the same queries
 * @returns the per-query nearest distances and rows
 * @throws {RangeError} when there are no parts or they differ in length
 * @example
 * ```ts
 * import { mergeNearest } from "./hnsw_shards.ts";
 * mergeNearest([
 *   { distances: Float32Array.of(1, 2), indices: Uint32Array.of(0, 1) },
 *   { distances: Float32Array.of(3, 0.5), indices: Uint32Array.of(7, 8) },
 * ]); // distances [1, 0.5], indices [0, 8]
 * ```
 */
export function mergeNearest(parts: NearestResult[]): NearestResult {
  if (parts.length === 0) throw new RangeError("Expected at least one shard's result but found none");
  const m = parts[0].distances.length;
  for (const p of parts) {
    if (p.distances.length !== m || p.indices.length !== m) {
      throw new RangeError(`Expected every shard to answer ${m} queries but found ${p.distances.length}`);
    }
  }
  const distances = parts[0].distances.slice(), indices = parts[0].indices.slice();
  for (const p of parts.slice(1)) {
    for (let q = 0; q < m; q++) {
      if (p.distances[q] < distances[q]) [distances[q], indices[q]] = [p.distances[q], p.indices[q]];
    }
  }
  return { distances, indices };
}

/** A copy of `data` in shared memory, or `data` itself when it already is. */
function shared(data: Float32Array): Float32Array {
  if (data.buffer instanceof SharedArrayBuffer) return data;
  const copy = new Float32Array(new SharedArrayBuffer(data.byteLength));
  copy.set(data);
  return copy;
}

/** One shard's worker, as a request -> reply promise. */
class ShardWorker {
  #worker = new Worker(new URL("./hnsw_shard_worker.ts", import.meta.url), { type: "module" });
  #pending: { resolve: (reply: ShardReply) => void; reject: (e: Error) => void } | null = null;
  #closed = false;

  constructor(onProgress: (reply: Extract<ShardReply, { kind: "progress" }>) => void) {
    this.#worker.onmessage = (event: MessageEvent<ShardReply>) => {
      const reply = event.data;
      if (reply.kind === "progress") return onProgress(reply);
      const pending = this.#pending;
      this.#pending = null;
      if (reply.kind === "error") pending?.reject(new Error(`hnsw shard: ${reply.message}`));
      else pending?.resolve(reply);
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const pending = this.#pending;
      this.#pending = null;
      pending?.reject(new Error(`hnsw shard worker failed: ${event.message}`));
    };
  }

  request(message: ShardRequest): Promise<ShardReply> {
    if (this.#closed) return Promise.reject(new Error("hnsw shard: the index is closed"));
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#worker.postMessage(message);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker.terminate();
    this.#pending?.reject(new Error("hnsw shard: the index was closed"));
    this.#pending = null;
  }
}

/**
 * Build an hnsw index over the memory bank's distinct rows, split into shards built in parallel
 * workers (or, for one shard, a single index in this thread).
 *
 * @param bank memory bank, `n * dim` floats, row-major
 * @param dim vector length
 * @param options shards, M, efConstruction, seed (every shard uses it), build progress (summed)
 * @returns the index; call `close()` when done with it
 * @throws {RangeError} for a bad shard count or a bank that is not whole vectors
 * @example
 * ```ts
 * import { buildShardedHnsw } from "./hnsw_shards.ts";
 * const index = await buildShardedHnsw(new Float32Array([0, 0, 3, 4, 9, 9]), 2, { shards: 2 });
 * (await index.search(new Float32Array([3, 4.5]), 2)).distances; // Float32Array [0.5]
 * index.close();
 * ```
 */
export async function buildShardedHnsw(
  bank: Float32Array,
  dim: number,
  options: ShardedHnswOptions = {},
): Promise<HnswSearcher> {
  const defaults = DEFAULT_CONFIG.inspect;
  const shards = options.shards ?? defaults.hnswShards ?? 1;
  if (!(Number.isInteger(shards) && shards >= 1)) {
    throw new RangeError(`Expected the number of hnsw shards to be a positive integer but found ${shards}`);
  }
  if (!(Number.isInteger(dim) && dim > 0)) {
    throw new RangeError(`Expected dim to be a positive integer but found ${dim}`);
  }
  if (bank.length === 0 || bank.length % dim !== 0) {
    throw new RangeError(
      `Expected the memory bank to hold whole vectors of dim ${dim} but found ${bank.length} floats`,
    );
  }
  const rows = uniqueRows(bank, dim);
  if (shards === 1) {
    const index = buildHnswIndex(bank, dim, { ...options, rows });
    return {
      shards,
      vectors: rows.length,
      search: (queries, qdim, efSearch, onProgress) =>
        Promise.resolve(
          searchHnsw(index, queries, qdim, efSearch ?? options.efSearch ?? defaults.hnswEfSearch, onProgress),
        ),
      close: () => {},
    };
  }

  const parts = shardRows(rows, shards).filter((part) => part.length > 0);
  const done = new Array(parts.length).fill(0), totals = new Array(parts.length).fill(0);
  let report: ProgressCallback | undefined = options.onProgress;
  const workers = parts.map((_, s) =>
    new ShardWorker((p) => {
      [done[s], totals[s]] = [p.done, p.total];
      const total = totals.reduce((a, b) => a + b, 0);
      if (totals.every((t) => t > 0)) report?.(p.phase, done.reduce((a, b) => a + b, 0), total);
    })
  );
  const closeAll = () => workers.forEach((w) => w.close());
  let busy = false;
  const bankShared = shared(bank);
  try {
    await Promise.all(workers.map((w, s) =>
      w.request({
        kind: "build",
        bank: bankShared,
        dim,
        rows: parts[s].slice(),
        M: options.M ?? defaults.hnswM,
        efConstruction: options.efConstruction ?? defaults.hnswEfConstruction,
        seed: options.seed ?? 0,
      })
    ));
  } catch (e) {
    closeAll();
    throw e;
  }
  return {
    shards: parts.length,
    vectors: rows.length,
    async search(queries, qdim, efSearch, onProgress) {
      if (!(Number.isInteger(qdim) && qdim > 0) || queries.length % qdim !== 0) {
        throw new RangeError(`Expected queries of whole vectors of dim ${qdim} but found ${queries.length} floats`);
      }
      if (busy) throw new Error("hnsw shard: one search at a time");
      busy = true;
      done.fill(0);
      totals.fill(0);
      report = onProgress;
      const request: ShardRequest = {
        kind: "search",
        queries: shared(queries),
        dim: qdim,
        efSearch: efSearch ?? options.efSearch ?? defaults.hnswEfSearch,
      };
      try {
        const found = await Promise.all(workers.map((w) => w.request(request)));
        return mergeNearest(found.map((f) => f as Extract<ShardReply, { kind: "found" }>));
      } finally {
        busy = false;
      }
    },
    close: closeAll,
  };
}
