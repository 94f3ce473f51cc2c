/**
 * Sweep folders written by the ablation harness's own table writer (src/lab/ablate/table.ts) for
 * the shipped sweep files, with made-up AUROCs: what `deno task ablate --merge` writes, without
 * training anything. Ties the figures' reader to the writer's format (the `training` column, the
 * gain columns).
 */
import { expandGrid } from "../../../src/lab/ablate/grid.ts";
import { loadSweep } from "../../../src/lab/ablate/schema.ts";
import { buildTable, type CellMetrics, mapKeysOf, tableCsv, tableMarkdown } from "../../../src/lab/ablate/table.ts";
import type { Cell } from "../../../src/lab/ablate/grid.ts";

/** Path of a shipped sweep file. */
export const experiment = (name: string): string => new URL(`../../../experiments/${name}`, import.meta.url).pathname;

/**
 * Write `<results>/<folder>/table.csv` and `table.md` for a shipped sweep file.
 *
 * @param results the results folder
 * @param file the sweep file name under experiments/
 * @param auroc AUROC of a finished cell for a map (the same for det and seg), or undefined: not finished
 * @param folder the sweep folder name. Default the file's stem.
 */
export async function writeSweepTable(
  results: string,
  file: string,
  auroc: (cell: Cell, map: string) => number | undefined,
  folder = file.replace(/\.json$/, ""),
): Promise<void> {
  const sweep = await loadSweep(experiment(file));
  const cells = expandGrid(sweep, { kind: "folder" });
  const metrics = new Map<string, CellMetrics>();
  for (const cell of cells) {
    const keys = mapKeysOf(cell.config);
    const values = keys.map((k) => auroc(cell, k));
    if (values.some((v) => v === undefined)) continue;
    const byKey = Object.fromEntries(keys.map((k, i) => [k, values[i]!]));
    metrics.set(cell.id, { image_auroc: byKey, pixel_auroc: byKey, main: keys[keys.length - 1] });
  }
  const categories = sweep.categories!;
  const axisNames = sweep.axes.map((a) => a.name);
  const rows = buildTable(cells, metrics, sweep.maps, categories);
  const dir = `${results}/${folder}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/table.csv`, tableCsv(rows, axisNames));
  await Deno.writeTextFile(
    `${dir}/table.md`,
    tableMarkdown(rows, axisNames, {
      name: folder,
      file: `experiments/${file}`,
      description: sweep.description,
      budget: `${sweep.budget.steps} steps`,
      seeds: sweep.seeds,
      categories,
      finished: metrics.size,
      total: cells.length,
      failed: [],
      stale: [],
    }),
  );
}
