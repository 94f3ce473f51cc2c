/**
 * The paper's Table 1 reproduced from the authors' checkpoints: per category our detection and
 * segmentation AUROC (main map, `mult`), AUPRO and evaluation time beside the paper's AUROCs,
 * the mean over the categories present, and which categories were skipped and why.
 * Pure functions: rows in, text out.
 *
 * @module
 */

import { PAPER_TABLE1 } from "../lab/plot/paper.ts";
import type { AurocRow } from "../lab/plot/auroc_table.ts";

/** One evaluated category. AUROC and AUPRO are fractions in [0, 1]. */
export interface Table1Row {
  /** MVTec AD category. */
  category: string;
  /** Detection (image) AUROC of the main map. */
  det: number;
  /** Segmentation (pooled pixel) AUROC of the main map; null when evaluated without masks. */
  seg: number | null;
  /** AUPRO (FPR up to 0.3) of the main map; null without masks. */
  aupro: number | null;
  /** Wall seconds to import and evaluate the category. */
  seconds: number;
}

/** Categories left out of a table, by reason. */
export interface Table1Skipped {
  /** Categories with a checkpoint but no folder under the dataset root. */
  noData: string[];
  /** Categories with data (or asked for) but no checkpoint. */
  noCheckpoint: string[];
}

/** The paper's number for a category, if Table 1 has one. */
function paperOf(category: string): { det: number; seg: number } | undefined {
  return category === "mean" ? undefined : PAPER_TABLE1[category];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * The mean row over the rows given: our metrics, and the paper's over the same categories
 * (not its 15-class mean, so that the two means compare like with like).
 *
 * @param rows evaluated categories (at least one)
 * @returns our means (seg/aupro null when any row lacks them), the paper's mean over the
 *   categories it reports (null when none), and the total seconds
 * @example
 * ```ts
 * import { table1Mean } from "./table1_table.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 * const m = table1Mean([
 *   { category: "bottle", det: 0.97, seg: 0.98, aupro: 0.86, seconds: 100 },
 *   { category: "transistor", det: 0.93, seg: 0.97, aupro: 0.80, seconds: 200 },
 * ]);
 * ok(Math.abs(m.paper!.det - (0.986 + 0.915) / 2) < 1e-12);
 * strictEqual(m.seconds, 300);
 * ```
 */
export function table1Mean(rows: Table1Row[]): {
  det: number;
  seg: number | null;
  aupro: number | null;
  paper: { det: number; seg: number } | null;
  seconds: number;
} {
  if (rows.length === 0) throw new RangeError("Expected at least one evaluated category but found none");
  const segs = rows.map((r) => r.seg), apros = rows.map((r) => r.aupro);
  const papers = rows.map((r) => paperOf(r.category)).filter((p) => p !== undefined);
  return {
    det: mean(rows.map((r) => r.det)),
    seg: segs.every((s) => s !== null) ? mean(segs as number[]) : null,
    aupro: apros.every((s) => s !== null) ? mean(apros as number[]) : null,
    paper: papers.length ? { det: mean(papers.map((p) => p.det)), seg: mean(papers.map((p) => p.seg)) } : null,
    seconds: rows.reduce((a, r) => a + r.seconds, 0),
  };
}

/** A fraction as a 3-decimal string, `–` for a missing value. */
function f3(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : v.toFixed(3);
}

/** A signed difference to 3 decimals, `–` when either side is missing. */
function diff(ours: number | null, paper: number | undefined): string {
  if (ours === null || paper === undefined) return "–";
  const d = ours - paper;
  return `${d >= 0 ? "+" : ""}${d.toFixed(3)}`;
}

/**
 * The line naming the categories skipped, or an empty string when none was.
 *
 * @param skipped categories without data and without a checkpoint
 * @returns e.g. `Skipped: no data for cable, capsule; no checkpoint for foo.`
 */
export function skippedLine(skipped: Table1Skipped): string {
  const parts = [
    skipped.noData.length ? `no data for ${skipped.noData.join(", ")}` : "",
    skipped.noCheckpoint.length ? `no checkpoint for ${skipped.noCheckpoint.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? `Skipped: ${parts.join("; ")}.` : "";
}

/**
 * Table 1 as markdown: one line per category, then the mean over the categories present, then
 * the skipped line; AUROC and AUPRO as fractions to 3 decimals, Δ = ours − paper.
 *
 * @param rows evaluated categories, in table order
 * @param skipped categories left out
 * @param preamble lines above the table (what it is, the command, the machine)
 * @returns the markdown, ending in a newline
 * @example
 * ```ts
 * import { table1Markdown } from "./table1_table.ts";
 * import { ok } from "node:assert/strict";
 * const md = table1Markdown([{ category: "bottle", det: 0.973, seg: 0.978, aupro: 0.865, seconds: 128 }], {
 *   noData: ["cable"],
 *   noCheckpoint: [],
 * });
 * ok(md.includes("| bottle | 0.973 | 0.986 | -0.013 | 0.978 | 0.981 | -0.003 | 0.865 | 128 |"));
 * ok(md.includes("Skipped: no data for cable."));
 * ```
 */
export function table1Markdown(rows: Table1Row[], skipped: Table1Skipped, preamble: string[] = []): string {
  const lines = [
    ...preamble,
    ...(preamble.length ? [""] : []),
    "| category | det | det (paper) | Δ det | seg | seg (paper) | Δ seg | AUPRO | time (s) |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => {
      const p = paperOf(r.category);
      return `| ${r.category} | ${f3(r.det)} | ${f3(p?.det)} | ${diff(r.det, p?.det)} | ${f3(r.seg)} | ${
        f3(p?.seg)
      } | ${diff(r.seg, p?.seg)} | ${f3(r.aupro)} | ${r.seconds.toFixed(0)} |`;
    }),
  ];
  if (rows.length > 0) {
    const m = table1Mean(rows);
    lines.push(
      `| **mean of ${rows.length}** | ${f3(m.det)} | ${f3(m.paper?.det)} | ${diff(m.det, m.paper?.det)} | ${
        f3(m.seg)
      } | ${f3(m.paper?.seg)} | ${diff(m.seg, m.paper?.seg)} | ${f3(m.aupro)} | ${m.seconds.toFixed(0)} |`,
    );
  }
  const skip = skippedLine(skipped);
  if (skip) lines.push("", skip);
  return lines.join("\n") + "\n";
}

/**
 * Table 1 as CSV: `category,det,det_paper,seg,seg_paper,aupro,seconds`, one line per category
 * and a `mean` line (paper columns empty where the paper has no number, our seg/aupro empty
 * without masks). Skipped categories are not rows; the markdown names them.
 *
 * @param rows evaluated categories
 * @returns the CSV, ending in a newline
 */
export function table1Csv(rows: Table1Row[]): string {
  const v = (x: number | null | undefined) => (x === null || x === undefined ? "" : String(x));
  const lines = ["category,det,det_paper,seg,seg_paper,aupro,seconds"];
  for (const r of rows) {
    const p = paperOf(r.category);
    lines.push([r.category, v(r.det), v(p?.det), v(r.seg), v(p?.seg), v(r.aupro), r.seconds.toFixed(1)].join(","));
  }
  if (rows.length > 0) {
    const m = table1Mean(rows);
    lines.push(
      ["mean", v(m.det), v(m.paper?.det), v(m.seg), v(m.paper?.seg), v(m.aupro), m.seconds.toFixed(1)].join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Rows for {@linkcode aurocTable} (the dot-table figure): one per category with segmentation
 * AUROC, and a `mean` row beside the paper's mean over the same categories.
 *
 * @param rows evaluated categories
 * @param method the method's name in the legend
 * @returns the figure's rows (empty when no row has a segmentation AUROC)
 */
export function table1AurocRows(rows: Table1Row[], method: string): AurocRow[] {
  const withSeg = rows.filter((r) => r.seg !== null);
  const out: AurocRow[] = withSeg.map((r) => ({
    category: r.category,
    method,
    ours: { det: r.det, seg: r.seg! },
    paper: paperOf(r.category),
  }));
  if (withSeg.length > 1) {
    const m = table1Mean(withSeg);
    out.push({ category: "mean", method, ours: { det: m.det, seg: m.seg! }, paper: m.paper ?? undefined });
  }
  return out;
}
