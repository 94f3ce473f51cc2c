/**
 * `deno task eval --run RUN [--data ROOT --category C] [--nn auto|hnsw|exact]`: inspect a
 * trained run's category, write `RUN/metrics.json` and overlay PNGs.
 *
 * @module
 */

import { BACKEND_NAMES, type BackendName, MATMUL_PRECISIONS, type MatmulPrecision } from "../backend/mod.ts";
import { choiceFlag, numberFlag, parseCli, runMain } from "./common.ts";
import { UserError } from "../errors.ts";
import { runEvalJob } from "../jobs/eval_job.ts";

const USAGE =
  "deno task eval --run RUN [--data ROOT --category C] [--nn auto|hnsw|exact] [--stride-k64 N] [--stride-k32 N] [--backend B] [--precision fp32|bf16] [--no-overlays] [--no-masks] [--no-report] [--baseline]";

await runMain(async () => {
  const { values: v } = parseCli(Deno.args, {
    "run": { type: "string" },
    "data": { type: "string" },
    "category": { type: "string" },
    "nn": { type: "string" },
    "stride-k64": { type: "string" },
    "stride-k32": { type: "string" },
    "backend": { type: "string" },
    "precision": { type: "string" },
    "no-overlays": { type: "boolean" },
    "no-masks": { type: "boolean" },
    "no-report": { type: "boolean" },
    "baseline": { type: "boolean" },
    "skip-bad": { type: "boolean" },
    "allow-mixed-channels": { type: "boolean" },
    "quiet": { type: "boolean" },
    "help": { type: "boolean", short: "h" },
  }, USAGE);
  if (v.help) return console.log(USAGE);
  if (typeof v.run !== "string") throw new UserError(`Missing --run RUN. Usage: ${USAGE}`);
  const inspect: Record<string, unknown> = {};
  const nn = choiceFlag(v.nn, "nn", ["auto", "hnsw", "exact"] as const);
  if (nn) inspect.nn = nn;
  const s64 = numberFlag(v["stride-k64"], "stride-k64", "posint");
  if (s64) inspect.strideK64 = s64;
  const s32 = numberFlag(v["stride-k32"], "stride-k32", "posint");
  if (s32) inspect.strideK32 = s32;
  const record = await runEvalJob({
    run: v.run,
    data: typeof v.data === "string" ? v.data : undefined,
    category: typeof v.category === "string" ? v.category : undefined,
    inspect,
    backend: choiceFlag(v.backend, "backend", BACKEND_NAMES) as BackendName | undefined,
    precision: choiceFlag(v.precision, "precision", MATMUL_PRECISIONS) as MatmulPrecision | undefined,
    overlays: !v["no-overlays"],
    masks: !v["no-masks"],
    report: !v["no-report"],
    baseline: Boolean(v.baseline),
    skipBad: Boolean(v["skip-bad"]),
    allowMixedChannels: Boolean(v["allow-mixed-channels"]),
    quiet: Boolean(v.quiet),
  });
  const fmt = (r: Record<string, number>) => Object.entries(r).map(([k, x]) => `${k} ${x.toFixed(4)}`).join("  ");
  console.log(`${record.category}: det AUROC  ${fmt(record.image_auroc)}`);
  if (record.pixel_auroc === null) {
    console.log(`${record.category}: seg AUROC  none (--no-masks: image-level metrics only, no ground-truth masks)`);
    console.log(`F1-max image ${record.f1_max.image.toFixed(4)}`);
  } else {
    console.log(`${record.category}: seg AUROC  ${fmt(record.pixel_auroc)}`);
    console.log(
      `AUPRO ${record.aupro?.toFixed(4)}  F1-max image ${record.f1_max.image.toFixed(4)} pixel ${
        record.f1_max.pixel?.toFixed(4)
      }`,
    );
  }
  console.log(`timing (s): ${Object.entries(record.timing_s).map(([k, x]) => `${k} ${x.toFixed(1)}`).join("  ")}`);
  console.log(`wrote ${v.run}/metrics.json${v["no-report"] ? "" : ` and ${v.run}/report.html`}`);
});
