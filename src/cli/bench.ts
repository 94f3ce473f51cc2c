/**
 * `deno task bench [--data ROOT --category C] [--backend B] [--nn exact|hnsw|both] [--run RUN]
 * [--short] [--out FILE]`: the speed benchmark. Writes `results/bench/<host-kind>-<isa>-<backend>.json`
 * and prints training throughput (with the dominant kernels), the inspection's phases for exact
 * and hnsw search, hnsw recall@1 and AUROC differences, and the speed-ups over the reference.
 * In full mode it also times the reference step in PyTorch right after ours when a Python with
 * torch is installed (`--torch auto`, the default; `yes` / `no` to force).
 *
 * @module
 */

import { BACKEND_NAMES, type BackendName } from "../backend/select.ts";
import { MATMUL_PRECISIONS, type MatmulPrecision } from "../backend/native.ts";
import { formatReport } from "../lab/bench/report.ts";
import { runBench } from "../lab/bench/run.ts";
import type { NnMethod } from "../lab/bench/inspect_bench.ts";
import { choiceFlag, numberFlag, parseCli, runMain } from "./common.ts";

const USAGE = "deno task bench [--data ROOT --category C] [--backend B] [--nn exact|hnsw|both] [--run RUN] " +
  "[--precision fp32|bf16] [--short] [--out FILE] [--warmup N] [--steps N] [--batch N] [--recall-queries N] [--sampling reference|dense] [--torch auto|yes|no] [--quiet]";

await runMain(async () => {
  const { values: v } = parseCli(Deno.args, {
    "data": { type: "string" },
    "category": { type: "string" },
    "backend": { type: "string" },
    "precision": { type: "string" },
    "nn": { type: "string" },
    "run": { type: "string" },
    "short": { type: "boolean" },
    "out": { type: "string" },
    "warmup": { type: "string" },
    "steps": { type: "string" },
    "batch": { type: "string" },
    "recall-queries": { type: "string" },
    "sampling": { type: "string" },
    "quiet": { type: "boolean" },
    "torch": { type: "string" },
    "help": { type: "boolean", short: "h" },
  }, USAGE);
  if (v.help) return console.log(USAGE);
  const nn = choiceFlag(v.nn, "nn", ["exact", "hnsw", "both"] as const) ?? "both";
  const str = (x: string | boolean | undefined) => (typeof x === "string" ? x : undefined);
  const { report, path } = await runBench({
    data: str(v.data),
    category: str(v.category),
    backend: choiceFlag(v.backend, "backend", BACKEND_NAMES) as BackendName | undefined,
    precision: choiceFlag(v.precision, "precision", MATMUL_PRECISIONS) as MatmulPrecision | undefined,
    nn: nn === "both" ? ["exact", "hnsw"] : [nn as NnMethod],
    run: str(v.run),
    short: Boolean(v.short),
    out: str(v.out),
    warmupSteps: numberFlag(v.warmup, "warmup", "int"),
    timedSteps: numberFlag(v.steps, "steps", "posint"),
    trainBatch: numberFlag(v.batch, "batch", "posint"),
    recallQueries: numberFlag(v["recall-queries"], "recall-queries", "posint"),
    sampling: choiceFlag(v.sampling, "sampling", ["reference", "dense"] as const),
    torch: choiceFlag(v.torch, "torch", ["auto", "yes", "no"] as const),
    onProgress: v.quiet ? undefined : (m) => console.error(m),
  });
  console.log(formatReport(report));
  console.log(`\nwrote ${path}`);
});
