/**
 * What to do, in flags: the training loop reports facts (a `Divergence`, a `CollapseStop`, a warning
 * of a given kind, src/train/stops.ts and src/train/observer.ts) and the command line adds the
 * advice, one line each. `runMain` (src/cli/common.ts) prints errors through {@linkcode errorLine};
 * `train`, `demo` and `ablate` print training warnings through {@linkcode printWarning}.
 *
 * @module
 */

import type { UserError } from "../errors.ts";
import type { WarningKind } from "../train/observer.ts";
import { CollapseStop, Divergence } from "../train/stops.ts";

/** After a NaN/Inf loss. */
export const DIVERGENCE_ADVICE = "Check the data for NaN/Inf values, or retrain with --force and a lower --lr or " +
  "--lambda or another --seed (--resume keeps the run's settings and would diverge again)";

/** After a run stopped on a collapse (`--stop-on-collapse`). */
export const COLLAPSE_STOP_ADVICE = "Retrain with --force and --lr-warmup-steps 500, a lower --lr or another --seed";

/** After a training warning, by its kind (kinds without advice are printed as they are). */
export const WARNING_ADVICE: Readonly<Partial<Record<WarningKind, string>>> = {
  collapse: "Stop it and retrain with --force and a learning-rate warm-up (--lr-warmup-steps 500), a lower --lr or " +
    "another --seed",
  pinned: "If it stays pinned, stop it and retrain with --force and --lr-warmup-steps 500, a lower --lr or " +
    "another --seed",
  saturated: "If it scores below the untrained encoder, retrain with --force and --preact-bound 5 (part of --preset " +
    "fast), which keeps the last layers out of deep saturation; if the run had it, try another --seed",
};

/**
 * The advice for an error, or null when its message says it all.
 *
 * @param error a caught error
 * @returns one sentence with flags, or null
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { advice, DIVERGENCE_ADVICE } from "./advice.ts";
 * import { Divergence } from "../train/stops.ts";
 * equal(advice(new Divergence(7, "ssl64", NaN, 5, "run/checkpoint.safetensors")), DIVERGENCE_ADVICE);
 * equal(advice(new Error("other")), null);
 * ```
 */
export function advice(error: unknown): string | null {
  if (error instanceof Divergence) return DIVERGENCE_ADVICE;
  if (error instanceof CollapseStop) return COLLAPSE_STOP_ADVICE;
  return null;
}

/**
 * The one line printed for a user-facing error (after `error: `): its message, then the advice.
 *
 * @param error the error
 * @returns the line
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { errorLine } from "./advice.ts";
 * import { CollapseStop } from "../train/stops.ts";
 * equal(
 *   errorLine(new CollapseStop({ at: 150, by: "probe" }, 212, "run/checkpoint.safetensors")),
 *   "Training collapsed at step 150 and was stopped (--stop-on-collapse); its checkpoint (step 212) is kept in " +
 *     "run/checkpoint.safetensors. Retrain with --force and --lr-warmup-steps 500, a lower --lr or another --seed",
 * );
 * ```
 */
export function errorLine(error: UserError): string {
  const more = advice(error);
  return more ? `${error.message} ${more}` : error.message;
}

/**
 * A training warning with its advice.
 *
 * @param message the fact, one line
 * @param kind what it is about
 * @returns the line (without the `warning: ` prefix)
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { warningLine } from "./advice.ts";
 * equal(warningLine("this run collapsed at step 11.", "collapse").startsWith("this run collapsed at step 11. Stop it"), true);
 * equal(warningLine("the codes are pinned no more", "recovered"), "the codes are pinned no more");
 * ```
 */
export function warningLine(message: string, kind?: WarningKind): string {
  const more = kind ? WARNING_ADVICE[kind] : undefined;
  return more ? `${message} ${more}` : message;
}

/**
 * Print a training warning with its advice to stderr (a `WarningSink` for `runTrainJob` and `runSweep`).
 *
 * @param message the fact, one line
 * @param kind what it is about
 */
export function printWarning(message: string, kind?: WarningKind): void {
  console.error(`warning: ${warningLine(message, kind)}`);
}
