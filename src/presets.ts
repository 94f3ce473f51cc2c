/**
 * Named presets: a preset is a small, named override of {@linkcode DEFAULT_CONFIG} (the reference's
 * settings) made of documented deviations only, so `config.json` of a run trained with one lists every
 * deviation it took, expanded, beside the preset's name. Flags given with `--preset` override the
 * preset's values, as they override the defaults.
 *
 * @module
 */

import {
  ConfigError,
  type DeepPartial,
  DEFAULT_CONFIG,
  mergeConfig,
  type RunConfig,
  validateConfig,
} from "./config.ts";

/** One named preset. */
export interface Preset {
  /** What the preset is for, one sentence (shown by `train --help`). */
  summary: string;
  /** The deviations from the reference, as a config override. */
  override: DeepPartial<RunConfig>;
}

/**
 * The presets. `fast` answers "what can I get in 20 minutes on this machine": the reference's
 * model, losses and lambda, trained with dense sampling (2 crops of 128 px per step, every pair drawn from
 * their f_small grids), 3x the reference's learning rate, a 500-step linear warm-up of that rate
 * (without it, 3 of 11 bottle runs at 3e-4 collapsed; with it, none of 7), and the pre-activation bound
 * B = 5 (src/train/preact_bound.ts: without it, transistor seed 4 blew its K=32 layer into saturation
 * at the end of the warm-up and its maps came out inverted, seg 0.255; with it 0.951). float32 on every
 * CPU. The three-level encoder (`--patch-size 128`) with the same recipe was better at equal steps,
 * but each of its steps costs about 3.4 of these, and at equal minutes (five seeds each) neither was
 * ahead on both categories. The numbers and their limits: results/recipe/README.md,
 * results/time_to_quality/README.md.
 */
export const PRESETS: Readonly<Record<string, Preset>> = {
  fast: {
    summary:
      "20-minute recipe: dense sampling (2 crops/step), lr 3e-4 with a 500-step warm-up, pre-activation bound 5; float32",
    override: {
      train: { sampling: "dense", denseCrops: 2, learningRate: 3e-4, lrWarmupSteps: 500, preactBound: 5 },
    },
  },
};

/** Names of the presets, for flag validation and help. */
export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/**
 * The configuration of a preset: the defaults with the preset's deviations applied.
 *
 * @param name a key of {@linkcode PRESETS}
 * @param base configuration to apply it to (default: the reference's)
 * @returns a validated configuration
 * @throws {ConfigError} for an unknown name
 *
 * @example
 * ```ts
 * import { presetConfig } from "./presets.ts";
 * import assert from "node:assert";
 * const c = presetConfig("fast");
 * assert.equal(c.train.sampling, "dense");
 * assert.equal(c.train.lambda, 1e-3); // the reference's, untouched
 * ```
 */
export function presetConfig(name: string, base: RunConfig = DEFAULT_CONFIG): RunConfig {
  const preset = PRESETS[name];
  if (!preset) {
    throw new ConfigError(`Expected --preset to be one of ${PRESET_NAMES.join(", ")} but found '${name}'`);
  }
  return validateConfig(mergeConfig(base, preset.override));
}
