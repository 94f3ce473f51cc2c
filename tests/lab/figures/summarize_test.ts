/**
 * Reading the tables of the 2400-step sweeps (written by the harness's own writer from the shipped
 * sweep files): the `training` column is a row kind, not an axis; the untrained level and the gain
 * reach every ablation row; one facet per class and one for the mean.
 */
import { assert, assertEquals } from "../../assert.ts";
import type { Cell } from "../../../src/lab/ablate/grid.ts";
import {
  hierarchyRowsFromTable,
  lambdaRowsFromTable,
  lossRowsFromTable,
  parseCsv,
  type SweepTableRow,
  sweepTableRows,
  tableFacets,
  untrainedLevelsFromTable,
} from "../../../src/lab/figures/mod.ts";
import { writeSweepTable } from "./_tables.ts";

const tmp = await Deno.makeTempDir({ prefix: "patchsvdd-summarize-" });

/** Untrained 0.80, trained 0.90, + 0.01 per seed (0.02 when trained), transistor 0.05 lower, k32 0.01 higher. */
function auroc(cell: Cell, map: string): number {
  const seed = cell.seed * (cell.untrained ? 0.01 : 0.02);
  return (cell.untrained ? 0.8 : 0.9) + seed - (cell.category === "transistor" ? 0.05 : 0) + (map === "k32" ? 0.01 : 0);
}

async function table(file: string, value: (cell: Cell, map: string) => number | undefined = auroc) {
  const folder = `${file.replace(/\.json$/, "")}-${crypto.randomUUID().slice(0, 8)}`;
  await writeSweepTable(tmp, file, value, folder);
  return sweepTableRows(parseCsv(await Deno.readTextFile(`${tmp}/${folder}/table.csv`)));
}

const close = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) < 1e-4;

Deno.test("sweepTableRows() reads the training column as the row kind, not an axis, and the gain columns", async () => {
  const rows = await table("losses_2400.json");
  assert(rows.every((r) => JSON.stringify(Object.keys(r.axes)) === '["losses"]'), "losses is the only axis");
  const untrained = rows.filter((r) => r.training === "untrained");
  assertEquals(untrained.map((r) => r.category), ["bottle", "transistor", "mean"]);
  assert(untrained.every((r) => r.gain === null && r.axes.losses === ""));
  const ssl = rows.find((r) => r.axes.losses === "ssl" && r.category === "transistor")!;
  assertEquals(ssl.training, "trained");
  // Per seed (losses_2400 has 3): (0.85 + 0.02 s) - (0.75 + 0.01 s) = 0.10, 0.11, 0.12.
  assert(close(ssl.gain?.det.mean, 0.11) && close(ssl.gain?.det.std, 0.01), JSON.stringify(ssl.gain));
  assertEquals(ssl.gain?.n, 3);
  // A table without the untrained encoder has no row kind.
  const old = sweepTableRows(
    parseCsv("lambda,category,map,n,det_mean,det_std,seg_mean,seg_std\n1,mean,mult,2,0.9,,0.9,\n"),
  );
  assertEquals([old[0].training, old[0].gain], [null, null]);
});

Deno.test("lossRowsFromTable() gives one facet per class and the mean, each bar with the untrained level and its gain", async () => {
  const rows = lossRowsFromTable(await table("losses_2400.json"));
  assertEquals([...new Set(rows.map((r) => r.facet))], ["bottle", "transistor", "mean over 2 classes"]);
  assertEquals([...new Set(rows.map((r) => r.group))], ["L_SVDD", "L_SVDD'", "L_SVDD' + L_SSL", "L_SSL"]);
  assertEquals(rows.length, 3 * 4 * 2);
  assert(rows.every((r) => r.untrained && r.gain), "every bar has the untrained level and a gain");
  const bottle = rows.find((r) => r.facet === "bottle" && r.group === "L_SVDD" && r.metric === "seg")!;
  assert(close(bottle.untrained?.mean, 0.81) && close(bottle.mean, 0.92) && close(bottle.gain?.mean, 0.11));
  const method = rows.find((r) => r.facet === "bottle" && r.group === "L_SVDD' + L_SSL" && r.metric === "det")!;
  assertEquals(method.paper, 0.986); // Table 1, beside the preset's recipe
  const mean = rows.find((r) => r.facet === "mean over 2 classes" && r.group === "L_SVDD" && r.metric === "det")!;
  assertEquals(mean.paper, 0.703);
  assertEquals(rows.find((r) => r.group === "L_SSL")!.paper, undefined);
});

Deno.test("hierarchyRowsFromTable() compares each map with the untrained encoder's same map, none for k128", async () => {
  const rows = hierarchyRowsFromTable(await table("hierarchy_2400.json"));
  const at = (group: string) => rows.find((r) => r.facet === "bottle" && r.group === group && r.metric === "det");
  assert(close(at("non-hierarchical K=64")?.untrained?.mean, 0.81), "flat-64 k64 against the untrained k64");
  assert(close(at("K=32 alone (hier-32)")?.untrained?.mean, 0.82), "hier-32 k32 against the untrained k32");
  assert(close(at("hierarchical K=32")?.untrained?.mean, 0.82));
  assertEquals(at("hier-128 k128")?.untrained, undefined);
  assertEquals(at("hier-128 k128")?.gain, undefined);
  assert(at("hier-128 k64")?.untrained, "hier-128's k64 map has an untrained level");
  assertEquals(at("hierarchical K=64")?.paper, undefined); // the hierarchy ablation is on mean rows only
  assert(rows.some((r) => r.facet === "mean over 2 classes" && r.group === "hierarchical K=64" && r.paper === 0.895));
});

Deno.test("lambdaRowsFromTable() keeps lambda 0 and facets; untrainedLevelsFromTable() gives each facet's level", async () => {
  const table1 = await table("lambda_2400.json");
  const rows = lambdaRowsFromTable(table1);
  assertEquals(rows.filter((r) => r.facet === "bottle" && r.metric === "det").map((r) => r.lambda), [0, 1e-3, 1e-2, 1]);
  const levels = untrainedLevelsFromTable(table1);
  assertEquals(levels.map((l) => `${l.facet}/${l.metric}`), [
    "bottle/det",
    "bottle/seg",
    "transistor/det",
    "transistor/seg",
    "mean over 2 classes/det",
    "mean over 2 classes/seg",
  ]);
  assert(close(levels[2].mean, 0.76) && close(levels[2].std, 0.01)); // transistor, seeds 0-2: 0.75, 0.76, 0.77
});

Deno.test("tables with cells missing: n counts finished seeds, no gain where the untrained cell is missing", async () => {
  // Only seed 0 finished; transistor's untrained cell unfinished too.
  const partial = (cell: Cell, map: string) =>
    cell.seed !== 0 || (cell.untrained && cell.category === "transistor") ? undefined : auroc(cell, map);
  const rows: SweepTableRow[] = await table("losses_2400.json", partial);
  const bars = lossRowsFromTable(rows);
  // The mean over classes needs every class of a seed: the untrained mean row is missing, the trained ones not.
  assertEquals([...new Set(bars.map((r) => r.facet))], ["bottle", "transistor", "mean over 2 classes"]);
  assert(bars.every((r) => r.n === 1));
  assert(bars.filter((r) => r.facet === "bottle").every((r) => r.untrained && r.gain?.n === 1));
  assert(bars.filter((r) => r.facet !== "bottle").every((r) => !r.untrained && !r.gain));
  assertEquals(tableFacets([]).map((f) => f.facet), ["mean"]);
});
