/**
 * An evaluation job: load a run's checkpoint, inspect its category's test set, write
 * `RUN/metrics.json` (atomically) and one overlay PNG per test image.
 *
 * @module
 */

import { resolveNnMethod } from "../inspect/nearest.ts";
import { type InspectConfig, validateConfig } from "../config.ts";
import { type BackendName, exactNearestNativeAsync, type MatmulPrecision, selectBackend } from "../backend/mod.ts";
import { loadDataset } from "../data/dataset.ts";
import { UserError } from "../errors.ts";
import { inspectDataset } from "../inspect/evaluate.ts";
import { type MetricsRecord, metricsRecord } from "../inspect/report.ts";
import { writeOverlayPng } from "../lab/plot/overlay.ts";
import { writeRunReport } from "../lab/report/write.ts";
import { CHECKPOINT_FILE, loadModelState, readCheckpoint } from "../train/checkpoint.ts";
import { createModel, disposeModel } from "../train/model.ts";
import { removeStaleTemporaries, writeJsonAtomic } from "../util/atomic.ts";
import { RUN_FILES } from "./train_job.ts";
import { findUntrainedBaselines, saveUntrainedBaseline } from "./baseline.ts";
import { sanityWarnings } from "../metrics/sanity.ts";

/** What to evaluate. */
export interface EvalJob {
  /** Run folder holding `checkpoint.safetensors`. */
  run: string;
  /** Dataset root (default: the one the run was trained on). */
  data?: string;
  /** Category (default: the run's). */
  category?: string;
  /** Overrides of the run's inspection settings (strides, nn method). */
  inspect?: Partial<InspectConfig>;
  /** Compute backend. Default "auto". */
  backend?: BackendName;
  /** Arithmetic of the native convolutions and matmuls. Default "fp32" (as the reference). */
  precision?: MatmulPrecision;
  /** Write overlay PNGs (default true). */
  overlays?: boolean;
  /** Write `RUN/report.html` (default true): metrics, curves, best and worst maps (src/lab/report/). */
  report?: boolean;
  /**
   * Use the dataset's ground-truth masks (default true). False (`eval --no-masks`) evaluates
   * image-level metrics only, for datasets that label images but not pixels.
   */
  masks?: boolean;
  /** Skip unreadable images. */
  skipBad?: boolean;
  /** Accept mixed grayscale/colour categories. */
  allowMixedChannels?: boolean;
  /**
   * Also evaluate the run's untrained encoder (its own initialisation, saved to `RUN/baseline/`) for the
   * sanity check; without it, untrained runs already evaluated in `RUN/baseline/` or sibling folders
   * are used when there are any (src/jobs/baseline.ts). Default false.
   */
  baseline?: boolean;
  /** No progress output. */
  quiet?: boolean;
}

/**
 * Evaluate a run.
 *
 * @param job what to evaluate
 * @returns the metrics written to `RUN/metrics.json`
 */
export async function runEvalJob(job: EvalJob): Promise<MetricsRecord> {
  const say = (m: string) => job.quiet || console.error(m);
  const checkpoint = await readCheckpoint(`${job.run}/${CHECKPOINT_FILE}`);
  const config = structuredClone(checkpoint.meta.config);
  config.inspect = { ...config.inspect, ...job.inspect };
  config.inspect.nn = resolveNnMethod(config.inspect.nn); // metrics.json records the search that ran
  validateConfig(config);
  const extra = checkpoint.meta.extra as { data?: string; category?: string };
  const data = job.data ?? extra.data;
  const category = job.category ?? extra.category;
  if (!data || !category) {
    throw new UserError(`${job.run} does not record its dataset; pass --data ROOT --category C`);
  }
  const backend = await selectBackend(job.backend ?? "auto", { precision: job.precision });
  say(`backend: ${backend.note}`);
  const t0 = performance.now();
  const dataset = await loadDataset(data, category, {
    size: config.imageSize,
    skipBad: job.skipBad,
    allowMixedChannels: job.allowMixedChannels,
    requireMasks: job.masks ?? true,
    onWarning: (m) => console.error(`warning: ${m}`),
  });
  const loadSeconds = (performance.now() - t0) / 1000;
  const model = createModel(config);
  loadModelState(model, checkpoint);
  const t1 = performance.now();
  const inspection = await inspectDataset(model.encoder, dataset, {
    inspect: config.inspect,
    exactKernel: async (bank, queries, dim) => (await exactNearestNativeAsync(bank, queries, dim))?.distances ?? null,
    onPhase: say,
  });
  const inspectSeconds = (performance.now() - t1) / 1000;
  disposeModel(model);
  const record = metricsRecord(inspection, dataset, {
    ...config,
    data,
    backend: backend.name,
    step: checkpoint.meta.step,
  }, (job.masks ?? true) ? "ground_truth" : "none");
  record.timing_s = { load: loadSeconds, ...record.timing_s, inspect_total: inspectSeconds };
  if (job.overlays ?? true) {
    const t2 = performance.now();
    const dir = `${job.run}/overlays`;
    await Deno.mkdir(dir, { recursive: true });
    const main = inspection.maps[inspection.mainKey];
    const range = mapRange(main);
    const size = dataset.test.size, px = size * size;
    for (const [i, s] of dataset.test.samples.entries()) {
      const name = s.path.split("/").pop()!.replace(/\.[^.]+$/, "");
      await writeOverlayPng(
        `${dir}/${s.defect}_${name}.png`,
        dataset.test.images.subarray(i * px * 3, (i + 1) * px * 3),
        main[i],
        dataset.test.masks!.subarray(i * px, (i + 1) * px),
        size,
        range,
      );
    }
    record.timing_s.overlays = (performance.now() - t2) / 1000;
  }
  if (job.baseline && checkpoint.meta.step > 0) {
    say("evaluating the untrained encoder (--baseline) ...");
    const dir = await saveUntrainedBaseline(job.run, config, checkpoint.meta.extra);
    await runEvalJob({ ...job, run: dir, data, category, overlays: false, baseline: false, quiet: true });
  }
  const baselines = checkpoint.meta.step > 0 ? await findUntrainedBaselines(job.run, record) : [];
  record.warnings = sanityWarnings(record, baselines);
  for (const w of record.warnings) console.error(`warning: ${w.message}`);
  await removeStaleTemporaries(`${job.run}/${RUN_FILES.metrics}`); // left by an eval killed while writing
  await writeJsonAtomic(`${job.run}/${RUN_FILES.metrics}`, record);
  if (job.report ?? true) {
    const t3 = performance.now();
    const path = await writeRunReport(job.run, { metrics: record, inspection, dataset });
    say(`wrote ${path} (${((performance.now() - t3) / 1000).toFixed(1)} s)`);
  }
  return record;
}

/** Colour range of the overlays: the 1st..99.9th percentile of all map values (sampled). */
function mapRange(maps: Float32Array[]): [number, number] {
  const sample: number[] = [];
  for (const m of maps) for (let i = 0; i < m.length; i += 97) sample.push(m[i]);
  sample.sort((a, b) => a - b);
  return [sample[Math.floor(sample.length * 0.01)], sample[Math.floor(sample.length * 0.999)]];
}
