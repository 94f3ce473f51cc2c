/**
 * An instrument for the encoder's activations during training. A fixed set of training patches
 * (the probe) goes through the encoder every so often, and for each level the probe records
 * the mean |pre-activation| of every conv layer, the fraction of the final tanh's outputs that
 * are saturated, and how far apart the probe's codes are.
 *
 * It also measures how far a little pixel noise (std {@linkcode PROBE_NOISE_STD}, about a camera's) moves
 * each code, relative to how far apart the codes of different patches are (`noiseRatio`), over all
 * probe patches and over the flattest quarter (`noiseRatioFlat`): an encoder that turns a flat
 * region's noise into codes as different as different patches' (ratio near 1) makes every flat
 * patch look new to the nearest-neighbour search, so a flat background outscores the defects.
 *
 * Why: a run that collapses (see src/train/collapse.ts) does so because its activations grow
 * layer after layer until the final tanh saturates; every patch then encodes to the same corner
 * of the cube and no gradient comes back through the tanh. The probe shows that growth directly
 * instead of through the losses. It reads the weights only: the run's random stream and its
 * steps are the same with and without it.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { ConvLayer, Encoder } from "../model/encoder.ts";
import { LEAKY_SLOPE } from "../model/encoder.ts";
import { cropPatches, splitQuadrants } from "../sampling/crop.ts";
import { Rng } from "../util/rng.ts";
import type { TrainImages } from "./train_images.ts";

/** A tanh output counts as saturated above this magnitude (its gradient is then below 0.02). */
export const SATURATION_LEVEL = 0.99;

/** What the probe measured on one encoder level. */
export interface LevelActivations {
  /** Patch side K of the level. */
  patchSize: number;
  /** Mean |pre-activation| of each of the level's own conv layers, in order (conv + bias, before the nonlinearity). */
  preact: number[];
  /** Fraction of the level's final tanh outputs (all codes, all dimensions) with |y| > {@linkcode SATURATION_LEVEL}. */
  saturated: number;
  /** Mean over the D dimensions of the codes' standard deviation over the probe patches (0: every patch encodes alike). */
  spread: number;
  /**
   * Mean distance between a patch's code and the code of the same patch plus pixel noise (std
   * {@linkcode PROBE_NOISE_STD}), over the mean distance between the codes of two different probe patches:
   * near 0 for an encoder that ignores noise, near 1 when noise moves a code as far as another patch's.
   * Absent in logs written before it existed.
   */
  noiseRatio?: number;
  /** {@linkcode LevelActivations.noiseRatio} over the flattest quarter of the probe patches (lowest pixel std). */
  noiseRatioFlat?: number;
}

/** Std of the pixel noise of the probe's noise measurement, in normalised units (1/255 per grey level: 2.5 levels). */
export const PROBE_NOISE_STD = 0.01;

/** A fixed set of training patches the probe encodes, held on the host. */
export interface Probe {
  /** [count, K, K, 3] normalised patches. */
  patches: Float32Array;
  /** Number of patches. */
  count: number;
  /** Their side K. */
  patchSize: number;
  /** The same patches plus fixed pixel noise of std {@linkcode PROBE_NOISE_STD}. */
  noisy: Float32Array;
  /** Indices of the flattest quarter of the patches (lowest standard deviation of their pixels). */
  flat: number[];
}

/**
 * Draw a probe: `count` KxK patches at uniform positions of uniform training images, from
 * a generator of its own (so the training stream is untouched), the same for a given seed.
 *
 * @param data normalised training images
 * @param patchSize K (the top level's)
 * @param seed the run's seed
 * @param count patches. Default 64
 * @returns the probe
 */
export function drawProbe(data: TrainImages, patchSize: number, seed: number, count = 64): Probe {
  const rng = new Rng(seed ^ 0x9b0be);
  const index = new Int32Array(count);
  const corners = new Int32Array(2 * count);
  for (let i = 0; i < count; i++) {
    index[i] = rng.int(data.count);
    corners[2 * i] = rng.int(data.size - patchSize + 1);
    corners[2 * i + 1] = rng.int(data.size - patchSize + 1);
  }
  const patches = cropPatches(data.images, data.size, index, corners, patchSize);
  const noisy = patches.slice();
  rng.addNormals(noisy, 0, noisy.length, PROBE_NOISE_STD);
  const per = patchSize * patchSize * 3;
  const std = Array.from({ length: count }, (_, i) => pixelStd(patches.subarray(i * per, (i + 1) * per)));
  const flat = std.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]).slice(0, Math.max(1, count >> 2)).map((p) => p[1]);
  return { patches, count, patchSize, noisy, flat };
}

/**
 * Run an encoder on the probe, layer by layer, and measure each level on the way (the level
 * below sees the patches' quadrants, as in training). Pre-activations are read back and
 * reduced on the host (asynchronously, so WebGPU works too): tfjs' reductions and slices are
 * slow on the CPU-based backends.
 *
 * @param encoder the top-level encoder
 * @param probe patches of side `encoder.patchSize`
 * @returns per level, top first
 */
export async function measureActivations(encoder: Encoder, probe: Probe): Promise<LevelActivations[]> {
  if (probe.patchSize !== encoder.patchSize) {
    throw new RangeError(`Expected a probe of ${encoder.patchSize}px patches but found ${probe.patchSize}px`);
  }
  /** Encode level by level, bottom level first in `codes`; `measure` false: the codes only (the noisy pass). */
  const walk = async (
    enc: Encoder,
    patches: Float32Array,
    count: number,
    codesOut: Float32Array[],
    statsOut: LevelActivations[] | null,
  ): Promise<tf.Tensor2D> => {
    const k = enc.patchSize, d = enc.embeddingDim;
    let h: tf.Tensor4D;
    if (enc.kind === "hier") {
      // [4B, D], quadrant-major
      const codes = await walk(enc.inner!, splitQuadrants(patches, count, k), 4 * count, codesOut, statsOut);
      h = tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(codes, [4, count, d]), [1, 0, 2]), [count, 2, 2, d]));
      codes.dispose();
    } else {
      h = tf.tensor4d(patches, [count, k, k, 3]);
    }
    const preact: number[] = [];
    for (const layer of enc.layers) {
      const pre = preActivation(enc, layer, h);
      h.dispose();
      if (statsOut) preact.push(meanAbs(await pre.data() as Float32Array));
      h = tf.tidy(() => layer.activation === "tanh" ? tf.tanh(pre) : tf.leakyRelu(pre, LEAKY_SLOPE));
      pre.dispose();
    }
    const codes = tf.reshape(h, [count, d]) as tf.Tensor2D;
    h.dispose();
    const values = await codes.data() as Float32Array;
    codesOut.push(values);
    statsOut?.push({ patchSize: k, preact, saturated: saturatedFraction(values), spread: spread(values, count, d) });
    return codes;
  };
  const levels: LevelActivations[] = [], clean: Float32Array[] = [], noisy: Float32Array[] = [];
  (await walk(encoder, probe.patches, probe.count, clean, levels)).dispose();
  (await walk(encoder, probe.noisy, probe.count, noisy, null)).dispose();
  const d = encoder.embeddingDim;
  for (const [i, level] of levels.entries()) {
    const n = clean[i].length / d;
    // A lower level encodes the quadrants of the probe patches, quadrant-major: index j * count + patch.
    const flat = Array.from({ length: n / probe.count }, (_, j) => probe.flat.map((p) => j * probe.count + p)).flat();
    level.noiseRatio = noiseRatio(clean[i], noisy[i], n, d);
    level.noiseRatioFlat = noiseRatio(clean[i], noisy[i], n, d, flat);
  }
  return levels.reverse();
}

/**
 * How far noise moves codes, relative to how far apart different patches' codes are: the mean of
 * |noisy_i - clean_i| over the chosen patches, divided by the mean |clean_i - clean_j| over all pairs.
 *
 * @param clean [n, d] codes of the patches
 * @param noisy [n, d] codes of the same patches plus noise
 * @param n number of codes
 * @param d dimension
 * @param which indices of the patches whose noise displacement counts (default all)
 * @returns the ratio (0 when all codes are equal and noise does not move them)
 *
 * @example
 * ```ts
 * import { noiseRatio } from "./activation_probe.ts";
 * import assert from "node:assert";
 * // two codes 2 apart; noise moves each by 0.5
 * const clean = new Float32Array([0, 0, 2, 0]), noisy = new Float32Array([0.5, 0, 2, 0.5]);
 * assert.equal(noiseRatio(clean, noisy, 2, 2), 0.25);
 * ```
 */
export function noiseRatio(
  clean: Float32Array,
  noisy: Float32Array,
  n: number,
  d: number,
  which?: number[],
): number {
  const dist = (a: Float32Array, i: number, b: Float32Array, j: number) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += (a[i * d + k] - b[j * d + k]) ** 2;
    return Math.sqrt(s);
  };
  const idx = which ?? Array.from({ length: n }, (_, i) => i);
  let moved = 0;
  for (const i of idx) moved += dist(clean, i, noisy, i);
  moved /= idx.length;
  let apart = 0, pairs = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++, pairs++) apart += dist(clean, i, clean, j);
  apart = pairs ? apart / pairs : 0;
  return apart > 0 ? moved / apart : (moved > 0 ? Infinity : 0);
}

/** Population standard deviation of a patch's values. */
function pixelStd(v: Float32Array): number {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - mean) ** 2;
  return Math.sqrt(s / v.length);
}

function preActivation(encoder: Encoder, layer: ConvLayer, x: tf.Tensor4D): tf.Tensor4D {
  return tf.fused.conv2d({
    x,
    filter: encoder.params.get(`${layer.name}.weight`)! as unknown as tf.Tensor4D,
    bias: encoder.params.get(`${layer.name}.bias`)!,
    strides: layer.stride,
    pad: "valid",
  });
}

/**
 * Mean absolute value.
 *
 * @param v values
 * @returns mean |v_i| (0 for none)
 */
export function meanAbs(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
  return v.length ? s / v.length : 0;
}

/**
 * Fraction of values whose magnitude exceeds {@linkcode SATURATION_LEVEL}.
 *
 * @param v tanh outputs
 * @returns a fraction in [0, 1]
 */
export function saturatedFraction(v: Float32Array): number {
  let n = 0;
  for (let i = 0; i < v.length; i++) if (Math.abs(v[i]) > SATURATION_LEVEL) n++;
  return v.length ? n / v.length : 0;
}

/**
 * Spread of a set of codes: the mean over dimensions of their (population) standard deviation.
 *
 * @param codes [count, d] row-major
 * @param count number of codes
 * @param d dimension
 * @returns 0 when every code is the same
 */
export function spread(codes: Float32Array, count: number, d: number): number {
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += codes[i * d + j];
    mean /= count;
    let v = 0;
    for (let i = 0; i < count; i++) v += (codes[i * d + j] - mean) ** 2;
    total += Math.sqrt(v / count);
  }
  return total / d;
}

/**
 * When a level's codes count as pinned to one saturated corner. On bottle, 400-step screens
 * measured every 20 steps: the two runs that collapsed reached 97% saturated with a spread of 4e-4
 * and 1.7e-3 at step 140, and 100% / 1e-5 by step 160; a healthy run's transient peak was 70% /
 * 1.5e-2; the reference authors' trained encoder has 40% / 0.66 (saturation alone is no sign of
 * trouble). A pinned run can recover: a 20-minute run (seed 6 with the 500-step warm-up) was
 * pinned from step 500 to 900, spread down to 4e-5, then recovered and met the quality target.
 */
export interface PinnedCriteria {
  /** Saturated fraction above which a level may be pinned. Default 0.9. */
  saturated: number;
  /** Spread below which it is. Default 5e-3. */
  spread: number;
  /**
   * Steps a level must stay pinned (at every probe) before the collapse counts as lasting, the
   * condition `--stop-on-collapse` acts on. Default 1000 (the run that recovered was pinned for 400).
   */
  lastingSteps: number;
}

/** Default {@linkcode PinnedCriteria}. */
export const DEFAULT_PINNED_CRITERIA: PinnedCriteria = { saturated: 0.9, spread: 5e-3, lastingSteps: 1000 };

/**
 * The first pinned level of a measurement, if any.
 *
 * @param levels the probe's measurement
 * @param criteria thresholds (default {@linkcode DEFAULT_PINNED_CRITERIA})
 * @returns the level, or undefined
 */
export function pinnedLevel(
  levels: LevelActivations[],
  criteria: PinnedCriteria = DEFAULT_PINNED_CRITERIA,
): LevelActivations | undefined {
  return levels.find((l) => l.saturated > criteria.saturated && l.spread < criteria.spread);
}

/** What {@linkcode PinnedWatch.observe} reports about one probe. */
export interface PinnedReport {
  /** A one-line warning the first time a level is pinned, else null. */
  warning: string | null;
  /** A one-line note when a pinned run is pinned no more, else null. */
  recovered: string | null;
  /** Whether the codes have now been pinned at every probe for `lastingSteps` steps or more. */
  lasting: boolean;
}

/**
 * Follows the probe's measurements of a run: warns when codes get pinned, notes a recovery,
 * and says when a pinned state has lasted long enough to call the run collapsed.
 *
 * @example
 * ```ts
 * import { PinnedWatch } from "./activation_probe.ts";
 * const watch = new PinnedWatch({ saturated: 0.9, spread: 5e-3, lastingSteps: 200 });
 * const pinned = [{ patchSize: 32, preact: [0.1, 20], saturated: 1, spread: 1e-6 }];
 * watch.observe(100, pinned).warning; // "at step 100 the K=32 codes are pinned ..."
 * watch.observe(300, pinned).lasting; // true
 * ```
 */
export class PinnedWatch {
  /** First step at which a level was pinned, or null. */
  pinnedAt: number | null = null;
  /** Patch size K of the level found pinned at the last probe, or null when none was. */
  pinnedPatchSize: number | null = null;
  #since: number | null = null;
  #criteria: PinnedCriteria;

  /** @param criteria thresholds (default {@linkcode DEFAULT_PINNED_CRITERIA}) */
  constructor(criteria: PinnedCriteria = DEFAULT_PINNED_CRITERIA) {
    this.#criteria = criteria;
  }

  /** First step of the current pinned stretch, or null when the last probe was not pinned. */
  get since(): number | null {
    return this.#since;
  }

  /**
   * Record one probe.
   *
   * @param step the step measured
   * @param levels the probe's measurement
   * @returns the warning, recovery note and lasting flag of this probe
   */
  observe(step: number, levels: LevelActivations[]): PinnedReport {
    const bad = pinnedLevel(levels, this.#criteria);
    if (!bad) {
      const since = this.#since;
      this.#since = null;
      this.pinnedPatchSize = null;
      const spread = Math.min(...levels.map((l) => l.spread)).toExponential(1);
      const recovered = since === null
        ? null
        : `the codes pinned since step ${since} are pinned no more at step ${step} (smallest spread ${spread}): ` +
          `the run is recovering`;
      return { warning: null, recovered, lasting: false };
    }
    this.#since ??= step;
    this.pinnedPatchSize = bad.patchSize;
    let warning: string | null = null;
    if (this.pinnedAt === null) {
      this.pinnedAt = step;
      const means = bad.preact.map((m) => m.toPrecision(2)).join(", ");
      warning = `at step ${step} the K=${bad.patchSize} codes are pinned to one corner: ` +
        `${(100 * bad.saturated).toFixed(0)}% of their tanh outputs are saturated (|y| > ${SATURATION_LEVEL}) and ` +
        `their spread over the probe patches is ${bad.spread.toExponential(1)} (mean |pre-activation| by layer: ` +
        `${means}): the activations grew layer after layer until the final tanh saturated, and the run is ` +
        `collapsing; it may still recover (on bottle one run of three seen pinned did, within 500 steps)`;
    }
    return { warning, recovered: null, lasting: step - this.#since >= this.#criteria.lastingSteps };
  }
}
