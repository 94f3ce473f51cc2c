/**
 * Which of the paper's numbers (REFERENCE.md section 7) belongs beside a row of an ablation
 * table. The paper reports its method per class (Table 1), and its ablations as means over all
 * 15 classes (losses) or read off a bar chart (hierarchy, approximate). A number is shown only
 * where our cell matches the paper's setting apart from the ablated field:
 *
 * - per-category rows: Table 1, for the paper's method (hier K=64, L_SVDD' + L_SSL) and map `mult`;
 * - mean rows (all categories MVTec classes): the hierarchy ablation for `k64` / `k32` (and
 *   the flat K=64 baseline), the losses ablation for L_SVDD and L_SVDD' with `mult`, and
 *   Table 1's mean for the paper's method with `mult`. These are means over all 15 classes.
 *
 * "The paper's setting" = {@linkcode DEFAULT_CONFIG}'s training fields (lambda 1e-3, D=64, ...)
 * and image size, whatever the seed, budget or inspection settings. The training recipe (pair
 * sampling, learning rate and its warm-up or decay, e.g. `--preset fast`) is, like the budget, how
 * long and how fast we train rather than what is compared, so a row trained with another recipe
 * still gets the paper's number, its source naming the recipe (`...; our recipe: dense sampling
 * (2 crops), lr 0.0003, 500-step warm-up`).
 *
 * @module
 */

import { DEFAULT_CONFIG, type RunConfig } from "../../config.ts";
import { PAPER_HIERARCHY_ABLATION, PAPER_LOSS_ABLATION, PAPER_TABLE1 } from "../plot/paper.ts";

/** A number from the paper, and where it comes from. */
export interface PaperNumber {
  /** Detection (image) AUROC, a fraction. */
  det: number;
  /** Segmentation (pixel) AUROC, a fraction. */
  seg: number;
  /** Where the number comes from, e.g. "Table 1" or "losses ablation, mean of 15 classes". */
  source: string;
}

/** The MVTec AD classes of Table 1. */
export const MVTEC_CLASSES: readonly string[] = Object.keys(PAPER_TABLE1).filter((c) => c !== "mean");

/**
 * The paper's loss-ablation label of a loss combination.
 *
 * @param losses the switches
 * @returns "L_SVDD", "L_SVDD'", "L_SVDD' + L_SSL", or null for combinations the paper did not report
 */
export function paperLossLabel(losses: RunConfig["train"]["losses"]): string | null {
  if (losses.svdd && !losses.svddPrime && !losses.ssl) return "L_SVDD";
  if (!losses.svdd && losses.svddPrime && !losses.ssl) return "L_SVDD'";
  if (!losses.svdd && losses.svddPrime && losses.ssl) return "L_SVDD' + L_SSL";
  return null;
}

/** Whether a config equals the paper's in every field an ablation here does not vary (the recipe aside). */
function paperSetting(config: RunConfig): boolean {
  const t = config.train, d = DEFAULT_CONFIG.train;
  return config.imageSize === DEFAULT_CONFIG.imageSize && t.lambda === d.lambda && t.embeddingDim === d.embeddingDim &&
    t.batchSize === d.batchSize && t.classifierHead === d.classifierHead && t.sslNoiseStd === d.sslNoiseStd;
}

/**
 * How a config's training recipe differs from the reference's: pair sampling, learning rate, its
 * warm-up and decay, and the pre-activation bound.
 *
 * @param config the configuration
 * @returns e.g. `["dense sampling (2 crops)", "lr 0.0003", "500-step warm-up"]`; empty for the reference's recipe
 * @example
 * ```ts
 * import { DEFAULT_CONFIG } from "../../config.ts";
 * import { recipeDeviations } from "./paper.ts";
 * recipeDeviations(DEFAULT_CONFIG); // []
 * ```
 */
export function recipeDeviations(config: RunConfig): string[] {
  const t = config.train, d = DEFAULT_CONFIG.train;
  const out: string[] = [];
  if (t.sampling !== d.sampling) {
    out.push(`${t.sampling} sampling${t.denseCrops !== undefined ? ` (${t.denseCrops} crops)` : ""}`);
  }
  if (t.learningRate !== d.learningRate) out.push(`lr ${t.learningRate}`);
  if (t.lrWarmupSteps) out.push(`${t.lrWarmupSteps}-step warm-up`);
  const decay = t.lrSchedule;
  if (decay) {
    out.push(
      `${decay.kind} lr decay over ${decay.steps !== undefined ? `${decay.steps} steps` : `${decay.minutes} min`}`,
    );
  }
  if (t.preactBound !== undefined) out.push(`pre-activation bound ${t.preactBound}`);
  return out;
}

/**
 * The paper's number for one table row, if it has one.
 *
 * @param config the row's configuration (any seed)
 * @param map the resolved map key (`k64`, `k32`, `sum`, `mult`)
 * @param scope a category name, or `{ mean: categories }` for the row averaged over categories
 * @returns the number and its source, or null
 * @example
 * ```ts
 * import { DEFAULT_CONFIG } from "../../config.ts";
 * import { paperNumber } from "./paper.ts";
 * const p = paperNumber(DEFAULT_CONFIG, "mult", "bottle");
 * if (p?.det !== 0.986) throw new Error("Table 1 has bottle at 98.6");
 * ```
 */
export function paperNumber(config: RunConfig, map: string, scope: string | { mean: string[] }): PaperNumber | null {
  if (!paperSetting(config)) return null;
  const found = paperNumberInSetting(config, map, scope);
  const recipe = recipeDeviations(config);
  return found && recipe.length > 0 ? { ...found, source: `${found.source}; our recipe: ${recipe.join(", ")}` } : found;
}

/** {@linkcode paperNumber} for a config already in the paper's setting. */
function paperNumberInSetting(
  config: RunConfig,
  map: string,
  scope: string | { mean: string[] },
): PaperNumber | null {
  const t = config.train;
  const hier64 = t.encoder === "hier" && t.patchSize === 64;
  const flat64 = t.encoder === "flat" && t.patchSize === 64;
  const loss = paperLossLabel(t.losses);
  const method = loss === "L_SVDD' + L_SSL";
  if (typeof scope === "string") {
    const row = PAPER_TABLE1[scope];
    return hier64 && method && map === "mult" && row && scope !== "mean" ? { ...row, source: "Table 1" } : null;
  }
  if (scope.mean.length === 0 || !scope.mean.every((c) => MVTEC_CLASSES.includes(c))) return null;
  const of15 = "mean of 15 classes";
  if (flat64 && method && map === "k64") {
    return { ...PAPER_HIERARCHY_ABLATION["non-hierarchical K=64"], source: `hierarchy ablation (approx.), ${of15}` };
  }
  if (!hier64) return null;
  if (method && map === "k64") {
    return { ...PAPER_HIERARCHY_ABLATION["hierarchical K=64"], source: `hierarchy ablation (approx.), ${of15}` };
  }
  if (method && map === "k32") {
    return { ...PAPER_HIERARCHY_ABLATION["hierarchical K=32"], source: `hierarchy ablation (approx.), ${of15}` };
  }
  if (method && map === "mult") return { ...PAPER_TABLE1.mean, source: `Table 1, ${of15}` };
  if (loss && map === "mult") return { ...PAPER_LOSS_ABLATION[loss], source: `losses ablation, ${of15}` };
  return null;
}
