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
  /** Axis values of the row (seed and category excluded; empty for the untrained row). */
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
  /** True for the untrained-encoder row (sweeps with `"untrained": true` only). */
  untrained?: boolean;
  /**
   * A trained row's gain over the untrained encoder (sweeps with `"untrained": true` only): per seed,
   * this row's AUROC minus the untrained cell's of the same seed, category and map, then mean and std
   * over the seeds where both are finished (n = 0 where the untrained encoder lacks the map).
   */
  gain?: { det: Stat; seg: Stat };
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
 * and then "mean", every requested map the configuration has. When the grid has untrained-encoder
 * cells, their rows come first (marked `untrained`) and every trained row gets its `gain` over them.
 *
 * The "mean" row averages over categories per seed first (only seeds where every category
 * is finished count), then takes mean and std over those seeds.
 *
 * @param cells the full expanded grid
 * @param metrics finished cells' metrics by cell id (absent: not finished)
 * @param maps requested map keys (`main` = the configuration's main map)
 * @param categories the sweep's categories, in order
 * @returns rows; a row with n = 0 has no finished cell yet
 * @example
 * ```ts
 * import { parseSweep } from "./schema.ts";
 * import { expandGrid } from "./grid.ts";
 * import { buildTable } from "./table.ts";
 * const sweep = parseSweep({ categories: ["bottle"], budget: { steps: 1 }, maps: ["mult"], untrained: true, lambda: [1] }, "l.json");
 * const cells = expandGrid(sweep, { kind: "folder" });
 * const auroc = (v: number) => ({ image_auroc: { mult: v }, pixel_auroc: { mult: v }, main: "mult" });
 * const rows = buildTable(cells, new Map([[cells[0].id, auroc(0.9)], [cells[1].id, auroc(0.95)]]), ["mult"], ["bottle"]);
 * if (!rows[0].untrained || Math.abs(rows[2].gain!.det.mean - 0.05) > 1e-12) throw new Error();
 * ```
 */
export function buildTable(
  cells: Cell[],
  metrics: ReadonlyMap<string, CellMetrics>,
  maps: string[],
  categories: string[],
): TableRow[] {
  const groups = new Map<string, Cell[]>();
  for (const cell of cells) {
    if (cell.untrained) continue;
    const key = JSON.stringify(cell.axes);
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  const untrained = cells.filter((c) => c.untrained);
  const rows: TableRow[] = [];
  if (untrained.length) {
    for (const r of groupRows(untrained, metrics, maps, categories)) {
      rows.push({ axes: {}, category: r.category, map: r.map, det: r.det, seg: r.seg, paper: null, untrained: true });
    }
  }
  for (const group of groups.values()) {
    const config = group[0].config;
    for (const r of groupRows(group, metrics, maps, categories)) {
      const row: TableRow = {
        axes: group[0].axes,
        category: r.category,
        map: r.map,
        det: r.det,
        seg: r.seg,
        paper: paperNumber(config, r.map, r.category === "mean" ? { mean: categories } : r.category),
      };
      if (untrained.length) {
        const base = seedValues(untrained, metrics, r.category, r.map, categories);
        const det: number[] = [], seg: number[] = [];
        for (const [seed, [d, s]] of r.perSeed) {
          const u = base.get(seed);
          if (u) (det.push(d - u[0]), seg.push(s - u[1]));
        }
        row.gain = { det: meanStd(det), seg: meanStd(seg) };
      }
      rows.push(row);
    }
  }
  return rows;
}

/** Rows of one group of cells (same axis values): per category then "mean", per requested map it has. */
function groupRows(
  group: Cell[],
  metrics: ReadonlyMap<string, CellMetrics>,
  maps: string[],
  categories: string[],
): { category: string; map: string; det: Stat; seg: Stat; perSeed: Map<number, [number, number]> }[] {
  const available = mapKeysOf(group[0].config);
  const resolved = [...new Set(maps.map((m) => (m === "main" ? available[available.length - 1] : m)))]
    .filter((m) => available.includes(m));
  const out = [];
  for (const category of [...categories, "mean"]) {
    for (const map of resolved) {
      const perSeed = seedValues(group, metrics, category, map, categories);
      const values = [...perSeed.values()];
      out.push({
        category,
        map,
        det: meanStd(values.map((v) => v[0])),
        seg: meanStd(values.map((v) => v[1])),
        perSeed,
      });
    }
  }
  return out;
}

/**
 * Per seed (in the group's seed order), [det, seg] of one category and map, or their mean over all
 * categories for "mean" (only seeds where every category is finished).
 */
function seedValues(
  group: Cell[],
  metrics: ReadonlyMap<string, CellMetrics>,
  category: string,
  map: string,
  categories: string[],
): Map<number, [number, number]> {
  const value = (cell: Cell | undefined, which: "image_auroc" | "pixel_auroc") => {
    const v = cell && metrics.get(cell.id)?.[which][map];
    return typeof v === "number" ? v : undefined;
  };
  const find = (seed: number, c: string) => group.find((cell) => cell.seed === seed && cell.category === c);
  const out = new Map<number, [number, number]>();
  for (const seed of new Set(group.map((c) => c.seed))) {
    const names = category === "mean" ? categories : [category];
    const ds = names.map((c) => value(find(seed, c), "image_auroc"));
    const ss = names.map((c) => value(find(seed, c), "pixel_auroc"));
    if (ds.every((v) => v !== undefined) && ss.every((v) => v !== undefined)) {
      out.set(seed, [mean(ds as number[]), mean(ss as number[])]);
    }
  }
  return out;
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
 * paper_det, paper_seg, paper_source (empty where there is no value). When the rows include the
 * untrained encoder, a leading `training` column ("untrained" or "trained") and trailing gain_n,
 * gain_det_mean, gain_det_std, gain_seg_mean, gain_seg_std columns (empty on the untrained rows).
 *
 * @param rows rows from {@linkcode buildTable}
 * @param axisNames axis column names, in order
 * @returns CSV text with a header line
 */
export function tableCsv(rows: TableRow[], axisNames: string[]): string {
  const withGain = rows.some((r) => r.untrained);
  const header = [
    ...(withGain ? ["training"] : []),
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
    ...(withGain ? ["gain_n", "gain_det_mean", "gain_det_std", "gain_seg_mean", "gain_seg_std"] : []),
  ];
  const lines = rows.map((r) =>
    [
      ...(withGain ? [r.untrained ? "untrained" : "trained"] : []),
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
      ...(withGain
        ? [
          r.gain?.det.n ?? "",
          num(r.gain?.det.mean),
          num(r.gain?.det.std),
          num(r.gain?.seg.mean),
          num(r.gain?.seg.std),
        ]
        : []),
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
 * The table as Markdown with a preamble (sweep, budget, completeness, how to read it). When the rows
 * include the untrained encoder, a leading `training` column and trailing gain columns (signed).
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
  const withGain = rows.some((r) => r.untrained);
  if (withGain) {
    out.push(
      "- untrained: the base configuration trained for 0 steps (same seeds); gain: per seed, a trained row's AUROC " +
        "minus the untrained encoder's (same category and map), mean ± std over seeds (blank where the untrained " +
        "encoder lacks the map; `(n = k)` where fewer seeds than the row's have both cells finished).",
    );
  }
  if (info.stale.length) out.push(`- ignored run folders not in the current sweep file: ${info.stale.join(", ")}`);
  out.push("");
  // The gain's seed count is said where it is fewer than the row's (an untrained cell not finished).
  const signed = (s: Stat | undefined, n: number) => {
    if (!s || Number.isNaN(s.mean)) return "";
    const m = `${s.mean >= 0 ? "+" : "-"}${Math.abs(s.mean).toFixed(3)}`;
    return (s.std === null ? m : `${m} ± ${s.std.toFixed(3)}`) + (s.n < n ? ` (n = ${s.n})` : "");
  };
  const header = [
    ...(withGain ? ["training"] : []),
    ...axisNames,
    "category",
    "map",
    "n",
    "det AUROC",
    "seg AUROC",
    "paper det",
    "paper seg",
    "paper source",
    ...(withGain ? ["gain det", "gain seg"] : []),
  ];
  out.push(`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`);
  for (const r of rows) {
    const cells = [
      ...(withGain ? [r.untrained ? "untrained" : "trained"] : []),
      ...axisNames.map((a) => String(r.axes[a] ?? "")),
      r.category,
      r.map,
      String(r.det.n),
      pm(r.det),
      pm(r.seg),
      r.paper ? r.paper.det.toFixed(3) : "",
      r.paper ? r.paper.seg.toFixed(3) : "",
      r.paper?.source ?? "",
      ...(withGain ? [signed(r.gain?.det, r.det.n), signed(r.gain?.seg, r.seg.n)] : []),
    ];
    out.push(`| ${cells.join(" | ")} |`);
  }
  return out.join("\n") + "\n";
}
