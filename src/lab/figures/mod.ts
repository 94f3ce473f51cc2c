/**
 * Logic the notebooks and `deno task figures` share: finding and reading committed results
 * (`results/<sweep>/table.csv`, `runs/<cell>/metrics.json`, loss logs, bench files), turning
 * runs into the rows of each ablation figure, inspecting a run in memory (maps, ROC curves,
 * patch embeddings, best and worst cases), training a small synthetic run, and building every
 * figure of `results/figures/`.
 *
 * - Paths and settings: {@linkcode PROJECT_ROOT}, {@linkcode fromRoot}, {@linkcode envString},
 *   {@linkcode envNumber}, {@linkcode envFlag}, {@linkcode setupNotebook}, {@linkcode rerunSweep}.
 * - Results: {@linkcode listSweeps}, {@linkcode findSweep} (the longest step budget with results first),
 *   {@linkcode sweepNotice}, {@linkcode readRun}, {@linkcode readLossLog},
 *   {@linkcode parseCsv}.
 * - Rows: {@linkcode lossAblationRows}, {@linkcode hierarchyAblationRows}, {@linkcode lambdaRows},
 *   {@linkcode categoryRows}.
 * - Runs: {@linkcode trainSyntheticRun}, {@linkcode inspectRun}, {@linkcode selectCases}, {@linkcode mapItem}.
 * - Figures: {@linkcode lossesFigure}, {@linkcode hierarchyFigure}, {@linkcode lambdaFigure},
 *   {@linkcode paperTableFigure}, {@linkcode galleryFigure}, {@linkcode rocFigures}, {@linkcode pcaFigure},
 *   {@linkcode saveOutcome}, {@linkcode table1Figure} (the authors' checkpoints, `results/table1/`).
 *
 * @module
 */

export {
  envFlag,
  envNumber,
  envOptional,
  envString,
  FIGURES_DIR,
  fromRoot,
  PROJECT_ROOT,
  RESULTS_DIR,
} from "./paths.ts";
export { setupNotebook, show, SHOW_SETTLE_MS } from "./notebook.ts";
export { type RerunOptions, rerunSweep } from "./rerun.ts";
export { type CsvTable, csvToMarkdown, parseCsv } from "./csv.ts";
export {
  type AblationAxis,
  allRuns,
  findSweep,
  findSweeps,
  hasTrainedResults,
  listSweeps,
  LOG_FILES,
  lossName,
  readLossLog,
  readRun,
  readSweep,
  type RunResult,
  type RunTraits,
  runTraits,
  type Sweep,
  SWEEP_PATTERNS,
  type SweepKind,
  sweepNotice,
  sweepSteps,
} from "./results.ts";
export {
  categoryRows,
  hierarchyAblationRows,
  hierarchyGroupName,
  hierarchyRowsFromTable,
  lambdaRows,
  lambdaRowsFromTable,
  lossAblationRows,
  lossRowsFromTable,
  type MeanStd,
  meanStd,
  onlyVarying,
  OUR_METHOD,
  overSeeds,
  paperLossName,
  type SweepTableRow,
  sweepTableRows,
  tableCategories,
  tableFacets,
  untrainedLevelsFromTable,
} from "./summarize.ts";
export {
  type CaseSelection,
  inspectRun,
  type InspectRunOptions,
  mapItem,
  type PatchEmbeddings,
  patchLabels,
  type RunInspection,
  runRocCurves,
  selectCases,
} from "./run_inspection.ts";
export {
  SYNTHETIC_RUN_SETTINGS,
  type SyntheticRun,
  type SyntheticRunOptions,
  trainSyntheticRun,
} from "./synthetic_run.ts";
export { readRecipePoints, type RecipePoint, recipeStudyFigure, seedCurves } from "./recipe_study.ts";
export { readSeedRuns, readTimePoints, seedSpreadFigure, timeToQualityFigure } from "./time_to_quality.ts";
export { collapseFigure, readActivationLog, runActivationsFigure } from "./activations.ts";
export {
  benchFigure,
  type BenchPhase,
  benchPhases,
  committedTrainingCurvesFigure,
  type ExtraMethod,
  type FigureOutcome,
  galleryFigure,
  hierarchyFigure,
  JPEG_DPI,
  lambdaFigure,
  lossesFigure,
  messageFigure,
  paperTableFigure,
  pcaFigure,
  referenceWeightsMethod,
  rocFigures,
  runAsMethod,
  type RunFigureOptions,
  runTrainingCurvesFigure,
  type SavedOutcome,
  saveOutcome,
  toJpeg,
} from "./build.ts";
export { table1Figure } from "./table1.ts";
