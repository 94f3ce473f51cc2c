/**
 * `deno task table1 --weights CKPTS_DIR --data ROOT [--categories a,b] [--out DIR]`: the paper's
 * Table 1 from the authors' published checkpoints (`CKPTS_DIR/<category>/enchier.pkl`), each
 * imported and evaluated by our inspection, into `DIR/table.md`, `table.csv` and `table.svg`/`.png`.
 * Resumable: a finished category is not redone. Progress on stderr.
 *
 * @module
 */

import { BACKEND_NAMES, type BackendName } from "../backend/mod.ts";
import { UserError } from "../errors.ts";
import { runTable1 } from "../jobs/table1_job.ts";
import { choiceFlag, parseCli, runMain } from "./common.ts";

const USAGE = "deno task table1 --weights CKPTS_DIR --data ROOT [--categories a,b] [--out DIR (runs/table1)] " +
  "[--nn exact|hnsw] [--backend B] [--overlays] [--no-report]";

await runMain(async () => {
  const { values: v, positionals } = parseCli(Deno.args, {
    "weights": { type: "string" },
    "data": { type: "string" },
    "categories": { type: "string" },
    "out": { type: "string" },
    "nn": { type: "string" },
    "backend": { type: "string" },
    "overlays": { type: "boolean" },
    "no-report": { type: "boolean" },
    "help": { type: "boolean", short: "h" },
  }, USAGE);
  if (v.help) return console.log(USAGE);
  if (positionals.length) throw new UserError(`Unexpected argument '${positionals[0]}'. Usage: ${USAGE}`);
  const data = typeof v.data === "string" ? v.data : Deno.env.get("MVTEC_ROOT");
  if (typeof v.weights !== "string" || !data) throw new UserError(`Missing --weights or --data. Usage: ${USAGE}`);
  const categories = typeof v.categories === "string"
    ? v.categories.split(",").map((s) => s.trim()).filter(Boolean)
    : undefined;
  if (categories?.length === 0) throw new UserError(`Expected --categories to name at least one category`);
  const result = await runTable1({
    weights: v.weights,
    data,
    categories,
    out: typeof v.out === "string" ? v.out : undefined,
    nn: choiceFlag(v.nn, "nn", ["exact", "hnsw"] as const),
    backend: choiceFlag(v.backend, "backend", BACKEND_NAMES) as BackendName | undefined,
    overlays: Boolean(v.overlays),
    report: !v["no-report"],
  });
  console.log(await Deno.readTextFile(result.files[0]));
});
