/**
 * Inspection: from patch embeddings to anomaly maps. Nearest-neighbour distances
 * to the memory bank (HNSW or exact), patch scores to pixel maps (mean over
 * covering patches), fusion of the two scales and the image score.
 *
 * @module
 */

export { fuse, type FusionMode, imageScore, patchScoresToMap } from "./maps.ts";
export {
  buildHnswIndex,
  type ExactKernel,
  exactNearest,
  type HnswBuildOptions,
  type HnswIndex,
  type HnswOptions,
  nearestDistances,
  type NearestOptions,
  type NearestResult,
  type ProgressCallback,
  searchHnsw,
} from "./nearest.ts";
export {
  buildShardedHnsw,
  type HnswSearcher,
  mergeNearest,
  type ShardedHnswOptions,
  shardRows,
} from "./hnsw_shards.ts";
export { uniqueRows } from "./unique_rows.ts";
export { embedImageSet, type LevelEmbeddings } from "./embed.ts";
export { bankStride, inspectDataset, type Inspection, type InspectOptions } from "./evaluate.ts";
export { type MetricsRecord, metricsRecord } from "./report.ts";
export { addFusedMaps, levelMaps } from "./evaluate.ts";
