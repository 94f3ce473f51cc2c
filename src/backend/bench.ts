/**
 * Backend benchmarks: GFLOP/s of the encoder's convolutions (forward, input gradient, filter
 * gradient) on each backend, at the two shapes that matter (f_small on a whole 256x256 image, and
 * on a training batch of 32x32 patches), and the exact nearest-neighbour search at memory-bank scale.
 *
 * Run: `deno run -A src/backend/bench.ts [--backends native,wasm,cpu] [--batch 256] [--out file.json]`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { exactNearestNativeDetailed } from "./native.ts";
import { type BackendName, selectBackend } from "./select.ts";

/** The encoder's convolutions (REFERENCE.md section 2, f_small): [in channels, out channels, stride], all 3x3. */
export const F_SMALL_LAYERS: readonly [number, number, number][] = [
  [3, 32, 2],
  [32, 64, 1],
  [64, 128, 1],
  [128, 128, 1],
  [128, 64, 1],
  [64, 32, 1],
  [32, 32, 1],
  [32, 64, 1],
];

/** One convolution of the benchmark. */
export interface ConvCase {
  /** "image" (one 256x256 image) or "patches" (a batch of 32x32 patches). */
  input: "image" | "patches";
  /** e.g. "128->128 123->121". */
  layer: string;
  /** x [N, H, W, Cin]. */
  xShape: [number, number, number, number];
  /** w [3, 3, Cin, Cout]. */
  wShape: [number, number, number, number];
  /** Convolution stride (both axes). */
  stride: number;
  /** Multiply-adds x 2 of the forward pass (each gradient costs the same). */
  flop: number;
}

/** A timing of one kernel on one backend. */
export interface KernelTiming {
  /** tfjs backend name. */
  backend: string;
  /** Whole image or patch batch. */
  input: "image" | "patches";
  /** See {@linkcode ConvCase.layer}. */
  layer: string;
  /** Which convolution kernel. */
  kernel: "forward" | "backpropInput" | "backpropFilter";
  /** Best wall time of the repetitions, ms. */
  ms: number;
  /** Forward-pass FLOP / time. */
  gflops: number;
}

/**
 * The encoder's convolutions on a whole image and on a batch of patches.
 *
 * @param batch patches per training batch
 * @param imageSize side of the whole image
 * @returns one case per layer and input
 */
export function encoderConvCases(batch = 256, imageSize = 256): ConvCase[] {
  const cases: ConvCase[] = [];
  for (const [input, n, size] of [["image", 1, imageSize], ["patches", batch, 32]] as const) {
    let h = size;
    for (const [ci, co, s] of F_SMALL_LAYERS) {
      const ho = Math.floor((h - 3) / s) + 1;
      cases.push({
        input,
        layer: `${ci}->${co} ${h}->${ho}`,
        xShape: [n, h, h, ci],
        wShape: [3, 3, ci, co],
        stride: s,
        flop: 2 * n * ho * ho * co * 9 * ci,
      });
      h = ho;
    }
  }
  return cases;
}

function bestMs(run: () => tf.Tensor, reps: number, warmUp: boolean): number {
  if (warmUp) run().dispose(); // kernel setup, first-touch allocations
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = run();
    out.dataSync();
    best = Math.min(best, performance.now() - t0);
    out.dispose();
  }
  return best;
}

/**
 * Time the encoder's convolutions on the given backends.
 *
 * @param backends backends to measure (each is activated with {@linkcode selectBackend})
 * @param cases the convolutions
 * @param options reps: repetitions per kernel (best is kept); slowBackendGflops: estimated speed of
 *   slow backends (default cpu: 0.1), which run each kernel once, and skip kernels that would take
 *   longer than `budgetSeconds` (default 2)
 * @returns one timing per backend, case and kernel that ran
 */
export async function benchConvKernels(
  backends: BackendName[],
  cases: ConvCase[],
  options: { reps?: number; budgetSeconds?: number; slowBackendGflops?: Record<string, number> } = {},
): Promise<KernelTiming[]> {
  const reps = options.reps ?? 3;
  const budget = options.budgetSeconds ?? 2;
  const slow = options.slowBackendGflops ?? { cpu: 0.1 };
  const out: KernelTiming[] = [];
  for (const requested of backends) {
    const { name } = await selectBackend(requested);
    for (const c of cases) {
      if (slow[name] && c.flop / (slow[name] * 1e9) > budget) continue;
      const n = slow[name] ? 1 : reps;
      const [x, w] = [tf.randomUniform(c.xShape, -1, 1), tf.randomUniform(c.wShape, -1, 1)] as tf.Tensor4D[];
      const y = tf.conv2d(x, w, c.stride, "valid");
      const dy = tf.randomUniform(y.shape, -1, 1);
      const attrs = { strides: c.stride, pad: "valid", dataFormat: "NHWC" };
      const kernels = {
        forward: () => tf.conv2d(x, w, c.stride, "valid"),
        backpropInput: () =>
          tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter: w }, {
            ...attrs,
            inputShape: c.xShape,
          }) as tf.Tensor,
        backpropFilter: () =>
          tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: c.wShape }) as tf.Tensor,
      };
      for (const [kernel, run] of Object.entries(kernels) as [KernelTiming["kernel"], () => tf.Tensor][]) {
        if (c.input === "image" && c.layer.startsWith("3->") && kernel === "backpropInput") continue; // image grad unused
        const ms = bestMs(run, n, !slow[name]);
        out.push({ backend: name, input: c.input, layer: c.layer, kernel, ms, gflops: c.flop / ms / 1e6 });
      }
      tf.dispose([x, w, y, dy]);
    }
  }
  return out;
}

/** A memory-bank-like synthetic set: `images` images of a `grid` x `grid` patch grid (see below). */
export interface BankSpec {
  /** Number of images. */
  images: number;
  /** Patch positions per image side. */
  grid: number;
  /** Embedding dimension. */
  dim: number;
  /** Intrinsic dimension of the embedding manifold: 2 = position only (easy), more = texture variation. */
  latent: number;
}

/**
 * Synthetic embeddings shaped like a memory bank: each image sees the same grid of patch
 * positions, slightly shifted, mapped smoothly to `dim`-D vectors of magnitude ~0.03 (a random
 * encoder's, REFERENCE.md section 6). Extra latent coordinates vary per image and position.
 *
 * @param spec sizes
 * @param seed generator seed
 * @returns row-major [images * grid^2, dim]
 */
export function syntheticBank(spec: BankSpec, seed: number): Float32Array {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const freqRng = (() => {
    let f = 12345;
    return () => ((f = (Math.imul(f, 1664525) + 1013904223) >>> 0) / 4294967296);
  })(); // the map itself is the same for every call (bank and queries)
  const freq = Array.from({ length: spec.dim }, () => Array.from({ length: spec.latent + 1 }, () => freqRng() * 6));
  const out = new Float32Array(spec.images * spec.grid * spec.grid * spec.dim);
  const z = new Float64Array(spec.latent);
  let row = 0;
  for (let img = 0; img < spec.images; img++) {
    const du = (rand() - 0.5) * 2e-3, dv = (rand() - 0.5) * 2e-3;
    for (let gy = 0; gy < spec.grid; gy++) {
      for (let gx = 0; gx < spec.grid; gx++, row++) {
        z[0] = gy / spec.grid + du;
        if (spec.latent > 1) z[1] = gx / spec.grid + dv;
        for (let l = 2; l < spec.latent; l++) z[l] = rand() * 0.05;
        for (let d = 0; d < spec.dim; d++) {
          const f = freq[d];
          let phase = f[spec.latent];
          for (let l = 0; l < spec.latent; l++) phase += f[l] * z[l];
          out[row * spec.dim + d] = 0.03 * Math.sin(phase);
        }
      }
    }
  }
  return out;
}

/** Timing of the exact nearest-neighbour search. */
export interface NearestTiming {
  /** Bank vectors. */
  bank: number;
  /** Query vectors. */
  queries: number;
  /** Vector length. */
  dim: number;
  /** Intrinsic dimension of the synthetic data. */
  latent: number;
  /** Wall time of the search (rotation, sorting and re-ranking included). */
  seconds: number;
  /** Mean nearest-neighbour distance (how hard the instance is). */
  meanDistance: number;
  /** Queries settled by the float64 slab scan. */
  fallbacks: number;
}

/**
 * Time {@linkcode exactNearestNativeDetailed} on a synthetic bank (bottle scale by default:
 * 209 training images, 83 test images, 57x57 patches at K=32 stride 4).
 *
 * @param spec bank sizes; queries use the same map with `testImages` images
 * @param testImages number of query images
 * @returns the timing, or null when the native library is unavailable
 */
export function benchExactNearest(
  spec: BankSpec = { images: 209, grid: 57, dim: 64, latent: 2 },
  testImages = 83,
): NearestTiming | null {
  const bank = syntheticBank(spec, 1);
  const queries = syntheticBank({ ...spec, images: testImages }, 2);
  const t0 = performance.now();
  const r = exactNearestNativeDetailed(bank, queries, spec.dim);
  const seconds = (performance.now() - t0) / 1000;
  if (!r) return null;
  return {
    bank: bank.length / spec.dim,
    queries: queries.length / spec.dim,
    dim: spec.dim,
    latent: spec.latent,
    seconds,
    meanDistance: r.distances.reduce((a, b) => a + b, 0) / r.distances.length,
    fallbacks: r.fallbacks,
  };
}

/**
 * Markdown tables of conv timings (one per input kind): a row per layer, a GFLOP/s column per
 * backend and kernel, and a total-time row.
 *
 * @param timings results of {@linkcode benchConvKernels}
 * @returns the tables as text
 */
export function formatConvTable(timings: KernelTiming[]): string {
  const backends = [...new Set(timings.map((t) => t.backend))];
  const kernels = ["forward", "backpropInput", "backpropFilter"] as const;
  const short = { forward: "fwd", backpropInput: "dx", backpropFilter: "dw" };
  const lines: string[] = [];
  for (const input of ["image", "patches"] as const) {
    const rows = timings.filter((t) => t.input === input);
    if (rows.length === 0) continue;
    const cols = backends.flatMap((b) => kernels.map((k) => `${b} ${short[k]}`));
    lines.push(
      `\n${input} (GFLOP/s)\n`,
      `| layer | ${cols.join(" | ")} |`,
      `|---|${cols.map(() => "---:").join("|")}|`,
    );
    const layers = [...new Set(rows.map((t) => t.layer))];
    const cell = (b: string, k: string, layer: string) => {
      const t = rows.find((r) => r.backend === b && r.kernel === k && r.layer === layer);
      return t ? (t.gflops >= 1 ? t.gflops.toFixed(1) : t.gflops.toPrecision(2)) : "-";
    };
    for (const layer of layers) {
      lines.push(`| ${layer} | ${backends.flatMap((b) => kernels.map((k) => cell(b, k, layer))).join(" | ")} |`);
    }
    const total = (b: string, k: string) => {
      const ts = rows.filter((r) => r.backend === b && r.kernel === k);
      return ts.length === layers.length ? `${ts.reduce((a, t) => a + t.ms, 0).toFixed(0)} ms` : "-";
    };
    lines.push(`| total time | ${backends.flatMap((b) => kernels.map((k) => total(b, k))).join(" | ")} |`);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const arg = (name: string, fallback: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] : fallback;
  };
  const backends = arg("backends", "native,wasm,cpu").split(",").filter(Boolean) as BackendName[];
  const timings = await benchConvKernels(backends, encoderConvCases(Number(arg("batch", "256"))));
  if (timings.length > 0) console.log(formatConvTable(timings));
  const nearest = arg("nearest", "2").split(",").filter(Boolean).map((latent) =>
    benchExactNearest({ images: 209, grid: 57, dim: 64, latent: Number(latent) })
  );
  for (const n of nearest) if (n) console.log("\nexact nearest neighbour:", JSON.stringify(n));
  const outPath = arg("out", "");
  if (outPath) await Deno.writeTextFile(outPath, JSON.stringify({ timings, nearest }, null, 2) + "\n");
}
