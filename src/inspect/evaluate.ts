/**
 * Inspection of a whole category (REFERENCE.md section 6): memory banks of training
 * patch embeddings per level, nearest-neighbour distances of every test patch, patch
 * scores spread to pixels (mean over covering patches), fusion across levels, image
 * score = max of the map. Every phase is timed.
 *
 * @module
 */

import type { InspectConfig } from "../config.ts";
import { type Dataset, normalize } from "../data/dataset.ts";
import type { Encoder } from "../model/encoder.ts";
import { embedImageSet, type LevelEmbeddings } from "./embed.ts";
import { fuse, imageScore, patchScoresToMap } from "./maps.ts";
import { type ExactKernel, nearestDistances, resolveNnMethod } from "./nearest.ts";
import { buildShardedHnsw } from "./hnsw_shards.ts";
import { availableMemoryBytes, checkHnswMemory } from "./hnsw_memory.ts";

/** Options of {@linkcode inspectDataset}. */
export interface InspectOptions {
  /** Strides and nearest-neighbour settings. */
  inspect: InspectConfig;
  /** Exact kernel tried first for `nn: "exact"` (e.g. the native one). */
  exactKernel?: ExactKernel;
  /** Images per dense forward pass. Default 4. */
  batchSize?: number;
  /** Progress messages (one line each). */
  onPhase?: (message: string) => void;
  /**
   * Bytes of memory available for an hnsw index, asked just before each build; default
   * `Deno.systemMemoryInfo().available`. A bank whose index would not fit is refused with a
   * `UserError` (see {@linkcode checkHnswMemory}). Injectable for tests.
   */
  availableMemory?: () => number;
}

/** Anomaly maps and scores of every test image. */
export interface Inspection {
  /** Map names: `k64`, `k32` (one per level), then `sum` and `mult` when there are several levels. */
  keys: string[];
  /** The key of the paper's method: `mult` with several levels, else the single level's. */
  mainKey: string;
  /** Per key, one S*S map per test image (test order). */
  maps: Record<string, Float32Array[]>;
  /** Per key, the image scores (max of each map). */
  scores: Record<string, Float32Array>;
  /** Seconds per phase. */
  timing: Record<string, number>;
}

/**
 * Pixel stride of the memory bank for a level: K=64 -> strideK64, K=32 -> strideK32,
 * larger K -> K/4.
 *
 * @param patchSize K
 * @param cfg inspection config
 * @returns stride in pixels
 */
export function bankStride(patchSize: number, cfg: InspectConfig): number {
  if (patchSize === 64) return cfg.strideK64;
  if (patchSize === 32) return cfg.strideK32;
  return patchSize / 4;
}

/**
 * Run the inspection of a loaded dataset.
 *
 * @param encoder the trained (or random) top-level encoder
 * @param dataset train and test images
 * @param opts strides, NN method, progress
 * @returns maps, scores and timings
 */
export async function inspectDataset(encoder: Encoder, dataset: Dataset, opts: InspectOptions): Promise<Inspection> {
  const cfg = { ...opts.inspect, nn: resolveNnMethod(opts.inspect.nn) };
  const timing: Record<string, number> = {};
  const say = opts.onPhase ?? (() => {});
  const timed = async <T>(phase: string, f: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await f();
    timing[phase] = (timing[phase] ?? 0) + (performance.now() - t0) / 1000;
    return out;
  };
  const size = dataset.train.size;
  const strideFor = (k: number) => bankStride(k, cfg);
  const [train, test] = await timed("normalize", () => [
    normalize(dataset.train.images, dataset.meanImage),
    normalize(dataset.test.images, dataset.meanImage),
  ]);
  const numTrain = dataset.train.samples.length, numTest = dataset.test.samples.length;
  say(`embedding ${numTrain} training images (memory bank)`);
  const progress = (what: string) => (done: number, total: number) => {
    if (done === total || done % 32 < (opts.batchSize ?? 4)) say(`  ${what}: ${done}/${total} images`);
  };
  const bank = await timed(
    "embed_bank",
    () => embedImageSet(encoder, train, numTrain, size, strideFor, opts.batchSize, progress("bank")),
  );
  say(`embedding ${numTest} test images`);
  const queries = await timed(
    "embed_test",
    () => embedImageSet(encoder, test, numTest, size, strideFor, opts.batchSize, progress("test")),
  );

  const maps: Record<string, Float32Array[]> = {};
  const levelKeys: string[] = [];
  for (const [k, b] of bank) {
    const q = queries.get(k)!;
    const key = `k${k}`;
    levelKeys.push(key);
    say(
      `K=${k}: nearest neighbours of ${q.data.length / q.dim} test patches among ${b.data.length / b.dim} (${cfg.nn})`,
    );
    const distances = await levelDistances(b, q, k, cfg, opts, timed);
    maps[key] = await timed("maps", () => levelMaps(distances, q, size));
  }
  const keys = await timed("maps", () => addFusedMaps(maps, levelKeys));
  const scores: Record<string, Float32Array> = {};
  for (const key of keys) scores[key] = Float32Array.from(maps[key], (m) => imageScore(m));
  return { keys, mainKey: levelKeys.length > 1 ? "mult" : levelKeys[0], maps, scores, timing };
}

/**
 * One level's pixel maps: each test image's patch distances spread to pixels (mean over covering patches).
 *
 * @param distances nearest-neighbour distance of every test patch, [N, n, n] row-major
 * @param queries the level's test embeddings (grid, stride, patch size)
 * @param imageSize S
 * @returns N maps of S*S
 */
export function levelMaps(distances: Float32Array, queries: LevelEmbeddings, imageSize: number): Float32Array[] {
  const perImage = queries.grid * queries.grid;
  const numImages = distances.length / perImage;
  return Array.from({ length: numImages }, (_, i) =>
    patchScoresToMap(
      distances.subarray(i * perImage, (i + 1) * perImage),
      queries.grid,
      queries.grid,
      queries.patchSize,
      queries.stride,
      imageSize,
    ));
}

/**
 * Add the `sum` and `mult` fusions of several levels' maps (in place).
 *
 * @param maps per-level maps by key (`k64`, `k32`, ...); `sum` and `mult` are added
 * @param levelKeys the level keys to fuse
 * @returns every key now in `maps`: the level keys, then `sum` and `mult` when there are several levels
 */
export function addFusedMaps(maps: Record<string, Float32Array[]>, levelKeys: string[]): string[] {
  if (levelKeys.length < 2) return [...levelKeys];
  const [first, ...rest] = levelKeys;
  for (const mode of ["sum", "mult"] as const) {
    maps[mode] = maps[first].map((m, i) => rest.reduce((acc, key) => fuse(acc, maps[key][i], mode), m));
  }
  return [...levelKeys, "sum", "mult"];
}

async function levelDistances(
  bank: LevelEmbeddings,
  queries: LevelEmbeddings,
  patchSize: number,
  cfg: InspectConfig,
  opts: InspectOptions,
  timed: <T>(phase: string, f: () => T | Promise<T>) => Promise<T>,
): Promise<Float32Array> {
  const exactKernel: ExactKernel | undefined = opts.exactKernel;
  if (cfg.nn === "exact") {
    return await timed(
      "search",
      () => nearestDistances(bank.data, queries.data, bank.dim, { method: "exact", exactKernel }),
    );
  }
  // Refuse a bank whose index would not fit before hnswlib allocates it (or the OS kills the process).
  const strideFlag = patchSize === 32 || patchSize === 64 ? `--stride-k${patchSize}` : null;
  const available = (opts.availableMemory ?? availableMemoryBytes)();
  checkHnswMemory(bank.data.length / bank.dim, bank.dim, cfg.hnswM, available, strideFlag);
  const index = await timed(
    "index_build",
    () =>
      buildShardedHnsw(bank.data, bank.dim, {
        M: cfg.hnswM,
        efConstruction: cfg.hnswEfConstruction,
        shards: cfg.hnswShards ?? 1,
      }),
  );
  try {
    return (await timed("search", () => index.search(queries.data, queries.dim, cfg.hnswEfSearch))).distances;
  } finally {
    index.close();
  }
}
