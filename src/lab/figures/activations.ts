/**
 * The activation-probe figures: committed screens (`results/collapse/<run>/activations.jsonl`,
 * each with a `label.txt`) and a run folder's own log.
 *
 * @module
 */

import { join } from "node:path";
import { activationCurves, type ActivationRow, type ActivationSeries } from "../plot/activation_curves.ts";
import type { FigureOutcome } from "./build.ts";
import { readJsonLines } from "./results.ts";

/**
 * Read an activation log, skipping torn lines.
 *
 * @param path `RUN/activations.jsonl`
 * @returns its rows (none when the file is absent)
 */
export async function readActivationLog(path: string): Promise<ActivationRow[]> {
  return (await readJsonLines(path)).filter((row) =>
    Array.isArray((row as ActivationRow | null)?.levels)
  ) as ActivationRow[];
}

/**
 * The committed collapse screens, one line per run (folders of `results/collapse/` in name order).
 *
 * @param resultsDir the results folder
 * @returns the outcome (no figure when nothing is committed)
 */
export async function collapseFigure(resultsDir: string): Promise<FigureOutcome> {
  const dir = join(resultsDir, "collapse");
  const series: ActivationSeries[] = [];
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) if (entry.isDirectory) names.push(entry.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  for (const name of names.sort()) {
    const rows = await readActivationLog(join(dir, name, "activations.jsonl"));
    if (rows.length === 0) continue;
    const label = await Deno.readTextFile(join(dir, name, "label.txt")).then((t) => t.trim(), () => name);
    series.push({ label, rows });
  }
  if (series.length === 0) {
    return {
      name: "collapse",
      figure: null,
      note: "No results/collapse/*/activations.jsonl yet (train with --probe-every and copy the log there).",
      source: "none",
    };
  }
  return {
    name: "collapse",
    figure: activationCurves(series, {
      title: "Collapse seen in the activations: f_small (K=32) during the first 400 steps",
      subtitle: "bottle, dense sampling, 2 crops, --lr 3e-4, probe every 20 steps (64 training patches)",
    }),
    note: `Activation probe of ${series.length} runs: ${series.map((s) => s.label).join("; ")}.`,
    source: `results/collapse: ${series.length} runs`,
  };
}

/**
 * A run folder's activation log, every level's innermost view (K=32).
 *
 * @param runDir the run folder
 * @param options figure tag and the run's label
 * @returns the outcome (no figure when the run has no activation log)
 */
export async function runActivationsFigure(
  runDir: string,
  options: { tag: string; label: string },
): Promise<FigureOutcome> {
  const name = `run-${options.tag}-activations`;
  const rows = await readActivationLog(join(runDir, "activations.jsonl"));
  if (rows.length === 0) {
    return {
      name,
      figure: null,
      note: `${runDir} has no activation log (trained with --probe-every 0, before the probe existed, or imported).`,
      source: "none",
    };
  }
  return {
    name,
    figure: activationCurves([{ label: options.label, rows }], { title: `Encoder activations: ${options.label}` }),
    note: `Activation probe of ${options.label}.`,
    source: join(runDir, "activations.jsonl"),
  };
}
