/**
 * `deno task demo`: the kit end to end on its embedded default, with nothing to
 * download — generate a synthetic category in the MVTec layout, train a Patch SVDD
 * encoder for a short budget, evaluate it, and print where everything went.
 *
 * @module
 */

import { BACKEND_NAMES, type BackendName } from "../backend/mod.ts";
import { generateSynthetic } from "../data/synthetic.ts";
import { runEvalJob } from "../jobs/eval_job.ts";
import { runTrainJob } from "../jobs/train_job.ts";
import { printWarning } from "./advice.ts";
import { choiceFlag, numberFlag, parseCli, runMain } from "./common.ts";
import { CONFIG_OPTIONS, configFromFlags } from "./config_flags.ts";

const USAGE =
  "deno task demo [--out DIR] [--kind texture|object] [--grayscale] [--max-minutes M] [--steps N] [--backend B] [train options]";

await runMain(async () => {
  const { values: v } = parseCli(Deno.args, {
    ...CONFIG_OPTIONS,
    "out": { type: "string" },
    "kind": { type: "string" },
    "grayscale": { type: "boolean" },
    "max-minutes": { type: "string" },
    "steps": { type: "string" },
    "backend": { type: "string" },
    "help": { type: "boolean", short: "h" },
  }, USAGE);
  if (v.help) return console.log(USAGE);
  const out = typeof v.out === "string" ? v.out : "runs/demo";
  const kind = choiceFlag(v.kind, "kind", ["texture", "object"] as const) ?? "texture";
  const dataRoot = `${out}/data`;
  console.error(`1/3 generating a synthetic ${kind} category in ${dataRoot} (MVTec layout)`);
  const synthetic = await generateSynthetic(dataRoot, { kind, grayscale: Boolean(v.grayscale), seed: 0 });
  const run = `${out}/run`;
  const maxMinutes = numberFlag(v["max-minutes"], "max-minutes", "nonneg") ?? 3;
  const steps = numberFlag(v.steps, "steps", "int");
  console.error(`2/3 training into ${run} (${steps !== undefined ? `${steps} steps` : `${maxMinutes} minutes`})`);
  const backend = choiceFlag(v.backend, "backend", BACKEND_NAMES) as BackendName | undefined;
  const summary = await runTrainJob({
    data: dataRoot,
    category: synthetic.category,
    out: run,
    config: configFromFlags(v),
    steps,
    maxMinutes: steps === undefined ? maxMinutes : undefined,
    force: true,
    backend,
    onWarning: printWarning,
  });
  console.error(`3/3 evaluating ${run}`);
  // The default search (auto) is exact when the native kernels are built (see README, Speed).
  const m = await runEvalJob({ run, backend });
  const pct = (x: number) => (100 * x).toFixed(1);
  console.log(
    `\nPatch SVDD on ${synthetic.category} after ${summary.steps} steps (${summary.train_seconds.toFixed(0)} s):`,
  );
  console.log(`  detection AUROC    ${Object.entries(m.image_auroc).map(([k, x]) => `${k} ${pct(x)}`).join("  ")}`);
  console.log(
    `  segmentation AUROC ${Object.entries(m.pixel_auroc ?? {}).map(([k, x]) => `${k} ${pct(x)}`).join("  ")}`,
  );
  console.log(`  AUPRO ${pct(m.aupro ?? NaN)}`);
  console.log(`  report: ${run}/report.html (open it in a browser)`);
  console.log(`  metrics: ${run}/metrics.json  overlays: ${run}/overlays/  loss log: ${run}/train_log.jsonl`);
});
