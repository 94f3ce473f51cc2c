/**
 * The run report as one self-contained HTML page: a metrics table (with the paper's numbers
 * where the category is one of MVTec AD's), the figures as data URIs, the timings and the
 * config. Pure: records in, an HTML string out; no script, no external file, so the page
 * opens anywhere (a browser, a mail attachment, a CI artefact).
 *
 * @module
 */

import type { MetricsRecord } from "../../inspect/report.ts";
import { PAPER_TABLE1 } from "../plot/paper.ts";

/** Readable names of the map keys. */
const KEY_NAMES: Record<string, string> = {
  k32: "K=32",
  k64: "K=64",
  k128: "K=128",
  sum: "fused (sum)",
  mult: "fused (mult)",
};

/**
 * The name of a map key as shown in the report.
 *
 * @param key a map key of `metrics.json` (k64, k32, sum, mult, ...)
 * @returns its readable name
 * @example
 * ```ts
 * import { mapName } from "./html.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(mapName("mult"), "fused (mult)");
 * ```
 */
export function mapName(key: string): string {
  return KEY_NAMES[key] ?? key;
}

/** One figure of the report, already encoded. */
export interface ReportFigure {
  /** Heading above the figure. */
  title: string;
  /** `data:image/...;base64,...` URI of the image. */
  dataUri: string;
  /** Display width in CSS px. */
  width: number;
  /** Display height in CSS px. */
  height: number;
  /** Alt text (what the figure shows). */
  alt: string;
}

/** Everything a run report shows. */
export interface RunReport {
  /** The run folder, as the user named it. */
  run: string;
  /** The evaluation's metrics (what `metrics.json` holds). */
  metrics: MetricsRecord;
  /** Figures in display order. */
  figures: ReportFigure[];
  /** Training summary (`train_summary.json`), when the run has one. */
  trainSummary?: Record<string, unknown> | null;
  /** When the report was made (ISO 8601). */
  generatedAt: string;
  /** Lines said under the title (e.g. a figure that could not be drawn, and why). */
  notes?: string[];
}

/**
 * Escape text for HTML content and attribute values.
 *
 * @param text any text
 * @returns the text with `& < > " '` escaped
 * @example
 * ```ts
 * import { escapeHtml } from "./html.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(escapeHtml('<a href="x">'), "&lt;a href=&quot;x&quot;&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const fmt = (x: number | null | undefined, digits = 3) =>
  typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";

/**
 * Build the report page.
 *
 * @param report the run's metrics, figures and summary
 * @returns a complete HTML document (UTF-8), with every image inline
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs a metrics record (tests/lab/report/html_test.ts builds one)
 * const html = runReportHtml({ run: "runs/x", metrics, figures: [], generatedAt: new Date().toISOString() });
 * ```
 */
export function runReportHtml(report: RunReport): string {
  const m = report.metrics;
  const e = escapeHtml;
  const noMasks = m.masks === "none" || m.pixel_auroc === null;
  const paper = PAPER_TABLE1[m.category];
  const config = m.config as Record<string, unknown>;
  const step = typeof config.step === "number" ? config.step : null;

  const rows = Object.keys(m.image_auroc).map((k) =>
    `<tr${k === m.main ? ' class="main"' : ""}><td>${e(mapName(k))}${k === m.main ? " (main)" : ""}</td>` +
    `<td>${fmt(m.image_auroc[k])}</td><td>${noMasks ? "–" : fmt(m.pixel_auroc?.[k])}</td></tr>`
  );
  if (paper) {
    rows.push(
      `<tr class="paper"><td>paper, Table 1 (fused mult, 300 epochs)</td><td>${fmt(paper.det)}</td>` +
        `<td>${fmt(paper.seg)}</td></tr>`,
    );
  }
  const metricsTable =
    `<table><thead><tr><th>map</th><th>detection AUROC</th><th>segmentation AUROC</th></tr></thead>` +
    `<tbody>${rows.join("")}</tbody></table>`;
  const other = [
    ["AUPRO (FPR ≤ 0.3)", noMasks ? "– (no masks)" : fmt(m.aupro)],
    ["F1-max, image", fmt(m.f1_max.image)],
    ["F1-max, pixel", noMasks ? "– (no masks)" : fmt(m.f1_max.pixel)],
  ];
  const perDefect = Object.entries(m.per_defect_image_auroc);
  const keyValues = (pairs: [string, string][]) =>
    `<table class="kv"><tbody>${
      pairs.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join("")
    }</tbody></table>`;

  const timings: [string, string][] = Object.entries(m.timing_s).map(([k, s]) => [`eval: ${k}`, `${fmt(s, 1)} s`]);
  const ts = report.trainSummary;
  if (ts) {
    if (typeof ts.train_seconds === "number") timings.unshift(["training", `${fmt(ts.train_seconds, 0)} s`]);
    if (typeof ts.steps === "number") timings.unshift(["training steps", String(ts.steps)]);
  }

  // Sanity findings of eval (inverted scores, worse than untrained), when the record has them.
  const warnings = ((m as { warnings?: { message?: string }[] }).warnings ?? []).map((w) => String(w.message ?? w));
  const notes = [
    ...warnings.map((w) => `<strong>warning:</strong> ${e(w)}`),
    ...(noMasks
      ? ["No ground-truth masks (<code>--no-masks</code>): image-level metrics only; every pixel metric is absent."]
      : []),
    ...(paper
      ? [
        `The paper's numbers are its Table 1 for ${e(m.category)}, after 300 epochs of training; ` +
        `a shorter run is not expected to match them.`,
      ]
      : []),
    ...(report.notes ?? []).map(e),
  ];

  const figures = report.figures.map((f) =>
    `<figure><figcaption>${e(f.title)}</figcaption><img src="${f.dataUri}" width="${Math.round(f.width)}" ` +
    `height="${Math.round(f.height)}" alt="${e(f.alt)}"></figure>`
  ).join("\n");

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Patch SVDD run report: ${e(m.category)} (${e(report.run)})</title>
<style>
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
.sub { color: #555; margin-top: 0; } table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; } td { font-variant-numeric: tabular-nums; }
tr.main td { font-weight: bold; } tr.paper td { color: #555; font-style: italic; background: #f6f6f6; }
table.kv th { background: #fafafa; font-weight: normal; } .tables { display: flex; flex-wrap: wrap; gap: 24px; }
.figures { display: flex; flex-wrap: wrap; gap: 0 24px; align-items: flex-start; } figure { margin: 16px 0; } figcaption { font-weight: bold; margin-bottom: 4px; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; } ul.notes { color: #444; }
</style>
</head>
<body>
<h1>Patch SVDD run report: ${e(m.category)}</h1>
<p class="sub">Run <code>${e(report.run)}</code>${step === null ? "" : `, checkpoint step ${step}`}` +
    `${typeof config.backend === "string" ? `, backend ${e(config.backend)}` : ""}; generated ${
      e(report.generatedAt)
    }.</p>
${notes.length ? `<ul class="notes">${notes.map((n) => `<li>${n}</li>`).join("")}</ul>` : ""}
<h2>Metrics</h2>
<div class="tables">
${metricsTable}
${keyValues(other as [string, string][])}
${
      perDefect.length
        ? `<table><thead><tr><th>defect type</th><th>detection AUROC (main map)</th></tr></thead><tbody>${
          perDefect.map(([d, x]) => `<tr><td>${e(d)}</td><td>${fmt(x)}</td></tr>`).join("")
        }</tbody></table>`
        : ""
    }
</div>
<h2>Figures</h2>
${
      figures
        ? `<div class="figures">
${figures}
</div>`
        : "<p>No figures.</p>"
    }
<h2>Timings</h2>
${keyValues(timings)}
<h2>Configuration</h2>
<pre>${e(JSON.stringify(m.config, null, 2))}</pre>
</body>
</html>
`;
}
