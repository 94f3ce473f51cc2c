/**
 * The run report `eval` writes next to `metrics.json`: `RUN/report.html`, one self-contained
 * page with the metrics (and the paper's numbers), training and ROC curves, the best and worst
 * anomaly maps, the timings and the config.
 *
 * - {@linkcode runReportHtml}: records in, HTML out (pure).
 * - {@linkcode casesFigure}, {@linkcode rocFigures}, {@linkcode trainingFigure}: its figures (pure).
 * - {@linkcode writeRunReport}: draws, encodes and writes the page.
 *
 * @module
 */

export { escapeHtml, mapName, type ReportFigure, type RunReport, runReportHtml } from "./html.ts";
export { casesFigure, rocFigures, trainingFigure } from "./figures.ts";
export { jpegFigure, REPORT_FILE, type RunReportInput, svgFigure, writeRunReport } from "./write.ts";
