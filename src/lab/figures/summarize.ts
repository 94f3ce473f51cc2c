/**
 * From committed results to the rows the figure functions draw. A sweep's `table.csv` (written
 * by `deno task ablate`: mean ± std over seeds, `mean` rows over classes, the paper's number where
 * it applies) is read as is; without a table, runs are summarised the same way: each ablation
 * keeps the runs that differ from the reference only along its own axis, averages over classes
 * within a seed, then reports mean ± std over seeds.
 *
 * @module
 */

import type { AblationRow } from "../plot/ablation_bars.ts";
import type { AurocRow } from "../plot/auroc_table.ts";
import type { LambdaRow, UntrainedLevel } from "../plot/lambda_curve.ts";
import { type DetSeg, PAPER_HIERARCHY_ABLATION, PAPER_LOSS_ABLATION, PAPER_TABLE1 } from "../plot/paper.ts";
import type { CsvTable } from "./csv.ts";
import type { AblationAxis, RunResult } from "./results.ts";

/** Mean, standard deviation (n - 1 denominator; 0 for one value) and count. */
export interface MeanStd {
  /** Mean. */
  mean: number;
  /** Sample standard deviation, 0 when n = 1. */
  std: number;
  /** Number of values. */
  n: number;
}

/**
 * Mean and sample standard deviation.
 *
 * @param values the values (at least one)
 * @returns mean, std and count
 * @throws {RangeError} when there is no value
 * @example
 * ```ts
 * import { meanStd } from "./summarize.ts";
 * meanStd([1, 3]); // { mean: 2, std: 1.4142135623730951, n: 2 }
 * ```
 */
export function meanStd(values: number[]): MeanStd {
  if (values.length === 0) throw new RangeError("Expected at least one value but found none");
  const n = values.length, mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

/**
 * Average a per-run value over classes within each seed, then over seeds.
 *
 * @param runs the runs of one configuration
 * @param value the run's value (undefined: the run does not count)
 * @returns mean ± std over seeds, or null when no run has a value
 */
export function overSeeds(runs: RunResult[], value: (run: RunResult) => number | undefined): MeanStd | null {
  const bySeed = new Map<number, number[]>();
  for (const run of runs) {
    const v = value(run);
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    const list = bySeed.get(run.traits.seed) ?? [];
    list.push(v);
    bySeed.set(run.traits.seed, list);
  }
  if (bySeed.size === 0) return null;
  return meanStd([...bySeed.values()].map((vs) => meanStd(vs).mean));
}

/**
 * Keep the runs that differ from the reference at most along the given axes.
 *
 * @param runs the runs
 * @param axes the axes allowed to differ
 * @returns the runs kept
 */
export function onlyVarying(runs: RunResult[], axes: AblationAxis[]): RunResult[] {
  return runs.filter((r) => r.traits.differs.every((axis) => axes.includes(axis)));
}

/** The main map's detection and segmentation AUROC of a run (or of one named map). */
function detSeg(run: RunResult, key = run.metrics.main): { det?: number; seg?: number } {
  return { det: run.metrics.image_auroc?.[key], seg: run.metrics.pixel_auroc?.[key] };
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    out.set(k, [...(out.get(k) ?? []), item]);
  }
  return out;
}

/** Whether every run is on an MVTec AD class (the paper's ablation numbers are MVTec means). */
function onMvtec(runs: RunResult[]): boolean {
  return runs.every((r) => r.traits.category !== "mean" && PAPER_TABLE1[r.traits.category] !== undefined);
}

/** Rows of one group (det and seg) from its runs; the paper's value only for MVTec classes. */
function groupRows(group: string, runs: RunResult[], key: (run: RunResult) => string, paper?: DetSeg): AblationRow[] {
  if (!onMvtec(runs)) paper = undefined;
  const rows: AblationRow[] = [];
  for (const metric of ["det", "seg"] as const) {
    const s = overSeeds(runs, (r) => detSeg(r, key(r))[metric]);
    if (s) rows.push({ group, metric, mean: s.mean, std: s.std, n: s.n, ...(paper ? { paper: paper[metric] } : {}) });
  }
  return rows;
}

/** Order groups: the paper's order first, then the rest in order of appearance. */
function ordered(groups: string[], paperOrder: string[]): string[] {
  return [...paperOrder.filter((g) => groups.includes(g)), ...groups.filter((g) => !paperOrder.includes(g))];
}

/**
 * The loss ablation: one group per loss combination (runs that differ from the reference only
 * in their losses), the main map's AUROC, the paper's values attached by name.
 *
 * @param runs committed runs (any sweep)
 * @returns rows for {@linkcode ablationBars} (empty when no run qualifies)
 * @example
 * ```ts
 * import { lossAblationRows } from "./summarize.ts";
 * lossAblationRows([]); // []
 * ```
 */
export function lossAblationRows(runs: RunResult[]): AblationRow[] {
  const groups = groupBy(onlyVarying(runs, ["losses"]), (r) => r.traits.lossName);
  return ordered([...groups.keys()], Object.keys(PAPER_LOSS_ABLATION)).flatMap((name) =>
    groupRows(name, groups.get(name)!, (r) => r.metrics.main, PAPER_LOSS_ABLATION[name])
  );
}

/** Hierarchy-ablation group names for the maps of a run. */
function hierarchyGroups(run: RunResult): [string, string][] {
  const t = run.traits;
  const keys = Object.keys(run.metrics.image_auroc ?? {});
  if (t.encoder === "flat") return [["non-hierarchical K=64", run.metrics.main]];
  const names: Record<string, string> = t.patchSize === 64
    ? { k64: "hierarchical K=64", k32: "hierarchical K=32", mult: "fused (mult)", sum: "fused (sum)" }
    : {};
  return keys.map((k) => [names[k] ?? `hier. K=${t.patchSize} encoder: ${k}`, k]);
}

/**
 * The hierarchy ablation: the flat encoder's K=64 map, the hierarchical encoder's K=64 and K=32
 * maps and their fusions (runs that differ from the reference only in encoder and patch size).
 *
 * @param runs committed runs (any sweep)
 * @returns rows for {@linkcode ablationBars}, the paper's (approximate) values attached
 */
export function hierarchyAblationRows(runs: RunResult[]): AblationRow[] {
  const kept = onlyVarying(runs, ["encoder", "patchSize"]);
  const members = new Map<string, { run: RunResult; key: string }[]>();
  for (const run of kept) {
    for (const [group, key] of hierarchyGroups(run)) members.set(group, [...(members.get(group) ?? []), { run, key }]);
  }
  return ordered([...members.keys()], Object.keys(PAPER_HIERARCHY_ABLATION)).flatMap((group) => {
    const list = members.get(group)!;
    const keyOf = new Map(list.map((m) => [m.run, m.key]));
    return groupRows(group, list.map((m) => m.run), (r) => keyOf.get(r)!, PAPER_HIERARCHY_ABLATION[group]);
  });
}

/**
 * The lambda sweep: detection and segmentation AUROC (main map) per lambda, over runs that
 * differ from the reference only in lambda (lambda 0 included: {@linkcode lambdaCurve} draws it on a symlog axis).
 *
 * @param runs committed runs (any sweep)
 * @returns rows for {@linkcode lambdaCurve}, sorted by lambda
 */
export function lambdaRows(runs: RunResult[]): LambdaRow[] {
  const groups = groupBy(
    onlyVarying(runs, ["lambda"]).filter((r) => r.traits.lambda >= 0),
    (r) => `${r.traits.lambda}`,
  );
  return [...groups.entries()].sort(([a], [b]) => Number(a) - Number(b)).flatMap(([lambda, list]) =>
    (["det", "seg"] as const).flatMap((metric) => {
      const s = overSeeds(list, (r) => detSeg(r)[metric]);
      return s ? [{ lambda: Number(lambda), metric, mean: s.mean, std: s.std }] : [];
    })
  );
}

/** Name of the method in the per-class table. */
export const OUR_METHOD = "Patch SVDD (ours)";

/**
 * The per-class table: reference-configuration runs (0-step untrained encoders left out), one method per training budget (steps),
 * mean over seeds per class, the paper's Table 1 beside them, and per method a mean row over
 * the classes it has (compared with the paper's mean over the same classes).
 *
 * @param runs committed runs (any sweep)
 * @param method method name shown; the step budget is added in brackets. Default {@linkcode OUR_METHOD}.
 * @returns rows for {@linkcode aurocTable} (empty when no reference run exists)
 */
export function categoryRows(runs: RunResult[], method = OUR_METHOD): AurocRow[] {
  // A 0-step run is the untrained encoder (an ablation's baseline row), not the method.
  const reference = runs.filter((r) => r.traits.reference && r.traits.step !== 0);
  const methodOf = (r: RunResult) =>
    r.traits.step === null
      ? method
      : `${method.replace(/\)$/, "")}${method.endsWith(")") ? ", " : " ("}${
        r.traits.step.toLocaleString("en-US")
      } steps)`;
  const paperOrder = Object.keys(PAPER_TABLE1).filter((c) => c !== "mean");
  const rows: AurocRow[] = [];
  // Longest budget first.
  const byBudget = [...groupBy(reference, methodOf)].sort(([, a], [, b]) =>
    (b[0].traits.step ?? 0) - (a[0].traits.step ?? 0)
  );
  for (const [name, list] of byBudget) {
    const groups = groupBy(list, (r) => r.traits.category);
    const own: AurocRow[] = [];
    for (const category of ordered([...groups.keys()], paperOrder)) {
      const det = overSeeds(groups.get(category)!, (r) => detSeg(r).det);
      const seg = overSeeds(groups.get(category)!, (r) => detSeg(r).seg);
      if (!det || !seg) continue;
      own.push({
        category,
        method: name,
        ours: { det: det.mean, seg: seg.mean },
        ...(PAPER_TABLE1[category] ? { paper: PAPER_TABLE1[category] } : {}),
      });
    }
    if (own.length > 1) {
      const all = own.length === paperOrder.length && own.every((r) => r.paper);
      const mean = (f: (r: AurocRow) => number) => own.reduce((a, r) => a + f(r), 0) / own.length;
      own.push({
        category: all ? "mean" : `mean (${own.length})`,
        method: name,
        ours: { det: mean((r) => r.ours.det), seg: mean((r) => r.ours.seg) },
        ...(own.every((r) => r.paper)
          ? { paper: { det: mean((r) => r.paper!.det), seg: mean((r) => r.paper!.seg) } }
          : {}),
      });
    }
    rows.push(...own);
  }
  return rows;
}

/** One line of a sweep's `table.csv` as `deno task ablate` writes it. */
export interface SweepTableRow {
  /** Axis values of the row (the columns before `category`), as written. */
  axes: Record<string, string>;
  /** Class, or `"mean"` for the average over the sweep's classes. */
  category: string;
  /** Map key (`k64`, `k32`, `sum`, `mult`). */
  map: string;
  /** Seeds behind the row (0: no finished cell yet). */
  n: number;
  /** Detection AUROC over seeds (std 0 when there is a single seed). */
  det: { mean: number; std: number };
  /** Segmentation AUROC over seeds. */
  seg: { mean: number; std: number };
  /** The paper's number the table shows beside the row, if any. */
  paper: { det: number; seg: number; source: string } | null;
  /**
   * `"untrained"` for the untrained-encoder rows, `"trained"` for the others, null when the table has
   * no `training` column (a sweep without `"untrained": true`).
   */
  training: "trained" | "untrained" | null;
  /** A trained row's gain over the untrained encoder (mean ± std over the seeds both have), or null. */
  gain: { n: number; det: { mean: number; std: number }; seg: { mean: number; std: number } } | null;
}

/**
 * Read a sweep table (`[training,] axes..., category, map, n, det_mean, det_std, seg_mean, seg_std,
 * paper_det, paper_seg, paper_source[, gain_n, gain_det_mean, gain_det_std, gain_seg_mean, gain_seg_std]`),
 * keeping the rows with at least one finished seed. The `training` column (tables with the untrained
 * encoder) is not an axis: it becomes {@linkcode SweepTableRow.training}.
 *
 * @param table the parsed `table.csv`
 * @returns the rows (empty when the table lacks the expected columns)
 * @example
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * import { sweepTableRows } from "./summarize.ts";
 * import { strictEqual } from "node:assert/strict";
 * const csv = "lambda,category,map,n,det_mean,det_std,seg_mean,seg_std,paper_det,paper_seg,paper_source\n" +
 *   "0.001,mean,mult,2,0.9,0.01,0.95,,,,\n";
 * const [row] = sweepTableRows(parseCsv(csv));
 * strictEqual(row.axes.lambda, "0.001");
 * strictEqual(row.det.mean, 0.9);
 * strictEqual(row.seg.std, 0);
 * strictEqual(row.paper, null);
 * ```
 */
export function sweepTableRows(table: CsvTable): SweepTableRow[] {
  const at = table.columns.indexOf("category");
  const needed = ["map", "n", "det_mean", "seg_mean"];
  if (at < 0 || !needed.every((c) => table.columns.includes(c))) return [];
  const hasTraining = table.columns.includes("training");
  const axisNames = table.columns.slice(0, at).filter((c) => c !== "training");
  const num = (text: string | undefined) => (text === undefined || text.trim() === "" ? NaN : Number(text));
  return table.rows.flatMap((r) => {
    const n = num(r.n), det = num(r.det_mean), seg = num(r.seg_mean);
    if (!(n > 0) || !Number.isFinite(det) || !Number.isFinite(seg)) return [];
    const paperDet = num(r.paper_det), paperSeg = num(r.paper_seg);
    const gainN = num(r.gain_n), gainDet = num(r.gain_det_mean), gainSeg = num(r.gain_seg_mean);
    return [{
      axes: Object.fromEntries(axisNames.map((a) => [a, r[a] ?? ""])),
      category: r.category,
      map: r.map,
      n,
      det: { mean: det, std: num(r.det_std) || 0 },
      seg: { mean: seg, std: num(r.seg_std) || 0 },
      paper: Number.isFinite(paperDet) && Number.isFinite(paperSeg)
        ? { det: paperDet, seg: paperSeg, source: r.paper_source ?? "" }
        : null,
      training: hasTraining ? (r.training === "untrained" ? "untrained" : "trained") : null,
      gain: gainN > 0 && Number.isFinite(gainDet) && Number.isFinite(gainSeg)
        ? {
          n: gainN,
          det: { mean: gainDet, std: num(r.gain_det_std) || 0 },
          seg: { mean: gainSeg, std: num(r.gain_seg_std) || 0 },
        }
        : null,
    }];
  });
}

/**
 * The classes a sweep table covers (its category values other than `mean`).
 *
 * @param rows the table's rows
 * @returns the classes, in order of appearance
 */
export function tableCategories(rows: SweepTableRow[]): string[] {
  return [...new Set(rows.map((r) => r.category).filter((c) => c !== "mean"))];
}

/**
 * The paper's name for a loss combination as sweep files spell it (`svdd`, `svdd-prime`,
 * `svdd-prime+ssl`, `ssl`), or the text unchanged.
 *
 * @param text a `losses` axis value
 * @returns a key of {@linkcode PAPER_LOSS_ABLATION} or `"L_SSL"` when recognised, else the text
 * @example
 * ```ts
 * import { paperLossName } from "./summarize.ts";
 * paperLossName("svdd-prime+ssl"); // "L_SVDD' + L_SSL"
 * ```
 */
export function paperLossName(text: string): string {
  const parts = new Set(text.toLowerCase().split(/[+,\s]+/).filter(Boolean));
  const names: string[] = [];
  if (parts.has("svdd")) names.push("L_SVDD");
  if (parts.has("svdd-prime") || parts.has("svddprime") || parts.has("svdd'")) names.push("L_SVDD'");
  if (parts.has("ssl")) names.push("L_SSL");
  return names.length === parts.size && names.length > 0 ? names.join(" + ") : text;
}

/**
 * The hierarchy-ablation name of an `encoder` axis value and a map (e.g. `hier-64`, `k32`).
 *
 * @param encoder the `encoder` axis value (`flat-64`, `hier-32`, `hier-64`, `hier-128`)
 * @param map the map key
 * @returns the paper's name for hier-64's maps and the flat encoder, else e.g. `"hier-128 k64"`
 * @example
 * ```ts
 * import { hierarchyGroupName } from "./summarize.ts";
 * hierarchyGroupName("hier-64", "k32"); // "hierarchical K=32"
 * hierarchyGroupName("hier-32", "k32"); // "K=32 alone (hier-32)"
 * ```
 */
export function hierarchyGroupName(encoder: string, map: string): string {
  const [kind, k] = encoder.split("-");
  if (kind === "flat") return `non-hierarchical K=${k ?? 64}`;
  if (kind === "hier" && k === "32") return "K=32 alone (hier-32)";
  if (kind === "hier" && (k ?? "64") === "64") {
    const names: Record<string, string> = {
      k64: "hierarchical K=64",
      k32: "hierarchical K=32",
      mult: "fused (mult)",
      sum: "fused (sum)",
    };
    if (names[map]) return names[map];
  }
  return `${encoder} ${map}`;
}

/** One map per axis combination (`mult` preferred, else the first listed). */
function oneMap(rows: SweepTableRow[]): SweepTableRow[] {
  const groups = groupBy(rows, (r) => JSON.stringify(r.axes));
  return [...groups.values()].map((list) => list.find((r) => r.map === "mult") ?? list[0]);
}

/**
 * The facets an ablation figure draws from a sweep table, each with its rows: one per class and a
 * last one for the mean over classes when the table has several classes; a single-class table
 * gives one facet named after its class, drawn from its `mean` rows (the rows the paper's
 * ablation numbers sit beside).
 *
 * @param rows the table's rows (trained and untrained)
 * @returns facet name and the table rows behind it, in the table's class order
 * @example
 * ```ts
 * import { parseCsv } from "./csv.ts";
 * import { sweepTableRows, tableFacets } from "./summarize.ts";
 * const csv = "lambda,category,map,n,det_mean,det_std,seg_mean,seg_std,paper_det,paper_seg,paper_source\n" +
 *   "1,bottle,mult,2,0.9,0.01,0.9,0.01,,,\n1,transistor,mult,2,0.8,0.01,0.9,0.01,,,\n1,mean,mult,2,0.85,0.01,0.9,0.01,,,\n";
 * tableFacets(sweepTableRows(parseCsv(csv))).map((f) => f.facet); // ["bottle", "transistor", "mean over 2 classes"]
 * ```
 */
export function tableFacets(rows: SweepTableRow[]): { facet: string; rows: SweepTableRow[] }[] {
  const categories = tableCategories(rows);
  if (categories.length <= 1) {
    const mean = rows.filter((r) => r.category === "mean");
    return [{ facet: categories[0] ?? "mean", rows: mean.length > 0 ? mean : rows }];
  }
  return [
    ...categories.map((c) => ({ facet: c, rows: rows.filter((r) => r.category === c) })),
    { facet: `mean over ${categories.length} classes`, rows: rows.filter((r) => r.category === "mean") },
  ].filter((f) => f.rows.length > 0);
}

/** The untrained encoder's row of a facet for a map, if the table has it. */
function untrainedOf(rows: SweepTableRow[], map: string): SweepTableRow | undefined {
  return rows.find((r) => r.training === "untrained" && r.map === map);
}

function toAblation(group: string, facet: string, r: SweepTableRow, untrained?: SweepTableRow): AblationRow[] {
  return (["det", "seg"] as const).map((metric) => ({
    group,
    facet,
    metric,
    mean: r[metric].mean,
    std: r[metric].std,
    n: r.n,
    ...(r.paper ? { paper: r.paper[metric] } : {}),
    ...(untrained ? { untrained: { mean: untrained[metric].mean, std: untrained[metric].std } } : {}),
    ...(r.gain ? { gain: { mean: r.gain[metric].mean, std: r.gain[metric].std, n: r.gain.n } } : {}),
  }));
}

/** Ablation rows of every facet: `name` names a trained row, `pick` chooses the rows drawn. */
function ablationFromTable(
  rows: SweepTableRow[],
  name: (r: SweepTableRow) => string,
  pick: (rows: SweepTableRow[]) => SweepTableRow[],
  paperOrder: string[],
): AblationRow[] {
  const facets = tableFacets(rows).map(({ facet, rows: list }) => ({
    facet,
    list,
    named: pick(list.filter((r) => r.training !== "untrained")).map((r) => ({ name: name(r), r })),
  }));
  const order = ordered([...new Set(facets.flatMap((f) => f.named.map((x) => x.name)))], paperOrder);
  return facets.flatMap(({ facet, list, named }) =>
    order.flatMap((group) => {
      const x = named.find((x) => x.name === group);
      return x ? toAblation(group, facet, x.r, untrainedOf(list, x.r.map)) : [];
    })
  );
}

/**
 * Loss-ablation rows from a sweep table: per facet ({@linkcode tableFacets}) one map per `losses`
 * value (`mult` preferred) under the paper's names, with the paper's number where the table shows
 * one, and, in tables with the untrained encoder, its level (same facet and map) and the row's gain.
 *
 * @param rows the table's rows
 * @returns rows for {@linkcode ablationBars}, the paper's order first
 */
export function lossRowsFromTable(rows: SweepTableRow[]): AblationRow[] {
  return ablationFromTable(
    rows,
    (r) => paperLossName(r.axes.losses ?? "losses"),
    oneMap,
    Object.keys(PAPER_LOSS_ABLATION),
  );
}

/**
 * Hierarchy-ablation rows from a sweep table: per facet every map of every `encoder` value, named
 * as the paper names them, with the paper's (approximate) number where the table shows one and the
 * untrained encoder's level for the same map (none for a map it lacks, e.g. k128).
 *
 * @param rows the table's rows
 * @returns rows for {@linkcode ablationBars}, the paper's order first
 */
export function hierarchyRowsFromTable(rows: SweepTableRow[]): AblationRow[] {
  return ablationFromTable(
    rows,
    (r) => hierarchyGroupName(r.axes.encoder ?? "hier-64", r.map),
    (list) => list,
    Object.keys(PAPER_HIERARCHY_ABLATION),
  );
}

/**
 * Lambda rows from a sweep table: per facet one map per `lambda` value (`mult` preferred), lambda
 * 0 included, sorted by lambda.
 *
 * @param rows the table's rows
 * @returns rows for {@linkcode lambdaCurve}, each with its facet
 */
export function lambdaRowsFromTable(rows: SweepTableRow[]): LambdaRow[] {
  return tableFacets(rows).flatMap(({ facet, rows: list }) =>
    oneMap(list.filter((r) => r.training !== "untrained" && r.axes.lambda !== undefined))
      .filter((r) => Number(r.axes.lambda) >= 0)
      .sort((a, b) => Number(a.axes.lambda) - Number(b.axes.lambda))
      .flatMap((r) =>
        (["det", "seg"] as const).map((metric) => ({
          lambda: Number(r.axes.lambda),
          metric,
          mean: r[metric].mean,
          std: r[metric].std,
          facet,
        }))
      )
  );
}

/**
 * The untrained encoder's level per facet and metric in a lambda table (the map the lambda rows
 * show: `mult` preferred), for {@linkcode lambdaCurve}'s `untrained` option.
 *
 * @param rows the table's rows
 * @returns one level per facet and metric (empty for a table without the untrained encoder)
 */
export function untrainedLevelsFromTable(rows: SweepTableRow[]): UntrainedLevel[] {
  return tableFacets(rows).flatMap(({ facet, rows: list }) => {
    const shown = oneMap(list.filter((r) => r.training !== "untrained"))[0];
    const u = untrainedOf(list, shown?.map ?? "mult") ?? list.find((r) => r.training === "untrained");
    return u
      ? (["det", "seg"] as const).map((metric) => ({ facet, metric, mean: u[metric].mean, std: u[metric].std }))
      : [];
  });
}
