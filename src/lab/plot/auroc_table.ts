/**
 * Table 1 as a figure and as markdown: detection and segmentation AUROC per MVTec AD class
 * and method, ours beside the paper's.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import type { DetSeg } from "./paper.ts";
import { renderPlot } from "./render.ts";
import { METRIC_NAMES, PALETTE, PAPER_COLOR } from "./theme.ts";

/** One row of the AUROC table: one class, one method. AUROC values are fractions in [0, 1]. */
export interface AurocRow {
  /** MVTec AD class (e.g. `"bottle"`), or `"mean"`. */
  category: string;
  /** Method or configuration name (e.g. `"Patch SVDD (ours)"`). */
  method: string;
  /** Our AUROCs. */
  ours: DetSeg;
  /** The paper's AUROCs for this class and method, where it reports them. */
  paper?: DetSeg;
}

/** Options of {@linkcode aurocTable}. */
export interface AurocTableOptions {
  /** Figure title. Default `"MVTec AD AUROC: ours vs. the paper"`. */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** Width in px. Default 760. */
  width?: number;
}

function checkFraction(value: number, what: string): number {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`Expected ${what} to be an AUROC in [0, 1] but found ${value}`);
  return value;
}

interface Cell {
  category: string;
  method: string;
  metric: string;
  ours: number;
  paper: number | null;
}

function cells(rows: AurocRow[]): Cell[] {
  return rows.flatMap((row) =>
    (["det", "seg"] as const).map((m) => ({
      category: row.category,
      method: row.method,
      metric: METRIC_NAMES[m],
      ours: 100 * checkFraction(row.ours[m], `${row.category}/${row.method} ours.${m}`),
      paper: row.paper ? 100 * checkFraction(row.paper[m], `${row.category}/${row.method} paper.${m}`) : null,
    }))
  );
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/**
 * Dot table of AUROC (%): one row per class (in the order given), one panel per metric, one
 * coloured dot per method with its value printed beside it, the paper's value as a black tick
 * joined to ours by a grey line (the gap).
 *
 * @param rows one row per class and method, AUROC fractions in [0, 1]
 * @param options title, subtitle, width
 * @returns the figure
 * @throws {RangeError} when `rows` is empty or an AUROC lies outside [0, 1]
 * @example
 * ```ts
 * import { aurocTable } from "./auroc_table.ts";
 * import { ok } from "node:assert/strict";
 * const figure = aurocTable([
 *   { category: "bottle", method: "ours", ours: { det: 0.97, seg: 0.96 }, paper: { det: 0.986, seg: 0.981 } },
 * ]);
 * ok(figure.svg.includes("paper"));
 * ```
 */
export function aurocTable(rows: AurocRow[], options: AurocTableOptions = {}): Figure {
  if (rows.length === 0) throw new RangeError("Expected at least one AUROC row but found none");
  const { title = "MVTec AD AUROC: ours vs. the paper", subtitle, width = 760 } = options;
  const data = cells(rows);
  const categories = unique(rows.map((r) => r.category));
  const methods = unique(rows.map((r) => r.method));
  const values = data.flatMap((c) => (c.paper === null ? [c.ours] : [c.ours, c.paper]));
  const low = Math.max(0, Math.min(50, Math.floor((Math.min(...values) - 3) / 5) * 5));
  const rowHeight = Math.max(20, 12 * methods.length + 6);
  const tickInset = methods.length > 1 ? (rowHeight - 11) / 2 : 2;
  // Methods sit at small vertical offsets inside their class's row.
  const offset = (method: string) => (methods.indexOf(method) - (methods.length - 1) / 2) * 11;
  // The x domain runs past 100 to leave room for the printed values (a "table column").
  const ticks = Array.from({ length: (100 - low) / 10 + 1 }, (_, i) => low + 10 * i).filter((t) => t <= 100);
  const right = 100 + (100 - low) * 0.42;
  const summary = categories.filter((c) => c === "mean");
  const marks: Plot.Markish[] = [
    Plot.barX(summary, { x1: low, x2: right, y: (c: string) => c, fill: "#f0f0f0" }),
    Plot.ruleX(ticks, { stroke: "#ddd" }),
    Plot.ruleX([low], { stroke: "#999" }),
  ];
  for (const method of methods) {
    const own = data.filter((c) => c.method === method);
    const withPaper = own.filter((c) => c.paper !== null);
    const dy = offset(method);
    const color = PALETTE[methods.indexOf(method) % PALETTE.length];
    marks.push(
      Plot.link(withPaper, {
        x1: "paper",
        x2: "ours",
        y1: "category",
        y2: "category",
        fx: "metric",
        dy,
        stroke: "#aaa",
      }),
      Plot.tickX(withPaper, {
        x: "paper",
        y: "category",
        fx: "metric",
        dy,
        stroke: PAPER_COLOR,
        strokeWidth: 2,
        inset: tickInset,
      }),
      Plot.dot(own, { x: "ours", y: "category", fx: "metric", dy, fill: color, r: 4 }),
      Plot.text(own, {
        x: 100,
        y: "category",
        fx: "metric",
        dy,
        dx: 6,
        text: (c: Cell) =>
          c.ours.toFixed(1) +
          (c.paper === null ? "" : ` (${(c.ours - c.paper >= 0 ? "+" : "")}${(c.ours - c.paper).toFixed(1)})`),
        textAnchor: "start",
        fill: color,
        fontVariant: "tabular-nums",
      }),
    );
  }
  const figure = renderPlot({
    width,
    height: categories.length * rowHeight + 60,
    marginLeft: 90,
    marginRight: 8,
    marginBottom: 36,
    fx: { domain: [METRIC_NAMES.det, METRIC_NAMES.seg], padding: 0.06, label: null },
    x: { domain: [low, right], label: "AUROC (%)", labelAnchor: "center", labelArrow: "none", ticks },
    y: { domain: categories, label: null, tickSize: 0, padding: 0 },
    marks,
  });
  const hasPaper = data.some((c) => c.paper !== null);
  const legend = swatchLegend([
    ...methods.map((m, i) => ({ label: m, color: PALETTE[i % PALETTE.length], shape: "dot" as const })),
    ...(hasPaper ? [{ label: "paper (Yi & Yoon 2020, Table 1)", color: PAPER_COLOR, shape: "tick" as const }] : []),
    ...(hasPaper ? [{ label: "gap to the paper", color: "#aaa", shape: "line" as const }] : []),
  ], width);
  return titled(figure, {
    title,
    subtitle: subtitle ?? "Printed: our AUROC (%) and, in brackets, its difference from the paper's.",
    legends: [legend],
  });
}

function percent(v: number | undefined): string {
  return v === undefined ? "–" : (100 * v).toFixed(1);
}

function delta(ours: number, paper: number | undefined): string {
  if (paper === undefined) return "–";
  const d = 100 * (ours - paper);
  return `${d >= 0 ? "+" : ""}${d.toFixed(1)}`;
}

/**
 * The same table as markdown: AUROC in % with one decimal, the paper's value and the
 * difference (ours - paper) for each metric; `–` where the paper reports nothing.
 *
 * @param rows one row per class and method, AUROC fractions in [0, 1]
 * @returns a markdown table (header, separator, one line per row), ending in a newline
 * @throws {RangeError} when an AUROC lies outside [0, 1]
 * @example
 * ```ts
 * import { aurocTableMarkdown } from "./auroc_table.ts";
 * import { ok } from "node:assert/strict";
 * const md = aurocTableMarkdown([{ category: "bottle", method: "ours", ours: { det: 0.99, seg: 0.97 } }]);
 * ok(md.includes("| bottle | ours | 99.0 | – | – | 97.0 | – | – |"));
 * ```
 */
export function aurocTableMarkdown(rows: AurocRow[]): string {
  cells(rows); // validates
  const lines = [
    "| class | method | det | det (paper) | Δ det | seg | seg (paper) | Δ seg |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) =>
      `| ${r.category} | ${r.method} | ${percent(r.ours.det)} | ${percent(r.paper?.det)} | ${
        delta(r.ours.det, r.paper?.det)
      } | ${percent(r.ours.seg)} | ${percent(r.paper?.seg)} | ${delta(r.ours.seg, r.paper?.seg)} |`
    ),
  ];
  return lines.join("\n") + "\n";
}
