/**
 * `deno task figures`: regenerate every figure of `results/figures/` from committed results
 * (the per-class AUROC table with the paper's numbers, the losses and hierarchy ablations, the
 * lambda curve, committed training curves, bench throughput) and, for the figures that need a
 * model (anomaly maps, ROC curves, PCA, training curves), from a run folder given with `--run`
 * or else from a small synthetic run it trains (named `run-<tag>-*`, the run said in each title).
 * `results/figures/figures.json` lists every figure with its source and a note.
 *
 * @module
 */

import { basename, join, relative } from "node:path";
import { choiceFlag, numberFlag, parseCli, runMain } from "./common.ts";
import {
  benchFigure,
  collapseFigure,
  committedTrainingCurvesFigure,
  type ExtraMethod,
  type FigureOutcome,
  FIGURES_DIR,
  fromRoot,
  galleryFigure,
  hierarchyFigure,
  inspectRun,
  lambdaFigure,
  listSweeps,
  lossesFigure,
  paperTableFigure,
  pcaFigure,
  recipeStudyFigure,
  referenceWeightsMethod,
  RESULTS_DIR,
  rocFigures,
  runActivationsFigure,
  runTrainingCurvesFigure,
  runTraits,
  type SavedOutcome,
  saveOutcome,
  seedSpreadFigure,
  timeToQualityFigure,
  trainSyntheticRun,
} from "../lab/figures/mod.ts";
import { PAPER_TABLE1 } from "../lab/plot/paper.ts";

const USAGE = "deno task figures [--results DIR] [--out DIR] [--run RUN [--data ROOT] [--tag NAME] [--label TEXT]] " +
  "[--no-run] [--seconds S | --steps N] [--nn exact|hnsw] [--only NAME,...]";

/** Name of the manifest written next to the figures. */
const MANIFEST = "figures.json";

interface ManifestEntry {
  name: string;
  files: string[];
  source: string;
  note: string;
}

async function readManifest(path: string): Promise<ManifestEntry[]> {
  try {
    return (JSON.parse(await Deno.readTextFile(path)).figures ?? []) as ManifestEntry[];
  } catch {
    return [];
  }
}

async function existsAll(paths: string[]): Promise<boolean> {
  for (const p of paths) {
    try {
      await Deno.stat(p);
    } catch {
      return false;
    }
  }
  return paths.length > 0;
}

/** A label for a run folder: its category and what its weights are. */
async function describeRun(runDir: string, category: string, step: number): Promise<string> {
  try {
    const config = JSON.parse(await Deno.readTextFile(join(runDir, "config.json")));
    if (config.imported_from) return `${category}, authors' encoder (imported)`;
  } catch {
    // no config.json: a plain run
  }
  return `${category}, ${step} training steps`;
}

if (import.meta.main) {
  await runMain(async () => {
    const { values: v } = parseCli(Deno.args, {
      "results": { type: "string" },
      "out": { type: "string" },
      "run": { type: "string" },
      "data": { type: "string" },
      "tag": { type: "string" },
      "label": { type: "string" },
      "no-run": { type: "boolean" },
      "seconds": { type: "string" },
      "steps": { type: "string" },
      "nn": { type: "string" },
      "only": { type: "string" },
      "help": { type: "boolean", short: "h" },
    }, USAGE);
    if (v.help) return console.log(USAGE);
    const resultsDir = typeof v.results === "string" ? fromRoot(v.results) : RESULTS_DIR;
    const outDir = typeof v.out === "string" ? fromRoot(v.out) : FIGURES_DIR;
    const only = typeof v.only === "string" ? v.only.split(",").map((s) => s.trim()).filter(Boolean) : null;
    const wanted = (name: string) => !only || only.some((o) => name === o || name.includes(o));
    const nn = choiceFlag(v.nn, "nn", ["exact", "hnsw"] as const) ?? "exact";
    await Deno.mkdir(outDir, { recursive: true });
    const saved: SavedOutcome[] = [];
    const save = async (outcome: FigureOutcome) => {
      if (!wanted(outcome.name)) return;
      const s = await saveOutcome(outcome, outDir);
      saved.push(s);
      const what = s.files.length > 0 ? s.files.map((f) => relative(Deno.cwd(), f)).join(", ") : "no figure";
      console.error(`${outcome.name}: ${what}\n  ${outcome.note}`);
    };

    const sweeps = await listSweeps(resultsDir);
    console.error(
      `results: ${sweeps.length} sweep(s) under ${relative(Deno.cwd(), resultsDir) || "."}` +
        (sweeps.length ? ` (${sweeps.map((s) => `${s.name}: ${s.runs.length} runs`).join(", ")})` : ""),
    );
    const extra: ExtraMethod[] = [];
    const imported = await referenceWeightsMethod(resultsDir);
    if (imported) extra.push(imported);

    if (!v["no-run"]) {
      let runDir: string, tag: string, label: string, data: string | undefined;
      if (typeof v.run === "string") {
        runDir = fromRoot(v.run);
        tag = typeof v.tag === "string" ? v.tag : basename(runDir);
        label = "";
        data = typeof v.data === "string" ? v.data : undefined;
      } else {
        const steps = numberFlag(v.steps, "steps", "posint");
        const seconds = numberFlag(v.seconds, "seconds", "nonneg") ?? 120;
        console.error(`training a small synthetic run into runs/figures-synthetic (${steps ?? `${seconds} s`} budget)`);
        const run = await trainSyntheticRun({ out: "runs/figures-synthetic", steps, seconds, quiet: true });
        console.error(`  ${run.reused ? "reused" : "trained"}: ${run.label}`);
        runDir = run.runDir;
        tag = typeof v.tag === "string" ? v.tag : "synthetic";
        label = `small synthetic run (${run.label})`;
      }
      console.error(`inspecting ${relative(Deno.cwd(), runDir)} (nn ${nn})`);
      const inspected = await inspectRun(runDir, { data, inspect: { nn }, onPhase: (m) => console.error(`  ${m}`) });
      label = typeof v.label === "string"
        ? v.label
        : label || await describeRun(runDir, inspected.category, inspected.step);
      const options = { tag, label };
      await save(galleryFigure(inspected, options));
      for (const outcome of rocFigures(inspected, options)) await save(outcome);
      await save(pcaFigure(inspected, options));
      await save(await runTrainingCurvesFigure(runDir, options));
      await save(await runActivationsFigure(runDir, options));
      const isImported = label.includes("authors' encoder");
      if (PAPER_TABLE1[inspected.category] && typeof v.run === "string" && !(isImported && imported)) {
        extra.push({
          method: isImported ? "authors' weights, our inspection" : `run ${tag}`,
          runs: [{
            sweep: "run",
            cell: tag,
            dir: runDir,
            metrics: inspected.metrics,
            traits: runTraits(inspected.metrics),
            logPath: null,
          }],
        });
      }
    }

    await save(paperTableFigure(sweeps, extra));
    await save(lossesFigure(sweeps));
    await save(hierarchyFigure(sweeps));
    await save(lambdaFigure(sweeps));
    await save(await committedTrainingCurvesFigure(sweeps));
    await save(await benchFigure(resultsDir));
    await save(await timeToQualityFigure(resultsDir));
    await save(await seedSpreadFigure(resultsDir));
    for (const category of ["bottle", "transistor"]) {
      await save(await recipeStudyFigure(resultsDir, category));
      await save(await recipeStudyFigure(resultsDir, category, true));
    }
    await save(await collapseFigure(resultsDir));

    const manifestPath = join(outDir, MANIFEST);
    const fresh: ManifestEntry[] = saved.filter((s) => s.files.length > 0).map((s) => ({
      name: s.name,
      files: s.files.map((f) => relative(outDir, f)),
      source: s.source,
      note: s.note,
    }));
    const kept: ManifestEntry[] = [];
    for (const entry of await readManifest(manifestPath)) {
      if (fresh.some((f) => f.name === entry.name)) continue;
      if (await existsAll(entry.files.map((f) => join(outDir, f)))) kept.push(entry);
    }
    const figures = [...fresh, ...kept].sort((a, b) => a.name.localeCompare(b.name));
    await Deno.writeTextFile(
      manifestPath,
      JSON.stringify({ generated_by: "deno task figures", figures }, null, 2) + "\n",
    );
    console.error(`${fresh.length} figure(s) written to ${relative(Deno.cwd(), outDir)}; index: ${MANIFEST}`);
  });
}
