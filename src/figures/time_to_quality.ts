/**
 * The time-to-quality figure from `results/time_to_quality/<name>/`: for every training recipe,
 * the metrics (`metrics_<M>min.json`) and training summaries (`train_summary_<M>min.json`)
 * that scripts/time_to_quality.sh keeps after each training segment. A curve is labelled by the
 * folder's `label.txt` when there is one, else "<name> sampling".
 *
 * @module
 */

import { join } from "node:path";
import { type TimePoint, timeToQualityCurve } from "../plot/time_curve.ts";
import type { FigureOutcome } from "./build.ts";

/**
 * Read every committed point.
 *
 * @param dir `results/time_to_quality`
 * @returns points in folder, then minute order (none when the folder is missing)
 */
export async function readTimePoints(dir: string): Promise<TimePoint[]> {
  const points: TimePoint[] = [];
  let labels: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) if (e.isDirectory) labels.push(e.name);
  } catch {
    return points;
  }
  labels = labels.sort();
  const order = new Map<string, number>();
  for (const [i, folder] of labels.entries()) {
    let label = `${folder} sampling`;
    try {
      label = (await Deno.readTextFile(join(dir, folder, "label.txt"))).trim() || label;
    } catch {
      // no label.txt: named after the folder
    }
    order.set(label, i);
    for await (const e of Deno.readDir(join(dir, folder))) {
      const m = e.name.match(/^metrics_(\d+(?:\.\d+)?)min\.json$/);
      if (!m) continue;
      const metrics = JSON.parse(await Deno.readTextFile(join(dir, folder, e.name)));
      let steps = NaN;
      try {
        const summary = JSON.parse(await Deno.readTextFile(join(dir, folder, `train_summary_${m[1]}min.json`)));
        steps = Number(summary.steps);
      } catch {
        // no summary: steps unknown
      }
      const main = metrics.main as string;
      points.push({
        label,
        minutes: Number(m[1]),
        steps,
        det: metrics.image_auroc[main],
        seg: metrics.pixel_auroc[main],
      });
    }
  }
  return points.sort((a, b) => order.get(a.label)! - order.get(b.label)! || a.minutes - b.minutes);
}

/**
 * AUROC (the main map) against training minutes for each committed sampling mode.
 *
 * @param resultsDir the results folder
 * @returns the outcome (no figure when nothing is committed)
 */
export async function timeToQualityFigure(resultsDir: string): Promise<FigureOutcome> {
  const dir = join(resultsDir, "time_to_quality");
  const points = await readTimePoints(dir);
  if (points.length === 0) {
    return {
      name: "time-to-quality",
      figure: null,
      note: "No results/time_to_quality/ yet (run scripts/time_to_quality.sh for each sampling mode).",
      source: "none",
    };
  }
  let subtitle = "bottle, seed 0, native backend, mult map, exact search";
  try {
    subtitle = (await Deno.readTextFile(join(dir, "subtitle.txt"))).trim();
  } catch {
    // default subtitle
  }
  const rows = points.map((p) =>
    `| ${p.label} | ${p.minutes} | ${p.steps} | ${p.det.toFixed(3)} | ${p.seg.toFixed(3)} |`
  );
  return {
    name: "time-to-quality",
    figure: timeToQualityCurve(points, { subtitle }),
    note: `AUROC after each training segment: ${[...new Set(points.map((p) => p.label))].join(", ")}.`,
    source: "results/time_to_quality",
    markdown: ["| recipe | minutes | steps | det | seg |", "|---|---:|---:|---:|---:|", ...rows].join("\n") + "\n",
  };
}
