/**
 * The worker side of {@linkcode buildShardedHnsw} (hnsw_shards.ts): builds one shard's hnsw index
 * over its rows of a shared memory bank, then answers searches on it until terminated.
 *
 * Messages in: `{ kind: "build", bank, dim, rows, M, efConstruction, seed }`, then any number of
 * `{ kind: "search", queries, dim, efSearch }`. Messages out: `{ kind: "progress", phase, done,
 * total }`, `{ kind: "built" }`, `{ kind: "found", distances, indices }` (buffers transferred) and
 * `{ kind: "error", message }`.
 *
 * @module
 */

import { buildHnswIndex, type HnswIndex, searchHnsw } from "./nearest.ts";

/** A message to a shard worker. */
export type ShardRequest =
  | {
    kind: "build";
    bank: Float32Array;
    dim: number;
    rows: Uint32Array;
    M: number;
    efConstruction: number;
    seed: number;
  }
  | { kind: "search"; queries: Float32Array; dim: number; efSearch: number };

/** A message from a shard worker. */
export type ShardReply =
  | { kind: "progress"; phase: "build" | "search"; done: number; total: number }
  | { kind: "built" }
  | { kind: "found"; distances: Float32Array; indices: Uint32Array }
  | { kind: "error"; message: string };

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<ShardRequest>) => void) | null;
  postMessage(message: ShardReply, transfer?: Transferable[]): void;
};
let index: HnswIndex | null = null;
const progress = (phase: "build" | "search", done: number, total: number) =>
  scope.postMessage({ kind: "progress", phase, done, total });

scope.onmessage = (event) => {
  const request = event.data;
  try {
    if (request.kind === "build") {
      const { bank, dim, rows, M, efConstruction, seed } = request;
      index = buildHnswIndex(bank, dim, { rows, M, efConstruction, seed, onProgress: progress });
      scope.postMessage({ kind: "built" });
    } else {
      if (!index) throw new Error("search before build");
      const found = searchHnsw(index, request.queries, request.dim, request.efSearch, progress);
      scope.postMessage({ kind: "found", distances: found.distances, indices: found.indices }, [
        found.distances.buffer as ArrayBuffer,
        found.indices.buffer as ArrayBuffer,
      ]);
    }
  } catch (e) {
    scope.postMessage({ kind: "error", message: (e as Error).message });
  }
};
