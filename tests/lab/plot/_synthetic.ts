/**
 * Synthetic inputs for every figure, shared by the tests and by `_render_all.ts`.
 *
 * @module
 */

import { rocCurve } from "../../../src/metrics/mod.ts";
import type { AblationRow, AnomalyMapItem, AurocRow, LambdaRow, NamedRocCurve } from "../../../src/lab/plot/mod.ts";
import { PAPER_LOSS_ABLATION, PAPER_TABLE1 } from "../../../src/lab/plot/mod.ts";

/** Seeded uniform generator (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal sample (Box-Muller). */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Table 1 rows: ours = paper minus a little noise, one extra method on a few classes. */
export function syntheticAurocRows(): AurocRow[] {
  const rand = seeded(1);
  const rows: AurocRow[] = Object.entries(PAPER_TABLE1).map(([category, paper]) => ({
    category,
    method: "Patch SVDD (ours)",
    ours: { det: Math.min(1, paper.det - 0.05 * rand() + 0.01), seg: Math.min(1, paper.seg - 0.03 * rand() + 0.01) },
    paper,
  }));
  return rows;
}

/** Loss ablation rows with the paper's values. */
export function syntheticAblationRows(): AblationRow[] {
  const rand = seeded(2);
  return Object.entries(PAPER_LOSS_ABLATION).flatMap(([group, paper]) =>
    (["det", "seg"] as const).map((metric) => ({
      group,
      metric,
      mean: paper[metric] - 0.03 * rand(),
      std: 0.005 + 0.02 * rand(),
      n: 3,
      paper: paper[metric],
    }))
  );
}

/** Lambda sweep: best near 1e-3, collapse towards 0.5 at large lambda. */
export function syntheticLambdaRows(): LambdaRow[] {
  const lambdas = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1];
  return lambdas.flatMap((lambda) => {
    const x = Math.log10(lambda) + 3;
    return [
      { lambda, metric: "det", mean: 0.92 - 0.02 * x * x - (x > 1 ? 0.1 * x : 0), std: 0.01 + 0.01 * Math.abs(x) },
      { lambda, metric: "seg", mean: 0.95 - 0.015 * x * x - (x > 1 ? 0.08 * x : 0), std: 0.005 + 0.008 * Math.abs(x) },
    ];
  });
}

/** Two ROC curves of Gaussian scores, computed with src/metrics. */
export function syntheticRocCurves(): NamedRocCurve[] {
  const rand = seeded(3);
  return [["K=64", 1.0], ["K=32", 1.6], ["fused (mult)", 2.2]].map(([name, shift]) => {
    const scores: number[] = [], labels: number[] = [];
    for (let i = 0; i < 400; i++) {
      const anomalous = i % 4 === 0 ? 1 : 0;
      scores.push(gaussian(rand) + anomalous * (shift as number));
      labels.push(anomalous);
    }
    const curve = rocCurve(scores, labels);
    // AUC by the trapezoid rule on the exact curve.
    let auc = 0;
    for (let i = 1; i < curve.fpr.length; i++) {
      auc += (curve.fpr[i] - curve.fpr[i - 1]) * (curve.tpr[i] + curve.tpr[i - 1]) / 2;
    }
    return { name: name as string, fpr: curve.fpr, tpr: curve.tpr, auc };
  });
}

/** A training log: SSL falling from ln 8, SVDD' terms ~1e-2, noisy. */
export function syntheticTrainingLog(steps = 600): Record<string, number>[] {
  const rand = seeded(4);
  return Array.from({ length: steps }, (_, step) => {
    const ssl64 = 2.079 * Math.exp(-step / 300) + 0.6 + 0.1 * gaussian(rand);
    const ssl32 = 2.079 * Math.exp(-step / 200) + 0.9 + 0.1 * gaussian(rand);
    const svddPrime64 = 0.05 * Math.exp(-step / 150) + 0.01 + 0.002 * Math.abs(gaussian(rand));
    const svddPrime32 = 0.03 * Math.exp(-step / 150) + 0.006 + 0.002 * Math.abs(gaussian(rand));
    return {
      step,
      time_s: step * 0.4,
      ssl64,
      ssl32,
      svddPrime64,
      svddPrime32,
      total: ssl64 + ssl32 + 1e-3 * (svddPrime64 + svddPrime32),
    };
  });
}

/** Embeddings: normal around the origin, anomalous shifted along a direction. */
export function syntheticEmbeddings(n = 3000, dim = 64): { embeddings: Float32Array; labels: Uint8Array } {
  const rand = seeded(5);
  const embeddings = new Float32Array(n * dim), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10 === 0 ? 1 : 0;
    for (let d = 0; d < dim; d++) {
      embeddings[i * dim + d] = gaussian(rand) * (d < 3 ? 3 - d : 0.5) + (labels[i] && d === 1 ? 4 : 0);
    }
  }
  return { embeddings, labels };
}

/** A bottle-like image with a dark blob (the defect), its mask and a blurred map around it. */
export function syntheticAnomalyItem(size = 128, seed = 6, defect = true): AnomalyMapItem {
  const rand = seeded(seed);
  const image = new Uint8Array(size * size * 3),
    map = new Float32Array(size * size),
    mask = new Uint8Array(size * size);
  const cx = size * (0.35 + 0.3 * rand()), cy = size * (0.35 + 0.3 * rand()), r = size * 0.1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const ring = Math.hypot(x - size / 2, y - size / 2) < size * 0.4 ? 1 : 0;
      const blob = defect && Math.hypot(x - cx, (y - cy) * 1.4) < r ? 1 : 0;
      mask[i] = blob;
      const base = ring ? 150 : 40;
      image[i * 3] = blob ? 70 : base + 10 * rand();
      image[i * 3 + 1] = blob ? 50 : base * 0.9 + 10 * rand();
      image[i * 3 + 2] = blob ? 40 : base * 0.6 + 10 * rand();
      const d = Math.hypot(x - cx, y - cy) / (r * 1.5);
      map[i] = (defect ? Math.exp(-d * d) : 0) + 0.15 * rand() + 0.1;
    }
  }
  let score = 0;
  for (const v of map) score = Math.max(score, v);
  return {
    image,
    map,
    mask: defect ? mask : null,
    size,
    score,
    threshold: 0.55,
    title: defect ? "bottle/broken_large/000" : "bottle/good/001",
  };
}
