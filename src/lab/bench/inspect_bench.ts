/**
 * Inspection benchmark: the phases of {@linkcode inspectDataset} run one at a time with their
 * time and peak RSS (normalise, train-bank embedding, test embedding; then, per nearest-neighbour
 * method, index build, search and map assembly), the embeddings shared by the exact and the
 * hnsw search, plus the hnsw search's recall@1 and AUROC difference against the exact search.
 *
 * The phases reuse the kit's building blocks exactly as `inspectDataset` does (same batch size,
 * same search calls, same map assembly and fusion), so the timings are those of `deno task eval`.
 *
 * @module
 */

import type { InspectConfig } from "../../config.ts";
import { exactNearestNativeAsync, exactNearestNativeDetailed } from "../../backend/native.ts";
import { type Dataset, normalize } from "../../data/dataset.ts";
import type { Encoder } from "../../model/encoder.ts";
import { embedImageSet, type LevelEmbeddings } from "../../inspect/embed.ts";
import { addFusedMaps, bankStride, levelMaps } from "../../inspect/evaluate.ts";
import { imageScore } from "../../inspect/maps.ts";
import { exactNearest, type NearestResult } from "../../inspect/nearest.ts";
import { buildShardedHnsw } from "../../inspect/hnsw_shards.ts";
import { auroc } from "../../metrics/auroc.ts";
import { pixelAuroc } from "../../metrics/pixel.ts";
import { combineMeasures, measurePhase, type PhaseMeasure } from "./memory.ts";
import { compareNeighbours, type RecallStats } from "./nn_quality.ts";
import { evenSubsample } from "./stats.ts";

/** A nearest-neighbour method of the inspection. */
export type NnMethod = "exact" | "hnsw";

/** Options of {@linkcode benchInspection}. */
export interface InspectBenchOptions {
  /** Strides and hnsw parameters (its `nn` is ignored: `methods` decides). */
  inspect: InspectConfig;
  /** Methods to run, in order. */
  methods: NnMethod[];
  /** Images per dense forward pass. Default 4 (as `inspectDataset`). */
  batchSize?: number;
  /** Queries per level for recall@1 when the exact search did not run on all of them. Default 20000. */
  recallQueries?: number;
  /** Progress lines. */
  onProgress?: (message: string) => void;
}

/** One level's search sizes and times for one method. */
export interface LevelSearch {
  /** Memory-bank vectors. */
  bank_vectors: number;
  /** Query (test patch) vectors. */
  queries: number;
  /** hnsw index construction, s (hnsw only). */
  index_build_seconds?: number;
  /** Search, s. */
  search_seconds: number;
}

/** One method's phases and results. */
export interface MethodBench {
  /** `index_build` (hnsw only), `search`, `maps`, each summed over levels. */
  phases: Record<string, PhaseMeasure>;
  /** Per level key (`k64`, `k32`). */
  levels: Record<string, LevelSearch>;
  /** Decode + normalise + both embeddings + this method's phases, s. */
  total_seconds: number;
  /** total_seconds / test images. */
  seconds_per_test_image: number;
  /** (test embedding + search + maps) / test images: the cost of one more test image once the bank is built. */
  marginal_seconds_per_test_image: number;
  /** Largest RSS of the shared phases and this method's phases, MiB. */
  peak_rss_mb: number;
  /** Detection AUROC per map key. */
  image_auroc: Record<string, number>;
  /** Segmentation AUROC (pooled pixels) per map key. */
  pixel_auroc: Record<string, number>;
  /** Seconds spent computing the AUROCs (not part of total_seconds). */
  metrics_seconds: number;
}

/** Result of {@linkcode benchInspection}. */
export interface InspectBench {
  /** Training (memory-bank) images. */
  num_train: number;
  /** Test images. */
  num_test: number;
  /** Image side. */
  image_size: number;
  /** Images per dense forward pass. */
  batch_size: number;
  /** Phases shared by both methods: `load` (decode + resize, cold cache), `normalize`, `embed_bank`, `embed_test`. */
  shared: Record<string, PhaseMeasure>;
  /** Per method run. */
  methods: Partial<Record<NnMethod, MethodBench>>;
  /** hnsw against exact search, when hnsw ran (null otherwise). */
  nn_quality: NnQuality | null;
}

/** hnsw against exact search. */
export interface NnQuality {
  /** recall@1 per level key. */
  recall: Record<string, RecallStats>;
  /** hnsw AUROC minus exact AUROC per map key, when both methods ran (null otherwise). */
  auroc_diff: { image: Record<string, number>; pixel: Record<string, number> } | null;
}

/**
 * Run the inspection phases on a loaded dataset.
 *
 * @param encoder the encoder to inspect with (random or trained)
 * @param dataset the loaded category
 * @param load the measure of the phase that loaded it (decode + resize, cold cache)
 * @param opts methods, strides, batch size
 * @returns per-phase time and memory, per-method totals, recall and AUROC differences
 */
export async function benchInspection(
  encoder: Encoder,
  dataset: Dataset,
  load: PhaseMeasure,
  opts: InspectBenchOptions,
): Promise<InspectBench> {
  const cfg = opts.inspect;
  const say = opts.onProgress ?? (() => {});
  const batchSize = opts.batchSize ?? 4;
  const size = dataset.train.size;
  const numTrain = dataset.train.samples.length, numTest = dataset.test.samples.length;
  const strideFor = (k: number) => bankStride(k, cfg);
  const shared: Record<string, PhaseMeasure> = { load };

  const phase = async <T>(name: string, into: Record<string, PhaseMeasure>, f: () => T | Promise<T>): Promise<T> => {
    const { value, measure } = await measurePhase(f);
    into[name] = into[name] ? combineMeasures([into[name], measure]) : measure;
    say(`  ${name}: ${measure.seconds.toFixed(2)} s, peak RSS ${measure.peak_rss_mb.toFixed(0)} MiB`);
    return value;
  };
  const [train, test] = await phase("normalize", shared, () => [
    normalize(dataset.train.images, dataset.meanImage),
    normalize(dataset.test.images, dataset.meanImage),
  ]);
  say(`embedding ${numTrain} training images (memory bank)`);
  const bank = await phase(
    "embed_bank",
    shared,
    () => embedImageSet(encoder, train, numTrain, size, strideFor, batchSize),
  );
  say(`embedding ${numTest} test images`);
  const queries = await phase(
    "embed_test",
    shared,
    () => embedImageSet(encoder, test, numTest, size, strideFor, batchSize),
  );
  const sharedSeconds = Object.values(shared).reduce((s, p) => s + p.seconds, 0);
  const sharedPeak = Math.max(...Object.values(shared).map((p) => p.peak_rss_mb));

  const labels = Uint8Array.from(dataset.test.samples, (s) => s.label);
  const px = size * size;
  const masks = dataset.test.samples.map((_, i) => dataset.test.masks!.subarray(i * px, (i + 1) * px));
  const results = new Map<NnMethod, Map<number, NearestResult>>();
  const methods: Partial<Record<NnMethod, MethodBench>> = {};
  for (const method of opts.methods) {
    const phases: Record<string, PhaseMeasure> = {};
    const levels: Record<string, LevelSearch> = {};
    const found = new Map<number, NearestResult>();
    const maps: Record<string, Float32Array[]> = {};
    const levelKeys: string[] = [];
    for (const [k, b] of bank) {
      const q = queries.get(k)!;
      const key = `k${k}`;
      levelKeys.push(key);
      const nb = b.data.length / b.dim, nq = q.data.length / q.dim;
      say(`${method}, K=${k}: nearest neighbours of ${nq} test patches among ${nb}`);
      const level: LevelSearch = { bank_vectors: nb, queries: nq, search_seconds: 0 };
      let result: NearestResult;
      if (method === "exact") {
        const sub: Record<string, PhaseMeasure> = {};
        result = await phase("search", sub, () => exactSearch(b, q));
        level.search_seconds = sub.search.seconds;
        phases.search = phases.search ? combineMeasures([phases.search, sub.search]) : sub.search;
      } else {
        const sub: Record<string, PhaseMeasure> = {};
        const every = Math.max(8192, Math.ceil(nb / 8 / 8192) * 8192);
        let said = 0;
        const index = await phase("index_build", sub, () =>
          buildShardedHnsw(b.data, b.dim, {
            M: cfg.hnswM,
            efConstruction: cfg.hnswEfConstruction,
            shards: cfg.hnswShards ?? 1,
            onProgress: (_, done, total) => {
              if (done - said < every && done !== total) return;
              said = done;
              say(`    hnsw build ${done}/${total}`);
            },
          }));
        try {
          result = await phase("search", sub, () => index.search(q.data, q.dim, cfg.hnswEfSearch));
        } finally {
          index.close();
        }
        level.index_build_seconds = sub.index_build.seconds;
        level.search_seconds = sub.search.seconds;
        for (const name of ["index_build", "search"]) {
          phases[name] = phases[name] ? combineMeasures([phases[name], sub[name]]) : sub[name];
        }
      }
      levels[key] = level;
      found.set(k, result);
      maps[key] = await phase("maps", phases, () => levelMaps(result.distances, q, size));
    }
    const keys = await phase("maps", phases, () => addFusedMaps(maps, levelKeys));
    const t0 = performance.now();
    const image_auroc: Record<string, number> = {}, pixel_auroc: Record<string, number> = {};
    for (const key of keys) {
      image_auroc[key] = auroc(Float32Array.from(maps[key], (m) => imageScore(m)), labels);
      pixel_auroc[key] = pixelAuroc(maps[key], masks);
    }
    const metricsSeconds = (performance.now() - t0) / 1000;
    const own = Object.values(phases).reduce((s, p) => s + p.seconds, 0);
    const total = sharedSeconds + own;
    methods[method] = {
      phases,
      levels,
      total_seconds: total,
      seconds_per_test_image: total / numTest,
      marginal_seconds_per_test_image: (shared.embed_test.seconds + phases.search.seconds + phases.maps.seconds) /
        numTest,
      peak_rss_mb: Math.max(sharedPeak, ...Object.values(phases).map((p) => p.peak_rss_mb)),
      image_auroc,
      pixel_auroc,
      metrics_seconds: metricsSeconds,
    };
    results.set(method, found);
  }

  let nn_quality: NnQuality | null = null;
  const approx = results.get("hnsw");
  if (approx) {
    const recall: Record<string, RecallStats> = {};
    for (const [k, a] of approx) {
      const b = bank.get(k)!, q = queries.get(k)!;
      const nb = b.data.length / b.dim;
      const exact = results.get("exact")?.get(k);
      if (exact) {
        recall[`k${k}`] = compareNeighbours(a, exact, nb, "full");
        continue;
      }
      const pick = evenSubsample(a.distances.length, opts.recallQueries ?? 20000);
      const sub = new Float32Array(pick.length * q.dim);
      pick.forEach((row, i) => sub.set(q.data.subarray(row * q.dim, (row + 1) * q.dim), i * q.dim));
      say(`recall@1, K=${k}: exact search of ${pick.length} sampled queries`);
      const e = exactNearestNativeDetailed(b.data, sub, b.dim) ?? exactNearest(b.data, sub, b.dim);
      const picked = {
        distances: Float32Array.from(pick, (r) => a.distances[r]),
        indices: Uint32Array.from(pick, (r) => a.indices[r]),
      };
      recall[`k${k}`] = compareNeighbours(picked, e, nb, "subsample");
    }
    const ex = methods.exact, hn = methods.hnsw!;
    const diff = (a: Record<string, number>, b: Record<string, number>) =>
      Object.fromEntries(Object.keys(a).map((key) => [key, a[key] - b[key]]));
    nn_quality = {
      recall,
      auroc_diff: ex
        ? { image: diff(hn.image_auroc, ex.image_auroc), pixel: diff(hn.pixel_auroc, ex.pixel_auroc) }
        : null,
    };
  }
  return {
    num_train: numTrain,
    num_test: numTest,
    image_size: size,
    batch_size: batchSize,
    shared,
    methods,
    nn_quality,
  };
}

/** Exact search as `eval` runs it: the native kernel on a worker thread, else the JS kernel. */
async function exactSearch(bank: LevelEmbeddings, queries: LevelEmbeddings): Promise<NearestResult> {
  const native = await exactNearestNativeAsync(bank.data, queries.data, bank.dim);
  if (native) return { distances: native.distances, indices: Uint32Array.from(native.indices) };
  return exactNearest(bank.data, queries.data, bank.dim);
}
