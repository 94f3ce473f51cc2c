/**
 * Ablation tables: mean and standard deviation over seeds of detection and segmentation
 * AUROC, per category and averaged over categories, with the paper's number beside ours
 * where it has one. Pure functions: cells and metrics in, rows and text out.
 *
 * @module
 */

import type { RunConfig } from "../../config.ts";
import type { Cell } from "./grid.ts";
import { type PaperNumber, paperNumber } from "./paper.ts";

/** The part of `metrics.json` a table reads. */
export interface CellMetrics {
  /** Detection AUROC per map key. */
  image_auroc: Record<string, number>;
  /** Segmentation AUROC per map key. */
  pixel_auroc: Record<string, number>;
  /** The main map's key. */
  main: string;
}

/** Mean and spread of a metric over seeds. */
export interface Stat {
  /** Mean (NaN when n = 0). */
  mean: number;
  /** Sample standard deviation (n - 1); null when n < 2. */
  std: number | null;
  /** Number of values (seeds). */
  n: number;
}

/** One row of the table. */
export interface TableRow {
  /** Axis values of the row (seed and category excluded). */
  axes: Record<string, number | string>;
  /** Category, or "mean" for the average over categories. */
  category: string;
  /** Map key (`k64`, `k32`, `sum`, `mult`); `main` resolved to the cell's main map. */
  map: string;
  /** Detection (image) AUROC over seeds. */
  det: Stat;
  /** Segmentation (pixel) AUROC over seeds. */
  seg: Stat;
  /** The paper's number, if it has one for this row. */
  paper: PaperNumber | null;
}

/**
 * Mean and sample standard deviation (n - 1 in the denominator).
 *
 * @param values the values (one per seed)
 * @returns mean (NaN for none), std (null for fewer than 2) and n
 * @example
 * ```ts
 * import { meanStd } from "./table.ts";
 * const s = meanStd([1, 2, 3]);
 * if (s.mean !== 2 || s.std !== 1 || s.n !== 3) throw new Error();
 * ```
 */
export function meanStd(values: number[]): Stat {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: null, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, std: null, n };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(ss / (n - 1)), n };
}

/**
 * The map keys an evaluation of this configuration produces: one per level, top first
 * (hier K=64: k64, k32), then `sum` and `mult` when there are several levels; the flat
 * encoder has the single level k64.
 *
 * @param config the run configuration
 * @returns the keys
 */
export function mapKeysOf(config: RunConfig): string[] {
  const t = config.train;
  if (t.encoder === "flat") return [`k${t.patchSize}`];
  const keys: string[] = [];
  for (let k = t.patchSize; k >= 32; k /= 2) keys.push(`k${k}`);
  return keys.length > 1 ? [...keys, "sum", "mult"] : keys;
}

/**
 * Build the table rows: for every combination of axis values (grid order), every category
 * and then "mean", every requested map the configuration has.
 *
 * The "mean" row averages over categories per seed first (only seeds where every category
 * is finished count), then takes mean and std over those seeds.
 *
 * @param cells the full expanded grid
 * @param metrics finished cells' metrics by cell id (absent: not finished)
 * @param maps requested map keys (`main` = the configuration's main map)
 * @param categories the sweep's categories, in order
 * @returns rows; a row with n = 0 has no finished cell yet
 */
export function buildTable(
  cells: Cell[],
  metrics: ReadonlyMap<string, CellMetrics>,
  maps: string[],
  categories: string[],
): TableRow[] {
  const groups = new Map<string, Cell[]>();
  for (const cell of cells) {
    const key = JSON.stringify(cell.axes);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const rows: TableRow[] = [];
  for (const group of groups.values()) {
    const config = group[0].config;
    const available = mapKeysOf(config);
    const resolved = [...new Set(maps.map((m) => (m === "main" ? available[available.length - 1] : m)))]
      .filter((m) => available.includes(m));
    const seeds = [...new Set(group.map((c) => c.seed))];
    const value = (cell: Cell | undefined, map: string, which: "image_auroc" | "pixel_auroc") => {
      const v = cell && metrics.get(cell.id)?.[which][map];
      return typeof v === "number" ? v : undefined;
    };
    const find = (seed: number, category: string) => group.find((c) => c.seed === seed && c.category === category);
    for (const category of [...categories, "mean"]) {
      for (const map of resolved) {
        const det: number[] = [], seg: number[] = [];
        for (const seed of seeds) {
          if (category !== "mean") {
            const d = value(find(seed, category), map, "image_auroc");
            const s = value(find(seed, category), map, "pixel_auroc");
            if (d !== undefined && s !== undefined) (det.push(d), seg.push(s));
            continue;
          }
          const ds = categories.map((c) => value(find(seed, c), map, "image_auroc"));
          const ss = categories.map((c) => value(find(seed, c), map, "pixel_auroc"));
          if (ds.every((v) => v !== undefined) && ss.every((v) => v !== undefined)) {
            det.push(mean(ds as number[]));
            seg.push(mean(ss as number[]));
          }
        }
        rows.push({
          axes: group[0].axes,
          category,
          map,
          det: meanStd(det),
          seg: meanStd(seg),
          paper: paperNumber(config, map, category === "mean" ? { mean: categories } : category),
        });
      }
    }
  }
  return rows;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

const num = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined || Number.isNaN(v) ? "" : String(+v.toFixed(digits));

function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * The table as CSV: axis columns, category, map, n, det_mean, det_std, seg_mean, seg_std,
 * paper_det, paper_seg, paper_source (empty where there is no value).
 *
 * @param rows rows from {@linkcode buildTable}
 * @param axisNames axis column names, in order
 * @returns CSV text with a header line
 */
export function tableCsv(rows: TableRow[], axisNames: string[]): string {
  const header = [
    ...axisNames,
    "category",
    "map",
    "n",
    "det_mean",
    "det_std",
    "seg_mean",
    "seg_std",
    "paper_det",
    "paper_seg",
    "paper_source",
  ];
  const lines = rows.map((r) =>
    [
      ...axisNames.map((a) => r.axes[a] ?? ""),
      r.category,
      r.map,
      r.det.n,
      num(r.det.mean),
      num(r.det.std),
      num(r.seg.mean),
      num(r.seg.std),
      num(r.paper?.det),
      num(r.paper?.seg),
      r.paper?.source ?? "",
    ].map(csvField).join(",")
  );
  return [header.join(","), ...lines].join("\n") + "\n";
}

/** What the Markdown table's preamble says. */
export interface TableInfo {
  /** Sweep name. */
  name: string;
  /** Sweep file. */
  file: string;
  /** The sweep's description. */
  description: string;
  /** Budget, in words. */
  budget: string;
  /** Seeds. */
  seeds: number[];
  /** Categories. */
  categories: string[];
  /** Cells finished. */
  finished: number;
  /** Cells in the grid. */
  total: number;
  /** Ids of cells that failed (diverged, or collapsed and stopped). */
  failed: string[];
  /** Run folders that belong to no cell of the current sweep file (ignored). */
  stale: string[];
}

/**
 * The table as Markdown with a preamble (sweep, budget, completeness, how to read it).
 *
 * @param rows rows from {@linkcode buildTable}
 * @param axisNames axis column names, in order
 * @param info the preamble's facts
 * @returns Markdown text
 */
export function tableMarkdown(rows: TableRow[], axisNames: string[], info: TableInfo): string {
  const pm = (s: Stat) =>
    Number.isNaN(s.mean) ? "–" : s.std === null ? s.mean.toFixed(3) : `${s.mean.toFixed(3)} ± ${s.std.toFixed(3)}`;
  const out = [`# Ablation \`${info.name}\``, ""];
  if (info.description) out.push(info.description, "");
  out.push(
    `- sweep: \`${info.file}\`; budget: ${info.budget}; seeds: ${info.seeds.join(", ")}; categories: ${
      info.categories.join(", ")
    }`,
    `- cells finished: ${info.finished} of ${info.total}${
      info.failed.length ? `; failed (diverged or collapsed): ${info.failed.join(", ")}` : ""
    }`,
    "- AUROC as fractions, mean ± sample std over seeds (n = seeds); a `mean` row averages over categories per seed first.",
    "- paper: REFERENCE.md section 7, shown where the cell matches the paper's setting apart from the ablated field; " +
      "its ablations are means over all 15 MVTec classes, at the paper's 300-epoch budget.",
  );
  if (info.stale.length) out.push(`- ignored run folders not in the current sweep file: ${info.stale.join(", ")}`);
  out.push("");
  const header = [
    ...axisNames,
    "category",
    "map",
    "n",
    "det AUROC",
    "seg AUROC",
    "paper det",
    "paper seg",
    "paper source",
  ];
  out.push(`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`);
  for (const r of rows) {
    const cells = [
      ...axisNames.map((a) => String(r.axes[a] ?? "")),
      r.category,
      r.map,
      String(r.det.n),
      pm(r.det),
      pm(r.seg),
      r.paper ? r.paper.det.toFixed(3) : "",
      r.paper ? r.paper.seg.toFixed(3) : "",
      r.paper?.source ?? "",
    ];
    out.push(`| ${cells.join(" | ")} |`);
  }
  return out.join("\n") + "\n";
}
