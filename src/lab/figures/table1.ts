/**
 * Table 1 from the authors' checkpoints (`results/table1/`, written by `deno task table1`) as a
 * figure and a markdown table, for notebook 06.
 *
 * @module
 */

import { join } from "node:path";
import { aurocTable } from "../plot/auroc_table.ts";
import { readTable1Rows, TABLE1_FILES, TABLE1_METHOD } from "../../jobs/table1_job.ts";
import { table1AurocRows, table1Markdown } from "../../jobs/table1_table.ts";
import type { FigureOutcome } from "./build.ts";

/**
 * The committed Table 1 of the authors' checkpoints: a dot figure of det / seg AUROC beside
 * the paper's, and the markdown table `deno task table1` wrote (with AUPRO, time and the skipped
 * categories), or one rebuilt from the category folders when `table.md` is missing.
 *
 * @param resultsDir the results folder (holding `table1/`)
 * @returns the outcome; no figure, and a note saying how to make one, when nothing is committed
 * @example
 * ```ts ignore
 * import { table1Figure } from "./table1.ts";
 * const outcome = await table1Figure("results");
 * ```
 */
export async function table1Figure(resultsDir: string): Promise<FigureOutcome> {
  const dir = join(resultsDir, "table1");
  const rows = await readTable1Rows(dir);
  const how = "run `deno task table1 --weights CKPTS_DIR --data ROOT --out results/table1`";
  if (rows.length === 0) {
    return { name: "table1", figure: null, note: `No results/table1 yet; ${how}.`, source: dir };
  }
  let markdown: string;
  try {
    markdown = await Deno.readTextFile(join(dir, TABLE1_FILES.markdown));
  } catch {
    markdown = table1Markdown(rows, { noData: [], noCheckpoint: [] });
  }
  const figureRows = table1AurocRows(rows, TABLE1_METHOD);
  return {
    name: "table1",
    figure: figureRows.length
      ? aurocTable(figureRows, {
        title: "Table 1 from the authors' checkpoints: our inspection vs. the paper",
        subtitle:
          "Dots: ours (AUROC %, difference from the paper in brackets); black tick: the paper; mean: over the " +
          "categories shown, the paper's too. Map mult.",
        width: 700,
      })
      : null,
    note: `The authors' checkpoints evaluated by our inspection: ${rows.map((r) => r.category).join(", ")}.`,
    source: dir,
    markdown,
  };
}
