/**
 * `deno task ablate experiments/X.json [--data ROOT] [--shard i/n] [--dry-run] [--merge]`:
 * expand a sweep file into its grid of cells, train and evaluate every cell of this shard
 * (skipping finished ones, resuming interrupted ones), then rebuild `results/X/table.{csv,md}`.
 *
 * @module
 */

import { BACKEND_NAMES, type BackendName } from "../backend/select.ts";
import { parseShard } from "../lab/ablate/grid.ts";
import { runSweep } from "../lab/ablate/run.ts";
import { errorLine, printWarning } from "./advice.ts";
import { UserError } from "../errors.ts";
import { choiceFlag, parseCli, runMain } from "./common.ts";

const USAGE =
  "deno task ablate experiments/X.json [--data ROOT] [--shard i/n] [--dry-run] [--merge] [--results DIR] [--backend B]";

const HELP = `${USAGE}

Runs every cell (axes x categories x seeds) of a sweep file through train + eval into
DIR/X/runs/<cell-id>/ and writes DIR/X/table.csv and table.md (mean ± std over seeds, the
paper's numbers beside ours). Finished cells are skipped, so rerunning resumes a sweep.

  --data ROOT        dataset root (default: the file's "data", else $MVTEC_ROOT)
  --shard i/n        only cells whose index % n == i (e.g. a Slurm array task)
  --dry-run          list the cells, their ids and states; run nothing
  --merge            only rebuild the tables from the run folders that exist
  --results DIR      parent of the sweep's results folder (default results)
  --backend B        ${BACKEND_NAMES.join("|")} (default: the file's, else auto)
  --retry-failed     rerun cells whose training diverged or was stopped collapsed (default: skip them)`;

await runMain(async () => {
  const { values: v, positionals } = parseCli(Deno.args, {
    "data": { type: "string" },
    "shard": { type: "string" },
    "dry-run": { type: "boolean" },
    "merge": { type: "boolean" },
    "results": { type: "string" },
    "backend": { type: "string" },
    "retry-failed": { type: "boolean" },
    "help": { type: "boolean", short: "h" },
  }, USAGE);
  if (v.help) return console.log(HELP);
  if (positionals.length !== 1) {
    throw new UserError(`Expected one sweep file but found ${positionals.length}. Usage: ${USAGE}`);
  }
  const result = await runSweep({
    file: positionals[0],
    data: typeof v.data === "string" ? v.data : undefined,
    results: typeof v.results === "string" ? v.results : undefined,
    shard: typeof v.shard === "string" ? parseShard(v.shard) : undefined,
    dryRun: Boolean(v["dry-run"]),
    mergeOnly: Boolean(v.merge),
    backend: choiceFlag(v.backend, "backend", BACKEND_NAMES) as BackendName | undefined,
    retryFailed: Boolean(v["retry-failed"]),
    describeFailure: errorLine,
    onWarning: printWarning,
  });
  if (v.merge) {
    console.log(`tables: ${result.outDir}/table.md (${result.finished} of ${result.cells.length} cells finished)`);
  }
  if (result.failed.length && !v["dry-run"] && !v.merge) {
    console.error(
      `${result.failed.length} cell(s) failed (diverged or stopped collapsed); see their cell.json, or rerun with --retry-failed`,
    );
    Deno.exit(3);
  }
});
