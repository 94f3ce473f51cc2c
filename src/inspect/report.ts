/**
 * The metrics record `eval` writes to `RUN/metrics.json`: image and pooled pixel AUROC
 * per map, AUPRO, F1-max and per-defect image AUROC of the main map.
 *
 * @module
 */

import type { SanityWarning } from "../metrics/sanity.ts";
import type { Dataset } from "../data/dataset.ts";
import { aupro } from "../metrics/aupro.ts";
import { auroc } from "../metrics/auroc.ts";
import { f1Max, pixelF1Max } from "../metrics/f1_max.ts";
import { perDefectAuroc } from "../metrics/per_defect.ts";
import { pixelAuroc } from "../metrics/pixel.ts";
import type { Inspection } from "./evaluate.ts";

/**
 * Where the pixel-level ground truth came from: `"ground_truth"` (the dataset's masks) or
 * `"none"` (`eval --no-masks`: image-level metrics only, every pixel metric null).
 */
export type MaskSource = "ground_truth" | "none";

/** Contents of `metrics.json`. */
export interface MetricsRecord {
  /** Category name. */
  category: string;
  /**
   * Pixel-level ground truth used; with "none" every pixel metric is null. Absent in records
   * written before `--no-masks` existed, which all used the ground truth.
   */
  masks?: MaskSource;
  /** Detection AUROC per map key (k64, k32, sum, mult). */
  image_auroc: Record<string, number>;
  /** Segmentation AUROC (all test pixels pooled) per map key; null without masks. */
  pixel_auroc: Record<string, number> | null;
  /** AUPRO up to FPR 0.3 of the main map; null without masks. */
  aupro: number | null;
  /** F1-max of the main map, image- and pixel-level (the pixel ones null without masks). */
  f1_max: { image: number; pixel: number | null; image_threshold: number; pixel_threshold: number | null };
  /** Detection AUROC of each defect type against the good images (main map). */
  per_defect_image_auroc: Record<string, number>;
  /** The main map's key. */
  main: string;
  /** Seconds per phase. */
  timing_s: Record<string, number>;
  /** Run and inspection configuration. */
  config: Record<string, unknown>;
  /**
   * Sanity findings (src/metrics/sanity.ts): inverted scores, or a trained encoder below the untrained
   * one; empty when all is well. Absent in records written before the check existed.
   */
  warnings?: SanityWarning[];
}

/**
 * Compute every metric of an inspection.
 *
 * @param inspection maps and scores
 * @param dataset the dataset (labels, masks, defect names)
 * @param config configuration to record
 * @param masks "ground_truth" (default) computes the pixel metrics from the dataset's masks; "none" leaves them null
 * @returns the record (timing filled from the inspection; callers may add phases)
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs an inspection of a trained model and its loaded dataset
 * const record = metricsRecord(inspection, dataset, config, "none"); // record.pixel_auroc === null
 * ```
 */
export function metricsRecord(
  inspection: Inspection,
  dataset: Dataset,
  config: Record<string, unknown>,
  masks: MaskSource = "ground_truth",
): MetricsRecord {
  const samples = dataset.test.samples;
  const size = dataset.test.size;
  const labels = Uint8Array.from(samples, (s) => s.label);
  const truth = masks === "none"
    ? null
    : samples.map((_, i) => dataset.test.masks!.subarray(i * size * size, (i + 1) * size * size));
  const t0 = performance.now();
  const image_auroc: Record<string, number> = {};
  const pixel_auroc: Record<string, number> = {};
  for (const key of inspection.keys) {
    image_auroc[key] = auroc(inspection.scores[key], labels);
    if (truth) pixel_auroc[key] = pixelAuroc(inspection.maps[key], truth);
  }
  const main = inspection.mainKey;
  const imageF1 = f1Max(inspection.scores[main], labels);
  const pixelF1 = truth ? pixelF1Max(inspection.maps[main], truth) : null;
  const record: MetricsRecord = {
    category: dataset.index.category,
    masks,
    image_auroc,
    pixel_auroc: truth ? pixel_auroc : null,
    aupro: truth ? aupro(inspection.maps[main], truth, size) : null,
    f1_max: {
      image: imageF1.f1,
      pixel: pixelF1?.f1 ?? null,
      image_threshold: imageF1.threshold,
      pixel_threshold: pixelF1?.threshold ?? null,
    },
    per_defect_image_auroc: perDefectAuroc(inspection.scores[main], samples.map((s) => s.defect)),
    main,
    timing_s: { ...inspection.timing },
    config,
  };
  record.timing_s.metrics = (performance.now() - t0) / 1000;
  return record;
}
