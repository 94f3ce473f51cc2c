/**
 * Write `RUN/report.html` after an evaluation: read the run's training log and summary, draw the
 * report's figures, encode them as data URIs (line figures as SVG, the photographic gallery as
 * JPEG) and write the page atomically.
 *
 * @module
 */

import sharp from "sharp";
import type { Dataset } from "../../data/dataset.ts";
import { readLossLog } from "../../util/json_lines.ts";
import type { Inspection } from "../../inspect/evaluate.ts";
import type { MetricsRecord } from "../../inspect/report.ts";
import type { Figure } from "../plot/figure.ts";
import { writeFileAtomic } from "../../util/atomic.ts";
import { casesFigure, rocFigures, trainingFigure } from "./figures.ts";
import { type ReportFigure, runReportHtml } from "./html.ts";

/** The report's file name inside a run folder. */
export const REPORT_FILE = "report.html";

/** What {@linkcode writeRunReport} needs from an evaluation. */
export interface RunReportInput {
  /** The evaluation's metrics (as written to `metrics.json`). */
  metrics: MetricsRecord;
  /** Its maps and scores. */
  inspection: Inspection;
  /** The test set they belong to. */
  dataset: Dataset;
}

/** Base64 of bytes (chunked: a gallery JPEG is hundreds of kB). */
function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * A figure as an SVG data URI.
 *
 * @param figure the figure
 * @param title heading in the report
 * @param alt alt text
 * @returns the encoded figure
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { Figure } from "../plot/figure.ts";
 * import { svgFigure } from "./write.ts";
 * const f = svgFigure(new Figure('<circle cx="5" cy="5" r="4"/>', 10, 10), "a dot", "a black dot");
 * strictEqual(f.dataUri.startsWith("data:image/svg+xml;base64,"), true);
 * ```
 */
export function svgFigure(figure: Figure, title: string, alt: string): ReportFigure {
  const dataUri = `data:image/svg+xml;base64,${base64(new TextEncoder().encode(figure.svg))}`;
  return { title, alt, dataUri, width: figure.width, height: figure.height };
}

/**
 * A figure as a JPEG data URI (for figures made of photographs, where SVG with embedded PNGs is
 * several times larger).
 *
 * @param figure the figure
 * @param title heading in the report
 * @param alt alt text
 * @param dpi resolution (the SVG is taken as 72 dpi). Default 108, 1.5 pixels per CSS px.
 * @returns the encoded figure
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { Figure } from "../plot/figure.ts";
 * import { jpegFigure } from "./write.ts";
 * const f = await jpegFigure(new Figure('<rect width="10" height="10" fill="red"/>', 10, 10), "red", "a red square");
 * strictEqual(f.dataUri.startsWith("data:image/jpeg;base64,"), true);
 * ```
 */
export async function jpegFigure(figure: Figure, title: string, alt: string, dpi = 108): Promise<ReportFigure> {
  const bytes = await sharp(new TextEncoder().encode(figure.svg), { density: dpi })
    .flatten({ background: "#ffffff" })
    .jpeg({ quality: 80, mozjpeg: true })
    .toBuffer();
  const dataUri = `data:image/jpeg;base64,${base64(new Uint8Array(bytes))}`;
  return { title, alt, dataUri, width: figure.width, height: figure.height };
}

/**
 * Draw the report of an evaluated run and write it to `RUN/report.html` (temporary file, then
 * rename: a killed eval leaves the previous report or none).
 *
 * @param run the run folder
 * @param input the evaluation's metrics, maps and test set
 * @returns the path written
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs an evaluated run
 * await writeRunReport("runs/bottle", { metrics: record, inspection, dataset });
 * ```
 */
export async function writeRunReport(run: string, input: RunReportInput): Promise<string> {
  const { metrics, inspection, dataset } = input;
  const figures: ReportFigure[] = [];
  const notes: string[] = [];
  const log = await readLossLog(`${run}/train_log.jsonl`);
  const training = trainingFigure(log);
  if (training) {
    figures.push(svgFigure(training, "Training curves", "loss terms against training step, from train_log.jsonl"));
  } else notes.push("No training curves: the run has no train_log.jsonl (e.g. imported weights or --steps 0).");
  const [image, pixel] = rocFigures(inspection, dataset, metrics);
  figures.push(svgFigure(image, "ROC curves, image level", "detection ROC curve of every map"));
  if (pixel) figures.push(svgFigure(pixel, "ROC curves, pixel level", "segmentation ROC curve of every map"));
  const cases = casesFigure(inspection, dataset, metrics);
  if (cases) {
    figures.push(
      await jpegFigure(cases, "Best and worst cases", "test images with their anomaly maps, best and worst scored"),
    );
  }
  const summary = await Deno.readTextFile(`${run}/train_summary.json`).then(JSON.parse, () => null);
  const runConfig = await Deno.readTextFile(`${run}/config.json`).then(JSON.parse, () => null);
  if (typeof runConfig?.imported_from === "string") {
    notes.unshift(
      `Weights imported from ${runConfig.imported_from} (deno task import-weights or table1), not trained here.`,
    );
  }
  const html = runReportHtml({
    run,
    metrics,
    figures,
    trainSummary: summary,
    generatedAt: new Date().toISOString(),
    notes,
  });
  const path = `${run}/${REPORT_FILE}`;
  await writeFileAtomic(path, new TextEncoder().encode(html));
  return path;
}
