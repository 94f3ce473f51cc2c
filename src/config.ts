/**
 * Typed configuration for training and inspection, with the reference
 * implementation's settings as defaults (see `../shared/docs/REFERENCE.md`).
 *
 * An experiment is a small override of {@linkcode DEFAULT_CONFIG}; every
 * deviation from the reference is a named field here.
 *
 * @module
 */

import { UserError } from "./errors.ts";

/** Which loss terms are active. The paper's ablations need every combination. */
export interface LossSwitches {
  /** L_SVDD: distance of every patch embedding to the centre c (paper's first ablation). Reference: off. */
  svdd: boolean;
  /** L_SVDD': distance between the two embeddings of a jittered pair. Reference: on. */
  svddPrime: boolean;
  /** L_SSL: cross-entropy of the 8-way relative-position classifier. Reference: on. */
  ssl: boolean;
}

/** Encoder family. */
export type EncoderKind =
  /** Hierarchical f_big (K = 32 * 2^depth) built on f_small; the reference. */
  | "hier"
  /** Non-hierarchical K=64 baseline (paper's hierarchy ablation). */
  | "flat";

/**
 * A decaying learning-rate schedule (see src/train/lr_schedule.ts): over a number of steps, or, for a
 * run whose only budget is time, over minutes of training. Exactly one of the two is set.
 */
export interface LrSchedule {
  /** Shape of the decay: straight line or half cosine, from the base rate to zero. */
  kind: "linear" | "cosine";
  /** Steps over which the rate falls to zero. */
  steps?: number;
  /** Minutes of training (summed over resumed invocations) over which the rate falls to zero. */
  minutes?: number;
  /**
   * Decay over steps only: steps at the full rate before the decay begins, so the rate falls from
   * `startStep` to `steps` (a warmup-stable-decay schedule; `--lr-decay-start`). Absent means 0.
   */
  startStep?: number;
}

/** Training and model configuration. */
export interface TrainConfig {
  /** Encoder family; "hier" is the reference. */
  encoder: EncoderKind;
  /** Patch size K of the top-level encoder: 32 * 2^n. Reference: 64. */
  patchSize: number;
  /** Embedding dimension D. Reference: 64. */
  embeddingDim: number;
  /** Weight of the SVDD terms: L = L_SSL + lambda * L_SVDD'. Published command: 1e-3. */
  lambda: number;
  /** Active loss terms. */
  losses: LossSwitches;
  /** Adam learning rate. Reference: 1e-4. */
  learningRate: number;
  /** Pairs per pair set per step (four pair sets per step). Reference: 64. */
  batchSize: number;
  /**
   * Position-classifier last layer: "fixed" reproduces the reference (weight
   * columns renormalised under no-grad, so effectively a fixed random projection
   * with a trainable bias); "trainable" is a plain dense layer.
   */
  classifierHead: "fixed" | "trainable";
  /** Std of the SSL per-channel colour shift and per-pixel noise. Reference: 0.02. */
  sslNoiseStd: number;
  /**
   * Pair sampling: "reference" draws independent patches as the reference does;
   * "dense" (named deviation) encodes whole crops convolutionally and draws many
   * pairs per forward pass.
   */
  sampling: "reference" | "dense";
  /**
   * Dense sampling only: crops encoded per step (each twice, for the SSL perturbation).
   * Absent means 8 (`DEFAULT_DENSE_CROPS`); optional so that reference configs keep their sweep ids.
   */
  denseCrops?: number;
  /**
   * Named deviation: the learning rate falls from `learningRate` to zero over `steps` steps
   * (`--lr-schedule`, `--lr-decay-steps`). Absent (the reference) means a constant rate.
   */
  lrSchedule?: LrSchedule;
  /**
   * Named deviation: the learning rate rises linearly from `learningRate / N` to `learningRate`
   * over the first N steps (`--lr-warmup-steps`). Absent (the reference) means no warm-up.
   */
  lrWarmupSteps?: number;
  /**
   * Named deviation (`--preact-bound B`): adds to the loss, weighted 1e-3, for every tanh layer (each
   * level's last) the mean over its outputs of max(0, |z| - B)^2, z the pre-activation: a restoring
   * force on units deep in saturation, where the task's own gradient vanishes and Adam keeps the
   * weights moving at the full rate (src/train/preact_bound.ts). Absent (the reference) means no such term.
   */
  preactBound?: number;
  /** Random seed for initialisation and sampling. */
  seed: number;
  /**
   * Seed of the weight initialisation alone (`--init-seed`), to separate the two sources of
   * seed-to-seed variance. Absent (the default) means `seed`.
   */
  initSeed?: number;
}

/** Inspection (anomaly map) configuration. */
export interface InspectConfig {
  /** Memory-bank / test stride for K=64 patches. Reference: 16. */
  strideK64: number;
  /** Memory-bank / test stride for K=32 patches. Reference: 4. */
  strideK32: number;
  /**
   * Nearest-neighbour search: "exact" (the reference's brute force), "hnsw" (approximate), or
   * "auto" (default): exact when the native kernels are built (faster than hnsw and exact), else
   * hnsw (exact search in JavaScript takes hours on a K=32 bank).
   */
  nn: "auto" | "hnsw" | "exact";
  /** hnsw construction parameter M. */
  hnswM: number;
  /** hnsw construction ef. */
  hnswEfConstruction: number;
  /** hnsw search ef (of each shard's search). */
  hnswEfSearch: number;
  /**
   * hnsw shards: the bank is split into this many indices, built and searched in parallel
   * workers; each query keeps the nearest of their answers (src/inspect/hnsw_shards.ts). Default
   * 2 (two cores build the K=32 bank in half the time). Absent in checkpoints written before it
   * existed: those mean 1, a single index.
   */
  hnswShards?: number;
}

/** Full run configuration, stored in every checkpoint. */
export interface RunConfig {
  train: TrainConfig;
  inspect: InspectConfig;
  /** Image side after resizing. Reference: 256. */
  imageSize: number;
}

/** The reference implementation's settings. */
export const DEFAULT_CONFIG: RunConfig = {
  imageSize: 256,
  train: {
    encoder: "hier",
    patchSize: 64,
    embeddingDim: 64,
    lambda: 1e-3, // published command; the code's own default is 1
    losses: { svdd: false, svddPrime: true, ssl: true },
    learningRate: 1e-4,
    batchSize: 64,
    classifierHead: "fixed",
    sslNoiseStd: 0.02,
    sampling: "reference",
    seed: 0,
  },
  inspect: {
    strideK64: 16,
    strideK32: 4,
    nn: "auto",
    hnswM: 16,
    hnswEfConstruction: 90, // with 2 shards and ef 224: recall@1 0.954 on bottle's K=32 bank, random
    hnswEfSearch: 224, // encoder, each shard built in ~32 s of CPU (docs/speed.md)
    hnswShards: 2,
  },
};

/**
 * Options of a training run that do not change what it computes: its bookkeeping (checkpoints, the
 * activation probe), what it does when it collapses, and the budget when none is given. Stored
 * nowhere: a resumed run may change them. The thresholds of the watches (src/train/collapse.ts,
 * src/train/activation_probe.ts, src/train/observers/position_watch.ts) are not options: no flag
 * sets them, so they stay beside the code that applies them.
 */
export interface RunOptions {
  /** Minutes between checkpoints (`--checkpoint-minutes`); 0 saves after every step. */
  checkpointMinutes: number;
  /**
   * Steps between measurements of the encoder's activations (`--probe-every`), logged to
   * `RUN/activations.jsonl`; 0 turns the probe off. Training is the same with any value.
   */
  probeEvery: number;
  /**
   * Stop a run seen to collapse for good, keeping a checkpoint of that step (`--stop-on-collapse`,
   * exit 3), instead of warning and training on to the end of the budget.
   */
  stopOnCollapse: boolean;
  /** Reference epochs trained when no budget is given (no `--steps`, `--epochs` or `--max-minutes`). Reference: 300. */
  defaultEpochs: number;
}

/** The defaults of {@linkcode RunOptions}. */
export const DEFAULT_RUN_OPTIONS: Readonly<RunOptions> = Object.freeze({
  checkpointMinutes: 5,
  probeEvery: 100,
  stopOnCollapse: false,
  defaultEpochs: 300, // the reference's budget
});

/** Raised for configuration values out of range; the CLI prints its message and exits 2. */
export class ConfigError extends UserError {
  /** @param message what was expected and what was found, plus the fix */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Check a run configuration, throwing {@linkcode ConfigError} on the first bad value.
 *
 * @param config the configuration to check
 * @returns the same configuration
 * @example
 * ```ts
 * import { DEFAULT_CONFIG, validateConfig } from "./config.ts";
 * validateConfig(DEFAULT_CONFIG);
 * ```
 */
export function validateConfig(config: RunConfig): RunConfig {
  const t = config.train;
  const k = t.patchSize;
  if (!(Number.isInteger(k) && k >= 32 && Number.isInteger(Math.log2(k / 32)))) {
    throw new ConfigError(`Expected patch size K to be 32 * 2^n but found ${k}; use 32, 64, 128, ...`);
  }
  if (t.encoder === "flat" && k !== 64) {
    throw new ConfigError(`The flat encoder exists only for K=64 but found K=${k}; use --patch-size 64`);
  }
  if (!(t.lambda >= 0) || !Number.isFinite(t.lambda)) {
    throw new ConfigError(`Expected lambda to be >= 0 but found ${t.lambda}`);
  }
  if (!(Number.isInteger(t.embeddingDim) && t.embeddingDim > 0)) {
    throw new ConfigError(`Expected embedding dimension to be a positive integer but found ${t.embeddingDim}`);
  }
  if (!(t.learningRate > 0)) throw new ConfigError(`Expected learning rate > 0 but found ${t.learningRate}`);
  if (!(Number.isInteger(t.batchSize) && t.batchSize > 0)) {
    throw new ConfigError(`Expected batch size to be a positive integer but found ${t.batchSize}`);
  }
  if (t.sampling !== "reference" && t.sampling !== "dense") {
    throw new ConfigError(`Expected sampling "reference" or "dense" but found '${t.sampling}'`);
  }
  if (t.denseCrops !== undefined && !(Number.isInteger(t.denseCrops) && t.denseCrops > 0)) {
    throw new ConfigError(`Expected dense crops to be a positive integer but found ${t.denseCrops}`);
  }
  if (t.initSeed !== undefined && !Number.isInteger(t.initSeed)) {
    throw new ConfigError(`Expected an integer initialisation seed but found ${t.initSeed}`);
  }
  if (t.lrSchedule !== undefined) {
    const { kind, steps, minutes, startStep } = t.lrSchedule;
    if (kind !== "linear" && kind !== "cosine") {
      throw new ConfigError(`Expected learning-rate schedule "linear" or "cosine" but found '${kind}'`);
    }
    if ((steps === undefined) === (minutes === undefined)) {
      throw new ConfigError(`Expected the learning rate to decay over steps or over minutes (one of the two)`);
    }
    if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) {
      throw new ConfigError(
        `Expected the learning rate to decay over a positive whole number of steps but found ${steps}`,
      );
    }
    if (minutes !== undefined && !(Number.isFinite(minutes) && minutes > 0)) {
      throw new ConfigError(`Expected the learning rate to decay over a number of minutes > 0 but found ${minutes}`);
    }
    if (startStep !== undefined) {
      if (steps === undefined) {
        throw new ConfigError(`Expected a decay over steps with a decay start step (a decay over minutes has none)`);
      }
      if (!(Number.isInteger(startStep) && startStep >= 0 && startStep < steps)) {
        throw new ConfigError(`Expected the decay to start at a whole step in 0..${steps - 1} but found ${startStep}`);
      }
    }
  }
  if (t.lrWarmupSteps !== undefined && !(Number.isInteger(t.lrWarmupSteps) && t.lrWarmupSteps > 0)) {
    throw new ConfigError(
      `Expected the learning-rate warm-up to be a positive whole number of steps but found ${t.lrWarmupSteps}`,
    );
  }
  if (t.preactBound !== undefined && !(Number.isFinite(t.preactBound) && t.preactBound > 0)) {
    throw new ConfigError(`Expected the pre-activation bound to be a number > 0 but found ${t.preactBound}`);
  }
  if (!(Number.isFinite(t.sslNoiseStd) && t.sslNoiseStd >= 0)) {
    throw new ConfigError(`Expected the SSL noise std to be a number >= 0 but found ${t.sslNoiseStd}`);
  }
  if (!t.losses.svdd && !t.losses.svddPrime && !t.losses.ssl) {
    throw new ConfigError("Expected at least one active loss term but found none");
  }
  for (
    const [name, s] of [["K=64 stride", config.inspect.strideK64], ["K=32 stride", config.inspect.strideK32]] as const
  ) {
    if (!(Number.isInteger(s) && s > 0)) {
      throw new ConfigError(`Expected ${name} to be a positive integer but found ${s}`);
    }
  }
  if (config.inspect.strideK32 % 2 !== 0 || config.inspect.strideK64 % 2 !== 0) {
    throw new ConfigError("Expected even strides (the dense embedding has network stride 2)");
  }
  if (!(Number.isInteger(config.imageSize) && config.imageSize > k && config.imageSize >= 64)) {
    let fits = 32; // the largest K = 32 * 2^n below the image size
    while (fits * 2 < config.imageSize) fits *= 2;
    throw new ConfigError(
      `Expected image size > K=${k} and >= 64 but found ${config.imageSize}; SVDD' pairs need room to shift` +
        (config.imageSize >= 64 && fits < k ? ` (--patch-size ${fits} fits)` : ""),
    );
  }
  return config;
}

/**
 * Check run options (any subset), throwing {@linkcode ConfigError} on the first bad value.
 *
 * @param options the options given (absent ones take {@linkcode DEFAULT_RUN_OPTIONS})
 * @returns the same options
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { ConfigError, validateRunOptions } from "./config.ts";
 * validateRunOptions({ probeEvery: 0, checkpointMinutes: 0.5 });
 * throws(() => validateRunOptions({ probeEvery: 2.5 }), ConfigError);
 * ```
 */
export function validateRunOptions<T extends Partial<RunOptions>>(options: T): T {
  const { checkpointMinutes, probeEvery, defaultEpochs } = options;
  if (checkpointMinutes !== undefined && !(checkpointMinutes >= 0 && Number.isFinite(checkpointMinutes))) {
    throw new ConfigError(`Expected --checkpoint-minutes to be a number >= 0 but found '${checkpointMinutes}'`);
  }
  if (probeEvery !== undefined && !(Number.isInteger(probeEvery) && probeEvery >= 0)) {
    throw new ConfigError(
      `Expected --probe-every to be an integer >= 0 (0 turns the probe off) but found ${probeEvery}`,
    );
  }
  if (defaultEpochs !== undefined && !(defaultEpochs > 0 && Number.isFinite(defaultEpochs))) {
    throw new ConfigError(`Expected the default budget to be a number of epochs > 0 but found ${defaultEpochs}`);
  }
  return options;
}

/**
 * Number of training steps in one reference epoch: N_train * 100 samples per pair set,
 * batchSize pairs per step (bottle: 209 images, 64 pairs -> 327 steps).
 *
 * @param numTrainImages number of training images
 * @param batchSize pairs per pair set per step
 * @returns steps per epoch (rounded up)
 */
export function stepsPerEpoch(numTrainImages: number, batchSize = 64): number {
  return Math.ceil((numTrainImages * 100) / batchSize);
}

/** Deep-merge a partial override into a config (plain objects only). */
export function mergeConfig(base: RunConfig, override: DeepPartial<RunConfig>): RunConfig {
  return deepMerge(structuredClone(base) as unknown as Record<string, unknown>, override) as RunConfig;
}

/** A recursively optional version of T. */
export type DeepPartial<T> = { [P in keyof T]?: T[P] extends object ? DeepPartial<T[P]> : T[P] };

function deepMerge(target: Record<string, unknown>, source: unknown): unknown {
  if (source === undefined) return target;
  for (const [key, value] of Object.entries(source as Record<string, unknown>)) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      target[key] = deepMerge((target[key] ?? {}) as Record<string, unknown>, value);
    } else if (value !== undefined) {
      target[key] = value;
    }
  }
  return target;
}
