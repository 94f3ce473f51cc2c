/**
 * The paper's numbers beside the shipped 2400-step sweeps: the fast preset's recipe (dense
 * sampling, lr 3e-4, warm-up) is a training recipe, not an ablated field, so its rows still carry
 * the paper's number, with the recipe named in the source.
 */
import { assert, assertEquals } from "../../assert.ts";
import { expandGrid } from "../../../src/lab/ablate/grid.ts";
import { recipeDeviations } from "../../../src/lab/ablate/paper.ts";
import { loadSweep } from "../../../src/lab/ablate/schema.ts";
import { buildTable, type TableRow } from "../../../src/lab/ablate/table.ts";
import { DEFAULT_CONFIG, mergeConfig } from "../../../src/config.ts";
import { presetConfig } from "../../../src/presets.ts";

const experiments = new URL("../../../experiments/", import.meta.url).pathname;

/** The table rows of a shipped sweep file before any cell has finished. */
async function emptyTable(name: string): Promise<TableRow[]> {
  const sweep = await loadSweep(`${experiments}${name}`);
  return buildTable(expandGrid(sweep, { kind: "folder" }), new Map(), sweep.maps, sweep.categories!);
}

function find(rows: TableRow[], axis: string, value: number | string, category: string, map: string): TableRow {
  const row = rows.find((r) => r.axes[axis] === value && r.category === category && r.map === map && !r.untrained);
  assert(row, `no row ${axis}=${value} ${category} ${map}`);
  return row;
}

Deno.test("recipeDeviations() names the fast preset's sampling, learning rate, warm-up and bound, and nothing for the reference", () => {
  assertEquals(recipeDeviations(DEFAULT_CONFIG), []);
  assertEquals(recipeDeviations(presetConfig("fast")), [
    "dense sampling (2 crops)",
    "lr 0.0003",
    "500-step warm-up",
    "pre-activation bound 5",
  ]);
  const decayed = mergeConfig(DEFAULT_CONFIG, { train: { lrSchedule: { kind: "linear", steps: 4800 } } });
  assertEquals(recipeDeviations(decayed), ["linear lr decay over 4800 steps"]);
  const bounded = mergeConfig(DEFAULT_CONFIG, { train: { preactBound: 5 } });
  assertEquals(recipeDeviations(bounded), ["pre-activation bound 5"]);
});

Deno.test("losses_2400.json: Table 1 per class for the method and the losses ablation on mean rows, recipe named", async () => {
  const rows = await emptyTable("losses_2400.json");
  const method = find(rows, "losses", "svdd-prime+ssl", "bottle", "mult").paper!;
  assertEquals([method.det, method.seg], [0.986, 0.981]);
  assertEquals(method.source, "Table 1; our recipe: dense sampling (2 crops), lr 0.0003, 500-step warm-up");
  assertEquals(find(rows, "losses", "svdd", "mean", "mult").paper?.det, 0.703);
  assertEquals(find(rows, "losses", "svdd-prime", "mean", "mult").paper?.seg, 0.880);
  assertEquals(find(rows, "losses", "ssl", "mean", "mult").paper, null); // the paper has no L_SSL-alone number
  assert(rows.filter((r) => r.untrained).every((r) => r.paper === null), "the untrained row has no paper number");
});

Deno.test("lambda_2400.json: the paper's number at lambda 1e-3 only; hierarchy_2400.json: the losses sweep's recipe, named", async () => {
  const lambda = await emptyTable("lambda_2400.json");
  assertEquals(find(lambda, "lambda", 1e-3, "transistor", "mult").paper?.det, 0.915);
  assertEquals(find(lambda, "lambda", 1, "transistor", "mult").paper, null);
  assertEquals(find(lambda, "lambda", 0, "mean", "mult").paper, null);
  const hierarchy = await emptyTable("hierarchy_2400.json");
  assertEquals(
    find(hierarchy, "encoder", "hier-64", "bottle", "mult").paper?.source,
    "Table 1; our recipe: dense sampling (2 crops), lr 0.0003, 500-step warm-up",
  );
  assertEquals(find(hierarchy, "encoder", "flat-64", "mean", "k64").paper?.det, 0.81);
  assertEquals(find(hierarchy, "encoder", "hier-128", "mean", "k128").paper, null);
});
