/**
 * A trained run, inspected in memory for figures: its anomaly maps and scores on the test set
 * (the same inspection `eval` runs), the F1-max thresholds, a sample of patch embeddings with
 * patch labels for a PCA, and the best and worst cases of the run for a gallery.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { isAbsolute } from "node:path";
import { type BackendName, exactNearestNativeAsync, selectBackend } from "../../backend/mod.ts";
import type { InspectConfig, RunConfig } from "../../config.ts";
import { type Dataset, loadDataset, normalize } from "../../data/dataset.ts";
import { DecodeCache } from "../../data/cache.ts";
import { UserError } from "../../errors.ts";
import { embedImageSet } from "../../inspect/embed.ts";
import { inspectDataset, type Inspection } from "../../inspect/evaluate.ts";
import { type MetricsRecord, metricsRecord } from "../../inspect/report.ts";
import { rocCurve } from "../../metrics/auroc.ts";
import { pixelRocCurve } from "../../metrics/pixel.ts";
import type { AnomalyMapItem } from "../plot/anomaly_map.ts";
import type { NamedRocCurve } from "../plot/roc_curves.ts";
import { CHECKPOINT_FILE, loadModelState, readCheckpoint } from "../../train/checkpoint.ts";
import { createModel, disposeModel } from "../../train/model.ts";
import { fromRoot, PROJECT_ROOT } from "./paths.ts";

/** Patch embeddings of the test set at the top level, with a label per patch. */
export interface PatchEmbeddings {
  /** `[n, dim]` row-major. */
  data: Float32Array;
  /** Embedding dimension D. */
  dim: number;
  /** `n` labels: 1 when a defect pixel lies in the central K/2 x K/2 square of the patch. */
  labels: Uint8Array;
  /** Patch size K of the level. */
  patchSize: number;
  /** Pixel stride of the grid. */
  stride: number;
}

/** A run inspected in memory. */
export interface RunInspection {
  /** The run folder. */
  runDir: string;
  /** Its category. */
  category: string;
  /** The dataset root used (absolute). */
  dataRoot: string;
  /** The run's configuration, with the inspection overrides applied. */
  config: RunConfig;
  /** Training steps of the checkpoint. */
  step: number;
  /** Train and test images, masks and samples. */
  dataset: Dataset;
  /** Maps and scores of every test image, per map key. */
  inspection: Inspection;
  /** One label per test image: 0 good, 1 defective. */
  labels: Uint8Array;
  /** One `S * S` mask per test image (views into the dataset). */
  masks: Uint8Array[];
  /** Every metric `eval` reports (what it would write to `metrics.json`). */
  metrics: MetricsRecord;
  /** F1-max thresholds of the main map: image score and pixel value. */
  thresholds: { image: number; pixel: number };
  /** Detection and segmentation AUROC per map key. */
  auroc: { image: Record<string, number>; pixel: Record<string, number> };
  /** Test patch embeddings for a PCA, or null when not asked for. */
  embeddings: PatchEmbeddings | null;
}

/** Options of {@linkcode inspectRun}. */
export interface InspectRunOptions {
  /** Dataset root (default: the one recorded in the run, resolved against the project root). */
  data?: string;
  /** Overrides of the run's inspection settings; default `{ nn: "exact" }`. */
  inspect?: Partial<InspectConfig>;
  /** Compute backend. Default "auto". */
  backend?: BackendName;
  /** Also embed the test patches of the top level for a PCA. Default true. */
  embeddings?: boolean;
  /** Progress messages. */
  onPhase?: (message: string) => void;
}

/**
 * Label every patch of a grid: 1 when a defect pixel lies in its central K/2 x K/2 square.
 *
 * @param mask `size * size` mask, nonzero = defect
 * @param size image side S
 * @param patchSize K
 * @param stride grid stride
 * @param grid grid side n
 * @returns `n * n` labels, row-major
 * @example
 * ```ts
 * import { patchLabels } from "./run_inspection.ts";
 * const mask = new Uint8Array(64 * 64); mask[32 * 64 + 32] = 1;
 * patchLabels(mask, 64, 32, 16, 3); // Uint8Array [0, 0, 0, 0, 1, 0, 0, 0, 0]
 * ```
 */
export function patchLabels(mask: ArrayLike<number>, size: number, patchSize: number, stride: number, grid: number) {
  const out = new Uint8Array(grid * grid);
  const lo = patchSize / 4, hi = (3 * patchSize) / 4;
  for (let gy = 0; gy < grid; gy++) {
    for (let gx = 0; gx < grid; gx++) {
      let hit = 0;
      for (let y = gy * stride + lo; y < gy * stride + hi && !hit; y++) {
        for (let x = gx * stride + lo; x < gx * stride + hi; x++) {
          if (mask[y * size + x]) {
            hit = 1;
            break;
          }
        }
      }
      out[gy * grid + gx] = hit;
    }
  }
  return out;
}

/**
 * Load a run's checkpoint and dataset and inspect its test set in memory (nothing is written to
 * the run folder). Relative dataset roots recorded in the run are taken from the project root.
 *
 * @param runDir the run folder (holding `checkpoint.safetensors`)
 * @param options dataset root, inspection overrides, backend, embeddings, progress
 * @returns maps, scores, thresholds, AUROCs and (optionally) patch embeddings
 * @throws {UserError} when the run has no checkpoint or does not record its dataset
 */
export async function inspectRun(runDir: string, options: InspectRunOptions = {}): Promise<RunInspection> {
  const say = options.onPhase ?? (() => {});
  const path = `${fromRoot(runDir)}/${CHECKPOINT_FILE}`;
  const checkpoint = await readCheckpoint(path);
  const config: RunConfig = structuredClone(checkpoint.meta.config);
  config.inspect = { ...config.inspect, nn: "exact", ...options.inspect };
  const extra = checkpoint.meta.extra as { data?: string; category?: string };
  const recorded = options.data ?? extra.data;
  if (!recorded || !extra.category) throw new UserError(`${runDir} does not record its dataset; pass its data root`);
  const dataRoot = isAbsolute(recorded) ? recorded : fromRoot(recorded);
  const backend = await selectBackend(options.backend ?? "auto");
  say(`backend: ${backend.note}`);
  const dataset = await loadDataset(dataRoot, extra.category, {
    size: config.imageSize,
    cache: new DecodeCache(Deno.env.get("PATCHSVDD_CACHE") || `${PROJECT_ROOT}/.cache/decoded`),
    onWarning: (m) => say(`warning: ${m}`),
  });
  const model = createModel(config);
  try {
    loadModelState(model, checkpoint);
    const inspection = await inspectDataset(model.encoder, dataset, {
      inspect: config.inspect,
      exactKernel: async (bank, queries, dim) => (await exactNearestNativeAsync(bank, queries, dim))?.distances ?? null,
      onPhase: say,
    });
    const size = dataset.test.size;
    const labels = Uint8Array.from(dataset.test.samples, (s) => s.label);
    const masks = dataset.test.samples.map((_, i) =>
      dataset.test.masks!.subarray(i * size * size, (i + 1) * size * size)
    );
    const metrics = metricsRecord(inspection, dataset, {
      ...config,
      data: recorded,
      backend: backend.name,
      step: checkpoint.meta.step,
    });
    let embeddings: PatchEmbeddings | null = null;
    if (options.embeddings ?? true) {
      say("embedding test patches for the PCA");
      embeddings = await testPatchEmbeddings(model.encoder, dataset, config);
    }
    return {
      runDir,
      category: extra.category,
      dataRoot,
      config,
      step: checkpoint.meta.step,
      dataset,
      inspection,
      labels,
      masks,
      metrics,
      // loadDataset above requires masks, so metricsRecord computed every pixel metric
      thresholds: { image: metrics.f1_max.image_threshold, pixel: metrics.f1_max.pixel_threshold! },
      auroc: { image: metrics.image_auroc, pixel: metrics.pixel_auroc! },
      embeddings,
    };
  } finally {
    disposeModel(model);
    tf.disposeVariables();
  }
}

/** Top-level embeddings of every test patch (other levels at a coarse stride, unused). */
async function testPatchEmbeddings(
  encoder: Parameters<typeof embedImageSet>[0],
  dataset: Dataset,
  config: RunConfig,
): Promise<PatchEmbeddings> {
  const top = encoder.patchSize;
  const stride = top === 32 ? config.inspect.strideK32 : top === 64 ? config.inspect.strideK64 : top / 4;
  const size = dataset.test.size, count = dataset.test.samples.length;
  const images = normalize(dataset.test.images, dataset.meanImage);
  const levels = await embedImageSet(encoder, images, count, size, (k) => (k === top ? stride : Math.max(32, k)));
  const level = levels.get(top)!;
  const perImage = level.grid * level.grid;
  const labels = new Uint8Array(count * perImage);
  for (let i = 0; i < count; i++) {
    const mask = dataset.test.masks!.subarray(i * size * size, (i + 1) * size * size);
    labels.set(patchLabels(mask, size, top, level.stride, level.grid), i * perImage);
  }
  return { data: level.data, dim: level.dim, labels, patchSize: top, stride: level.stride };
}

// The case selection lives in src/inspect/ (eval's run report picks its gallery the same way).
export { type CaseSelection, selectCases } from "../../inspect/cases.ts";

/**
 * One test image of an inspected run as an anomaly-map item (image, map, mask, score, the
 * pixel F1-max threshold, title `category/defect/file`).
 *
 * @param run the inspected run
 * @param index test image index
 * @param key map key. Default the main map (`mult`).
 * @returns the item for `anomalyMapPanel` / `anomalyMapGallery`
 */
export function mapItem(run: RunInspection, index: number, key = run.inspection.mainKey): AnomalyMapItem {
  const { dataset, inspection } = run;
  const size = dataset.test.size, sample = dataset.test.samples[index];
  const name = sample.path.split("/").pop()!.replace(/\.[^.]+$/, "");
  return {
    image: dataset.test.images.subarray(index * size * size * 3, (index + 1) * size * size * 3),
    map: inspection.maps[key][index],
    mask: sample.label ? run.masks[index] : null,
    size,
    score: inspection.scores[key][index],
    threshold: run.thresholds.pixel,
    title: `${run.category}/${sample.defect}/${name}`,
  };
}

/** Readable names of the map keys. */
const KEY_NAMES: Record<string, string> = {
  k64: "K=64",
  k32: "K=32",
  k128: "K=128",
  sum: "fused (sum)",
  mult: "fused (mult)",
};

/**
 * ROC curves of a run, one per map key: detection (image scores) and segmentation (all test
 * pixels pooled, thinned to `maxPoints`).
 *
 * @param run the inspected run
 * @param maxPoints points kept per pixel curve. Default 1500.
 * @returns image- and pixel-level curves, named by map with their AUC
 */
export function runRocCurves(run: RunInspection, maxPoints = 1500): { image: NamedRocCurve[]; pixel: NamedRocCurve[] } {
  const keys = run.inspection.keys;
  const name = (k: string) => KEY_NAMES[k] ?? k;
  return {
    image: keys.map((k) => ({
      name: name(k),
      ...rocCurve(run.inspection.scores[k], run.labels),
      auc: run.auroc.image[k],
    })),
    pixel: keys.map((k) => ({
      name: name(k),
      ...pixelRocCurve(run.inspection.maps[k], run.masks, { maxPoints }),
      auc: run.auroc.pixel[k],
    })),
  };
}
