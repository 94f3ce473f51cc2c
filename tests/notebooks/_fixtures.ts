/** Committed-results fixtures: sweep folders in `deno task ablate`'s layout, written to a temp dir. */

import { DEFAULT_CONFIG, type RunConfig } from "../../src/config.ts";
import type { MetricsRecord } from "../../src/inspect/report.ts";

/** A metrics record as `eval` writes it (only the fields the figures read are meaningful). */
export function metricsOf(
  category: string,
  train: Partial<RunConfig["train"]>,
  auroc: Record<string, [number, number]>,
  step = 100,
): MetricsRecord {
  const keys = Object.keys(auroc);
  return {
    category,
    image_auroc: Object.fromEntries(keys.map((k) => [k, auroc[k][0]])),
    pixel_auroc: Object.fromEntries(keys.map((k) => [k, auroc[k][1]])),
    aupro: 0.8,
    f1_max: { image: 0.9, pixel: 0.6, image_threshold: 1, pixel_threshold: 1 },
    per_defect_image_auroc: {},
    main: keys.includes("mult") ? "mult" : keys[0],
    timing_s: {},
    config: { ...DEFAULT_CONFIG, train: { ...DEFAULT_CONFIG.train, ...train }, data: "/data", backend: "cpu", step },
  };
}

/** Write `dir/runs/<cell>/metrics.json` (and optionally a loss curve). */
export async function writeRun(dir: string, cell: string, metrics: MetricsRecord, logLines = 0): Promise<void> {
  await Deno.mkdir(`${dir}/runs/${cell}`, { recursive: true });
  await Deno.writeTextFile(`${dir}/runs/${cell}/metrics.json`, JSON.stringify(metrics));
  if (logLines > 0) {
    const lines = Array.from(
      { length: logLines },
      (_, i) => JSON.stringify({ step: i + 1, time_s: i, ssl64: 2 - i / logLines, svddPrime64: 0.01, total: 2 }),
    );
    await Deno.writeTextFile(`${dir}/runs/${cell}/loss_curve.jsonl`, lines.join("\n") + "\n");
  }
}

const HEADER = "category,map,n,det_mean,det_std,seg_mean,seg_std,paper_det,paper_seg,paper_source";

/**
 * A results folder with a losses sweep (table + runs), a hierarchy sweep (runs only) and a
 * lambda sweep (table only).
 */
export async function writeResults(root: string): Promise<void> {
  const losses = `${root}/losses`;
  await Deno.mkdir(losses, { recursive: true });
  await Deno.writeTextFile(
    `${losses}/table.csv`,
    [
      `losses,${HEADER}`,
      "svdd,bottle,mult,2,0.7,0.02,0.8,0.01,,,",
      'svdd,mean,mult,2,0.7,0.02,0.8,0.01,0.703,0.832,"losses ablation, mean of 15 classes"',
      "svdd-prime+ssl,bottle,mult,2,0.95,0.01,0.96,,0.986,0.981,Table 1",
      'svdd-prime+ssl,mean,mult,2,0.95,0.01,0.96,,0.921,0.957,"Table 1, mean of 15 classes"',
      "ssl,mean,mult,0,,,,,,,",
    ].join("\n") + "\n",
  );
  await Deno.writeTextFile(`${losses}/table.md`, "# Ablation `losses`\n");
  for (const seed of [0, 1]) {
    await writeRun(
      losses,
      `svdd-prime+ssl-s${seed}`,
      metricsOf("bottle", { seed }, { k64: [0.9, 0.9], k32: [0.92, 0.95], mult: [0.95 + seed / 100, 0.96] }, 3270),
      seed === 0 ? 20 : 0,
    );
  }
  const hierarchy = `${root}/hierarchy`;
  for (const seed of [0, 1]) {
    await writeRun(hierarchy, `flat-s${seed}`, metricsOf("bottle", { encoder: "flat", seed }, { k64: [0.8, 0.85] }));
    await writeRun(
      hierarchy,
      `hier-s${seed}`,
      metricsOf("bottle", { seed }, { k64: [0.88, 0.9], k32: [0.9, 0.95], sum: [0.9, 0.94], mult: [0.93, 0.96] }),
    );
  }
  const lambda = `${root}/lambda`;
  await Deno.mkdir(lambda, { recursive: true });
  await Deno.writeTextFile(
    `${lambda}/table.csv`,
    [
      `lambda,${HEADER}`,
      "0.0001,mean,mult,2,0.95,0.01,0.96,0.01,,,",
      "0.001,mean,mult,2,0.94,0.01,0.96,0.01,0.921,0.957,Table 1",
      "1,mean,mult,2,0.5,0.05,0.6,0.04,,,",
    ].join("\n") + "\n",
  );
}
