/**
 * The metrics record `eval` writes to `RUN/metrics.json`: image and pooled pixel AUROC
 * per map, AUPRO, F1-max and per-defect image AUROC of the main map.
 *
 * @module
 */

import type { Dataset } from "../data/dataset.ts";
import { aupro } from "../metrics/aupro.ts";
import { auroc } from "../metrics/auroc.ts";
import { f1Max, pixelF1Max } from "../metrics/f1_max.ts";
import { perDefectAuroc } from "../metrics/per_defect.ts";
import { pixelAuroc } from "../metrics/pixel.ts";
import type { Inspection } from "./evaluate.ts";

/** Contents of `metrics.json`. */
export interface MetricsRecord {
  /** Category name. */
  category: string;
  /** Detection AUROC per map key (k64, k32, sum, mult). */
  image_auroc: Record<string, number>;
  /** Segmentation AUROC (all test pixels pooled) per map key. */
  pixel_auroc: Record<string, number>;
  /** AUPRO up to FPR 0.3 of the main map. */
  aupro: number;
  /** F1-max of the main map, image- and pixel-level. */
  f1_max: { image: number; pixel: number; image_threshold: number; pixel_threshold: number };
  /** Detection AUROC of each defect type against the good images (main map). */
  per_defect_image_auroc: Record<string, number>;
  /** The main map's key. */
  main: string;
  /** Seconds per phase. */
  timing_s: Record<string, number>;
  /** Run and inspection configuration. */
  config: Record<string, unknown>;
}

/**
 * Compute every metric of an inspection.
 *
 * @param inspection maps and scores
 * @param dataset the dataset (labels, masks, defect names)
 * @param config configuration to record
 * @returns the record (timing filled from the inspection; callers may add phases)
 */
export function metricsRecord(
  inspection: Inspection,
  dataset: Dataset,
  config: Record<string, unknown>,
): MetricsRecord {
  const samples = dataset.test.samples;
  const size = dataset.test.size;
  const labels = Uint8Array.from(samples, (s) => s.label);
  const masks = samples.map((_, i) => dataset.test.masks!.subarray(i * size * size, (i + 1) * size * size));
  const t0 = performance.now();
  const image_auroc: Record<string, number> = {};
  const pixel_auroc: Record<string, number> = {};
  for (const key of inspection.keys) {
    image_auroc[key] = auroc(inspection.scores[key], labels);
    pixel_auroc[key] = pixelAuroc(inspection.maps[key], masks);
  }
  const main = inspection.mainKey;
  const imageF1 = f1Max(inspection.scores[main], labels);
  const pixelF1 = pixelF1Max(inspection.maps[main], masks);
  const record: MetricsRecord = {
    category: dataset.index.category,
    image_auroc,
    pixel_auroc,
    aupro: aupro(inspection.maps[main], masks, size),
    f1_max: {
      image: imageF1.f1,
      pixel: pixelF1.f1,
      image_threshold: imageF1.threshold,
      pixel_threshold: pixelF1.threshold,
    },
    per_defect_image_auroc: perDefectAuroc(inspection.scores[main], samples.map((s) => s.defect)),
    main,
    timing_s: { ...inspection.timing },
    config,
  };
  record.timing_s.metrics = (performance.now() - t0) / 1000;
  return record;
}
