/**
 * Command-line flags that set the run configuration: one flag per ablation axis.
 *
 * @module
 */

import { DEFAULT_CONFIG, type LossSwitches, type RunConfig, validateConfig } from "../config.ts";
import { UserError } from "../errors.ts";
import { choiceFlag, numberFlag, type OptionSpec } from "./common.ts";
import { LR_SCHEDULES } from "../train/lr_schedule.ts";
import { presetConfig, PRESETS } from "../presets.ts";
import { DEFAULT_DENSE_CROPS } from "../sampling/dense.ts";

/** Flags accepted by `train` (and forwarded by `demo`). */
export const CONFIG_OPTIONS: OptionSpec = {
  "preset": { type: "string" },
  "encoder": { type: "string" },
  "patch-size": { type: "string" },
  "dim": { type: "string" },
  "lambda": { type: "string" },
  "losses": { type: "string" },
  "lr": { type: "string" },
  "batch-size": { type: "string" },
  "classifier-head": { type: "string" },
  "ssl-noise-std": { type: "string" },
  "preact-bound": { type: "string" },
  "sampling": { type: "string" },
  "dense-crops": { type: "string" },
  "lr-schedule": { type: "string" },
  "lr-decay-start": { type: "string" },
  "lr-decay-steps": { type: "string" },
  "lr-warmup-steps": { type: "string" },
  "seed": { type: "string" },
  "init-seed": { type: "string" },
  "image-size": { type: "string" },
  "stride-k64": { type: "string" },
  "stride-k32": { type: "string" },
  "nn": { type: "string" },
};

/**
 * A default as the help text and docs/defaults.md write it: small numbers in exponent form (`1e-3`),
 * loss switches as a `--losses` list.
 *
 * @param value a default from `DEFAULT_CONFIG` or `DEFAULT_RUN_OPTIONS`
 * @returns its text
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { defaultText } from "./config_flags.ts";
 * equal(defaultText(1e-3), "1e-3");
 * equal(defaultText(256), "256");
 * equal(defaultText({ svdd: false, svddPrime: true, ssl: true }), "svdd-prime,ssl");
 * ```
 */
export function defaultText(value: number | string | boolean | LossSwitches): string {
  if (typeof value === "number") return value !== 0 && Math.abs(value) < 0.01 ? value.toExponential() : String(value);
  if (typeof value === "object") {
    return [value.svddPrime && "svdd-prime", value.ssl && "ssl", value.svdd && "svdd"].filter(Boolean).join(",");
  }
  return String(value);
}

const T = DEFAULT_CONFIG.train, I = DEFAULT_CONFIG.inspect, d = defaultText;

/** Help text for {@linkcode CONFIG_OPTIONS}; the defaults are read from `DEFAULT_CONFIG` (src/config.ts). */
export const CONFIG_HELP = `Preset (a named set of deviations; the flags below override it):
${Object.entries(PRESETS).map(([name, p]) => `  --preset ${name.padEnd(18)}${p.summary}`).join("\n")}
Model and loss (defaults = the reference):
  --encoder hier|flat        hierarchical f_big or the flat K=64 baseline (default ${d(T.encoder)})
  --patch-size K             32 * 2^n (default ${d(T.patchSize)})
  --dim D                    embedding dimension (default ${d(T.embeddingDim)})
  --lambda L                 weight of the SVDD terms (default ${d(T.lambda)})
  --losses LIST              comma list of ssl, svdd-prime, svdd (default ${d(T.losses)})
  --lr LR                    Adam learning rate (default ${d(T.learningRate)})
  --lr-schedule constant|linear|cosine   constant (default, as the reference), or fall from --lr to
                             zero over --lr-decay-steps steps (default: --steps; with only --max-minutes,
                             over those minutes of training)
  --lr-decay-steps N         steps of the decay
  --lr-decay-start S         hold --lr until step S, then decay to zero at --lr-decay-steps
                             (warmup-stable-decay; default 0)
  --lr-warmup-steps N        raise the rate linearly from --lr/N to --lr over the first N steps
                             (default: none, as the reference)
  --batch-size B             pairs per pair set per step (default ${d(T.batchSize)})
  --classifier-head fixed|trainable   reference's fixed-norm last layer or trainable (default ${d(T.classifierHead)})
  --preact-bound B           add 1e-3 x sum of mean(max(0, |z| - B)^2) over the tanh layers' inputs z to the
                             loss (default: none, as the reference); keeps last layers out of deep saturation
  --ssl-noise-std S          std of the per-pixel noise and colour shift on SSL patches (default ${d(T.sslNoiseStd)})
  --sampling reference|dense pair sampling (default ${d(T.sampling)}; dense: crops encoded once, all pairs
                             from their grids)
  --dense-crops N            dense sampling: crops per step (default ${d(DEFAULT_DENSE_CROPS)})
  --seed S                   initialisation and sampling seed (default ${d(T.seed)})
  --init-seed S              initialisation seed alone (default: --seed), to tell the two apart
  --image-size S             resize side (default ${d(DEFAULT_CONFIG.imageSize)})
Inspection: --stride-k64 N (${d(I.strideK64)}), --stride-k32 N (${d(I.strideK32)}),
  --nn auto|hnsw|exact (${d(I.nn)}; auto: exact with the native kernels, else hnsw)`;

/**
 * Parse a `--losses` list.
 *
 * @param text e.g. "svdd-prime,ssl"
 * @returns the switches
 */
export function parseLosses(text: string): LossSwitches {
  const names = text.split(/[,+]/).map((s) => s.trim()).filter(Boolean);
  const known = ["ssl", "svdd-prime", "svdd"];
  for (const n of names) {
    if (!known.includes(n)) throw new UserError(`Expected --losses to list ${known.join(", ")} but found '${n}'`);
  }
  return { ssl: names.includes("ssl"), svddPrime: names.includes("svdd-prime"), svdd: names.includes("svdd") };
}

/**
 * Build and validate a run configuration from parsed flags.
 *
 * @param v parsed flag values
 * @param base configuration to start from
 * @returns the configuration
 */
export function configFromFlags(v: Record<string, string | boolean | undefined>, base = DEFAULT_CONFIG): RunConfig {
  const c = typeof v["preset"] === "string" ? presetConfig(v["preset"], base) : structuredClone(base);
  const t = c.train;
  t.encoder = choiceFlag(v["encoder"], "encoder", ["hier", "flat"] as const) ?? t.encoder;
  t.patchSize = numberFlag(v["patch-size"], "patch-size", "posint") ?? t.patchSize;
  t.embeddingDim = numberFlag(v["dim"], "dim", "posint") ?? t.embeddingDim;
  t.lambda = numberFlag(v["lambda"], "lambda", "number") ?? t.lambda;
  if (typeof v["losses"] === "string") t.losses = parseLosses(v["losses"]);
  t.learningRate = numberFlag(v["lr"], "lr", "number") ?? t.learningRate;
  t.batchSize = numberFlag(v["batch-size"], "batch-size", "posint") ?? t.batchSize;
  t.classifierHead = choiceFlag(v["classifier-head"], "classifier-head", ["fixed", "trainable"] as const) ??
    t.classifierHead;
  const bound = numberFlag(v["preact-bound"], "preact-bound", "number");
  if (bound !== undefined) t.preactBound = bound;
  t.sslNoiseStd = numberFlag(v["ssl-noise-std"], "ssl-noise-std", "number") ?? t.sslNoiseStd;
  t.sampling = choiceFlag(v["sampling"], "sampling", ["reference", "dense"] as const) ?? t.sampling;
  const crops = numberFlag(v["dense-crops"], "dense-crops", "posint");
  if (crops !== undefined) t.denseCrops = crops;
  const schedule = choiceFlag(v["lr-schedule"], "lr-schedule", LR_SCHEDULES);
  if (schedule === "linear" || schedule === "cosine") {
    const decaySteps = numberFlag(v["lr-decay-steps"], "lr-decay-steps", "posint") ??
      numberFlag(v["steps"], "steps", "posint");
    const minutes = decaySteps === undefined ? numberFlag(v["max-minutes"], "max-minutes", "nonneg") : undefined;
    if (decaySteps === undefined && !minutes) {
      throw new UserError(
        `--lr-schedule ${schedule} needs a budget to decay over: add --lr-decay-steps N (or --steps N, or --max-minutes M)`,
      );
    }
    const start = numberFlag(v["lr-decay-start"], "lr-decay-start", "int");
    if (start !== undefined && decaySteps === undefined) {
      throw new UserError(`--lr-decay-start counts steps: add --lr-decay-steps N (or --steps N) to decay over steps`);
    }
    if (start !== undefined && start >= decaySteps!) {
      throw new UserError(`--lr-decay-start must be a whole step below the decay's end (${decaySteps}), got ${start}`);
    }
    t.lrSchedule = decaySteps !== undefined
      ? { kind: schedule, steps: decaySteps, ...(start ? { startStep: start } : {}) }
      : { kind: schedule, minutes };
  } else if (schedule === "constant") {
    delete t.lrSchedule;
  }
  if (v["lr-decay-start"] !== undefined && schedule !== "linear" && schedule !== "cosine") {
    throw new UserError(`--lr-decay-start needs a decay: add --lr-schedule linear or --lr-schedule cosine`);
  }
  const warmup = numberFlag(v["lr-warmup-steps"], "lr-warmup-steps", "posint");
  if (warmup !== undefined) t.lrWarmupSteps = warmup;
  t.seed = numberFlag(v["seed"], "seed", "int") ?? t.seed;
  const initSeed = numberFlag(v["init-seed"], "init-seed", "int");
  if (initSeed !== undefined) t.initSeed = initSeed;
  c.imageSize = numberFlag(v["image-size"], "image-size", "posint") ?? c.imageSize;
  c.inspect.strideK64 = numberFlag(v["stride-k64"], "stride-k64", "number") ?? c.inspect.strideK64;
  c.inspect.strideK32 = numberFlag(v["stride-k32"], "stride-k32", "number") ?? c.inspect.strideK32;
  c.inspect.nn = choiceFlag(v["nn"], "nn", ["auto", "hnsw", "exact"] as const) ?? c.inspect.nn;
  return validateConfig(c);
}
