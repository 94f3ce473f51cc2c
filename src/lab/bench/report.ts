/**
 * The benchmark's JSON record (`results/bench/<host-kind>-<isa>-<backend>[-<precision>].json`, see `file_name.ts`) and its printed tables.
 *
 * @module
 */

import type { InspectConfig } from "../../config.ts";
import type { HostInfo } from "./host.ts";
import type { PhaseMeasure } from "./memory.ts";
import type { InspectBench, NnMethod } from "./inspect_bench.ts";
import type { ReferenceNumbers, Speedups } from "./reference.ts";
import type { TrainBench } from "./train_bench.ts";
import { median } from "./stats.ts";

/** Identifier of this record layout. */
export const BENCH_SCHEMA = "patchsvdd-bench/1";

/** Everything one benchmark run measured. */
export interface BenchReport {
  /** Always {@linkcode BENCH_SCHEMA}. */
  schema: typeof BENCH_SCHEMA;
  /** ISO time the run started. */
  created: string;
  /** "full" (the reference workload) or "short" (tiny synthetic smoke run; timings not comparable). */
  mode: "full" | "short";
  /** The machine. */
  host: HostInfo;
  /** Compute backend: as requested, as activated, selectBackend's note, and the native matmul precision. */
  backend: { requested: string; name: string; note: string; precision?: string };
  /** 1/5/15-minute load averages at the start and end (other processes share the cores). */
  load_average: { start: number[]; end: number[] };
  /** The data measured on. */
  dataset: {
    /** Dataset root. */
    root: string;
    /** Category folder. */
    category: string;
    /** True for the generated category of short mode. */
    synthetic: boolean;
    /** Training images. */
    num_train: number;
    /** Test images. */
    num_test: number;
    /** Side after resizing (the network input). */
    image_size: number;
    /** [width, height] of the first training file on disk (decode cost depends on it). */
    source_image_size: number[];
  };
  /** The inspection encoder: random init (DEFAULT_CONFIG, seed 0) or a run's checkpoint. */
  encoder: { source: "random" | "run"; run: string | null; seed: number; step: number };
  /** Settings of this run. */
  options: {
    /** Nearest-neighbour methods run. */
    nn: NnMethod[];
    /** Queries per level for recall@1 when exact search did not cover all of them. */
    recall_queries: number;
    /** Strides and hnsw parameters of the inspection. */
    inspect: InspectConfig;
  };
  /** Training throughput and kernel profile. */
  training: TrainBench;
  /** Inspection phases, per method, and hnsw quality. */
  inspection: InspectBench;
  /** The issue's reference numbers (authors' PyTorch code on the same machine). */
  reference: ReferenceNumbers;
  /** Reference time / our time. */
  speedup: Speedups;
  /** Wall time of the whole benchmark, s. */
  wall_seconds: number;
}

const f = (x: number | null | undefined, digits = 2) => (x === null || x === undefined ? "-" : x.toFixed(digits));

/** The PyTorch same-machine comparison under the training table (nothing when not attempted). */
function torchLines(torch: TrainBench["torch_same_machine"], ours: number): string[] {
  if (!torch) return [];
  if ("skipped" in torch) return ["", `PyTorch reference step on this machine: skipped (${torch.skipped}).`];
  return [
    "",
    `PyTorch reference step timed right after ours (torch ${torch.torch}, ${torch.threads} threads, ` +
    `scripts/reference_step_time.py): median ${f(torch.median_step_seconds, 3)} s ` +
    `(min ${f(torch.min_step_seconds, 3)}, max ${f(torch.max_step_seconds, 3)}, ${torch.steps} steps); ` +
    `speed-up against it ${f(torch.median_step_seconds / ours)}.`,
  ];
}

/**
 * Markdown tables of a report: training, inspection phases per method, hnsw quality.
 *
 * @param r the report
 * @returns printable text
 */
export function formatReport(r: BenchReport): string {
  const out: string[] = [];
  const t = r.training, s = r.speedup, ref = r.reference;
  out.push(
    `# patchsvdd bench: ${r.host.kind}, native kernels ${
      r.host.native?.isa ?? "not loaded"
    }, backend ${r.backend.name}, ${r.dataset.category} (${r.mode}), load ${
      r.load_average.start.map((x) => x.toFixed(2)).join("/")
    } -> ${r.load_average.end.map((x) => x.toFixed(2)).join("/")}`,
    "",
    `## Training (${t.sampling ?? "reference"} sampling; batch ${t.batch_size} pairs x 4 pair sets = ` +
      `${t.pairs_per_step} pairs/step; ` +
      `${t.warmup_steps} warm-up + ${t.step_seconds.length} timed)`,
    "",
    "| | ours | reference | speed-up |",
    "|---|---:|---:|---:|",
    `| median step, s | ${f(t.median_step_seconds, 3)} | ${f(ref.training.median_step_seconds)} | ${
      f(s.training_step)
    } |`,
    `| steps/s | ${f(t.steps_per_second, 3)} | ${f(1 / ref.training.median_step_seconds, 3)} | |`,
    `| pairs/s | ${f(t.pairs_per_second, 1)} | ${f(ref.training.pairs_per_second, 0)} | ${
      f(s.training_pairs_per_second)
    } |`,
    `| median cpu s / step (all threads) | ${f(median(t.step_cpu_seconds), 3)} | | |`,
    `| median run-queue wait s / step | ${f(median(t.step_runqueue_wait_seconds), 3)} | | |`,
    `| peak RSS, MiB | ${f(t.peak_rss_mb, 0)} | | |`,
    ...torchLines(t.torch_same_machine, t.median_step_seconds),
    "",
    `Kernel profile of one step (${
      f(t.profile.kernel_total_ms, 0)
    } ms in ${t.profile.kernel_calls} kernel calls, wall ${f(t.profile.wall_ms, 0)} ms):`,
    "",
    "| kernel | ms | calls | share |",
    "|---|---:|---:|---:|",
    ...t.profile.top.map((k) => `| ${k.name} | ${f(k.ms, 1)} | ${k.calls} | ${(k.share * 100).toFixed(1)}% |`),
  );
  const ins = r.inspection;
  const methods = Object.keys(ins.methods) as NnMethod[];
  const refI = ref.inspection_exact;
  const refPhase: Record<string, number | null> = {
    load: refI.load,
    embed_bank: refI.embed_bank_k64 + refI.embed_bank_k32,
    embed_test: refI.embed_test_k64 + refI.embed_test_k32,
    "exact search": refI.search_k64 + refI.search_k32,
    "total exact": refI.total,
  };
  const row = (name: string, p: PhaseMeasure) =>
    `| ${name} | ${f(p.seconds)} | ${f(p.cpu_seconds)} | ${f(p.runqueue_wait_seconds)} | ${f(p.peak_rss_mb, 0)} | ${
      f(refPhase[name], 0)
    } |`;
  out.push(
    "",
    `## Inspection (${ins.num_train} train + ${ins.num_test} test images of ${
      r.dataset.source_image_size.join("x")
    } px)`,
    "",
    "| phase | wall s | cpu s | run-queue wait s | peak RSS MiB | reference s (bottle, exact) |",
    "|---|---:|---:|---:|---:|---:|",
    ...Object.entries(ins.shared).map(([name, p]) => row(name, p)),
  );
  for (const m of methods) {
    for (const [name, p] of Object.entries(ins.methods[m]!.phases)) out.push(row(`${m} ${name}`, p));
  }
  for (const m of methods) {
    const mb = ins.methods[m]!;
    const all = [...Object.values(ins.shared), ...Object.values(mb.phases)];
    const sum = (k: "cpu_seconds" | "runqueue_wait_seconds") => all.reduce((acc, p) => acc + p[k], 0);
    out.push(
      `| **total ${m}** | ${f(mb.total_seconds)} | ${f(sum("cpu_seconds"))} | ${f(sum("runqueue_wait_seconds"))} | ${
        f(mb.peak_rss_mb, 0)
      } | ${f(refPhase[`total ${m}`], 0)} |`,
    );
  }
  out.push(
    `| s / test image | ${
      methods.map((m) => `${m} ${f(ins.methods[m]!.seconds_per_test_image, 3)}`).join(", ")
    } | | | | ${f(refI.total / ref.dataset.num_test, 1)} |`,
    "",
    `Speed-ups vs reference${s.reference_scaled ? " (reference scaled to this dataset's image counts)" : ""}: ` +
      [
        ["load", s.load],
        ["bank embedding", s.embed_bank],
        ["test embedding", s.embed_test],
        ["exact search", s.search_exact],
        ["whole inspection exact", s.inspection_exact_total],
        ["whole inspection hnsw", s.inspection_hnsw_total],
      ].filter(([, x]) => x !== null).map(([name, x]) => `${name} ${(x as number).toFixed(1)}x`).join(", "),
  );
  for (const m of methods) {
    const levels = ins.methods[m]!.levels;
    out.push(
      `  ${m}: ${
        Object.entries(levels).map(([k, l]) =>
          `${k} ${l.queries} queries x ${l.bank_vectors} bank: ${
            l.index_build_seconds !== undefined ? `build ${f(l.index_build_seconds)} s + ` : ""
          }search ${f(l.search_seconds)} s`
        ).join("; ")
      }`,
    );
  }
  const q = ins.nn_quality;
  if (q) {
    out.push(
      "",
      "## hnsw vs exact",
      "",
      "| level | queries | bank | recall@1 | same row | mean dist. excess |",
      "|---|---:|---:|---:|---:|---:|",
      ...Object.entries(q.recall).map(([k, x]) =>
        `| ${k} | ${x.queries} (${x.exact_source}) | ${x.bank} | ${f(x.recall_at_1, 4)} | ${f(x.index_match, 4)} | ${
          (x.mean_relative_excess * 100).toFixed(3)
        }% |`
      ),
    );
    if (q.auroc_diff && ins.methods.exact && ins.methods.hnsw) {
      const e = ins.methods.exact, h = ins.methods.hnsw;
      out.push(
        "",
        "| map | det exact | det hnsw | diff | seg exact | seg hnsw | diff |",
        "|---|---:|---:|---:|---:|---:|---:|",
        ...Object.keys(q.auroc_diff.image).map((k) =>
          `| ${k} | ${f(e.image_auroc[k], 4)} | ${f(h.image_auroc[k], 4)} | ${q.auroc_diff!.image[k].toFixed(4)} | ${
            f(e.pixel_auroc[k], 4)
          } | ${f(h.pixel_auroc[k], 4)} | ${q.auroc_diff!.pixel[k].toFixed(4)} |`
        ),
      );
    }
  }
  return out.join("\n");
}
