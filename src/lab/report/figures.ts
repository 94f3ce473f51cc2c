/**
 * The figures of a run report, from an evaluation's in-memory results: the best and worst
 * anomaly maps on one colour scale, the ROC curves of every map, and the training curves.
 * Pure: records in, {@linkcode Figure}s out (src/lab/plot does the drawing); nothing is read or written.
 *
 * @module
 */

import type { Dataset } from "../../data/dataset.ts";
import { selectCases } from "../../inspect/cases.ts";
import type { Inspection } from "../../inspect/evaluate.ts";
import type { MetricsRecord } from "../../inspect/report.ts";
import { rocCurve } from "../../metrics/auroc.ts";
import { pixelRocCurve } from "../../metrics/pixel.ts";
import { anomalyMapGallery, type AnomalyMapItem } from "../plot/anomaly_map.ts";
import type { Figure } from "../plot/figure.ts";
import { PAPER_TABLE1 } from "../plot/paper.ts";
import { rocCurves } from "../plot/roc_curves.ts";
import { trainingCurves } from "../plot/training_curves.ts";
import { mapName } from "./html.ts";

/**
 * The run's best and worst cases (the two best-detected and two worst defective images, the two
 * highest-scored good ones) on one colour scale, with the ground truth where there is one.
 *
 * @param inspection the evaluation's maps and scores
 * @param dataset the test set the maps belong to
 * @param metrics the evaluation's metrics (thresholds, AUROCs, mask source)
 * @param perGroup images per group. Default 2.
 * @returns the gallery, or null when the test set is empty
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs an evaluation's inspection and test set
 * const figure = casesFigure(inspection, dataset, record); // figure?.svg
 * ```
 */
export function casesFigure(
  inspection: Inspection,
  dataset: Dataset,
  metrics: MetricsRecord,
  perGroup = 2,
): Figure | null {
  const main = inspection.mainKey;
  const samples = dataset.test.samples;
  if (samples.length === 0) return null;
  const scores = inspection.scores[main];
  const labels = samples.map((s) => s.label);
  const cases = selectCases(scores, labels, perGroup);
  const chosen = [
    ...cases.bestDefect.map((i) => ({ i, why: "best detected defect" })),
    ...cases.worstDefect.map((i) => ({ i, why: "worst defect" })),
    ...cases.worstGood.map((i) => ({ i, why: "worst good image" })),
  ].filter((c, k, all) => all.findIndex((d) => d.i === c.i) === k); // a tiny test set repeats images
  const withMasks = metrics.masks !== "none" && metrics.f1_max.pixel_threshold !== null;
  const threshold = withMasks ? metrics.f1_max.pixel_threshold! : metrics.f1_max.image_threshold;
  // A briefly trained encoder's maps are tiny (mult of distances ~1e-4): show them scaled by a
  // power of ten so the colour scale reads, and say so.
  const top = Math.max(...chosen.map(({ i }) => scores[i]));
  const exponent = top > 0 && top < 1e-2 ? -Math.floor(Math.log10(top)) : 0;
  const scale = 10 ** exponent;
  const size = dataset.test.size, px = size * size;
  const items: AnomalyMapItem[] = chosen.map(({ i, why }) => {
    const s = samples[i];
    const name = s.path.split("/").pop()!.replace(/\.[^.]+$/, "");
    const map = inspection.maps[main][i];
    return {
      image: dataset.test.images.subarray(i * px * 3, (i + 1) * px * 3),
      map: exponent === 0 ? map : map.map((v) => v * scale),
      mask: withMasks && s.label && dataset.test.masks ? dataset.test.masks.subarray(i * px, (i + 1) * px) : null,
      size,
      score: scores[i] * scale,
      threshold: threshold * scale,
      title: `${why}: ${s.defect}/${name}`,
    };
  });
  const auroc = `Detection AUROC ${metrics.image_auroc[main].toFixed(3)}` +
    (metrics.pixel_auroc ? `, segmentation AUROC ${metrics.pixel_auroc[main].toFixed(3)}.` : ".");
  return anomalyMapGallery(items, {
    columns: items.length > 1 ? 2 : 1,
    panelSize: 184,
    title: `Best and worst cases (${mapName(main)} map)`,
    subtitle: `Ranked by image score (max of the map). ` +
      (withMasks
        ? "Predicted mask = map ≥ the pixel F1-max threshold. "
        : "No ground-truth masks (--no-masks); predicted mask = map ≥ the image F1-max threshold. ") +
      auroc + (exponent ? ` Map values, scores and threshold shown ×10^${exponent}.` : ""),
  });
}

/**
 * Image-level ROC curves of every map and, with masks, pixel-level ones (all test pixels pooled,
 * thinned), with the paper's AUROC named where the category is one of MVTec AD's.
 *
 * @param inspection the evaluation's maps and scores
 * @param dataset the test set
 * @param metrics the evaluation's metrics (AUROCs per map; pixel ones null without masks)
 * @returns the image figure, then the pixel figure (absent without masks)
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs an evaluation's inspection and test set
 * const [image, pixel] = rocFigures(inspection, dataset, record);
 * ```
 */
export function rocFigures(inspection: Inspection, dataset: Dataset, metrics: MetricsRecord): Figure[] {
  const samples = dataset.test.samples;
  const labels = Uint8Array.from(samples, (s) => s.label);
  const paper = PAPER_TABLE1[metrics.category];
  const figures = [
    rocCurves(
      inspection.keys.map((k) => ({
        name: mapName(k),
        ...rocCurve(inspection.scores[k], labels),
        auc: metrics.image_auroc[k],
      })),
      {
        title: "Image-level ROC (detection)",
        subtitle: `${samples.length} test images, score = max of each map.` +
          (paper ? ` The paper (${metrics.category}): AUROC ${paper.det.toFixed(3)}.` : ""),
        size: 360,
      },
    ),
  ];
  if (metrics.pixel_auroc && dataset.test.masks) {
    const size = dataset.test.size, px = size * size;
    const masks = samples.map((_, i) => dataset.test.masks!.subarray(i * px, (i + 1) * px));
    figures.push(rocCurves(
      inspection.keys.map((k) => ({
        name: mapName(k),
        ...pixelRocCurve(inspection.maps[k], masks, { maxPoints: 1500 }),
        auc: metrics.pixel_auroc![k],
      })),
      {
        title: "Pixel-level ROC (segmentation)",
        subtitle: `All ${samples.length} test images' pixels pooled.` +
          (paper ? ` The paper (${metrics.category}): AUROC ${paper.seg.toFixed(3)}.` : ""),
        size: 360,
      },
    ));
  }
  return figures;
}

/**
 * Training curves of a run's loss log (`RUN/train_log.jsonl`, parsed).
 *
 * @param log one record per logged step
 * @returns the figure, or null when the log is empty (e.g. imported weights, `--steps 0`)
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs an evaluation's inspection and test set
 * const figure = trainingFigure(await readLossLog("runs/x/train_log.jsonl"));
 * ```
 */
export function trainingFigure(log: Record<string, number>[]): Figure | null {
  if (log.length === 0) return null;
  return trainingCurves(log, { title: "Training losses", panelWidth: 280 });
}
