/**
 * A one-line progress bar on stderr: step, bar, each loss term, pairs/s and ETA.
 * Redrawn in place on a terminal; printed every few seconds otherwise (logs, CI).
 *
 * @module
 */

import type { LossValues } from "./step.ts";

/**
 * Format seconds as `1h02m`, `3m12s` or `45s`.
 *
 * @param seconds duration
 * @returns short human form
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/**
 * Render one progress line (pure).
 *
 * @param step steps done
 * @param total step budget (Infinity when only a time budget applies)
 * @param values latest loss values
 * @param pairsPerSecond throughput
 * @param etaSeconds remaining time estimate
 * @returns the line
 * @example
 * ```ts
 * import { progressLine } from "./progress.ts";
 * import { ok } from "node:assert/strict";
 * ok(progressLine(5, 10, { ssl64: 2 }, 100, 5).includes("ssl64 2.000"));
 * ```
 */
export function progressLine(
  step: number,
  total: number,
  values: LossValues,
  pairsPerSecond: number,
  etaSeconds: number,
): string {
  const width = 20;
  const frac = Number.isFinite(total) && total > 0 ? Math.min(1, step / total) : 0;
  const bar = "#".repeat(Math.round(frac * width)).padEnd(width, ".");
  const terms = Object.entries(values)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 0.01 ? v.toFixed(3) : v.toExponential(2)}`)
    .join(" ");
  const totalText = Number.isFinite(total) ? `/${total}` : "";
  return `step ${step}${totalText} [${bar}] ${terms} | ${pairsPerSecond.toFixed(0)} pairs/s | ETA ${
    formatDuration(etaSeconds)
  }`;
}

/** Writes progress lines to stderr, throttled. */
export class ProgressBar {
  #last = 0;
  #tty = Deno.stderr.isTerminal();
  #encoder = new TextEncoder();

  /** @param quiet print nothing */
  constructor(private quiet = false) {}

  /**
   * @param line the line to show
   * @param force print even if throttled (the final line)
   */
  update(line: string, force = false): void {
    if (this.quiet) return;
    const now = performance.now();
    if (!force && now - this.#last < (this.#tty ? 200 : 10_000)) return;
    this.#last = now;
    Deno.stderr.writeSync(this.#encoder.encode(this.#tty ? `\r\x1b[K${line}` : `${line}\n`));
  }

  /** End the in-place line. */
  done(): void {
    if (!this.quiet && this.#tty) Deno.stderr.writeSync(this.#encoder.encode("\n"));
  }
}
