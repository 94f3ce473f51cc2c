/**
 * Ablations as data: sweep files (`experiments/*.json`) validated by {@linkcode parseSweep},
 * expanded into cells with stable ids by {@linkcode expandGrid}, run and tabulated by
 * {@linkcode runSweep} (`deno task ablate`), with the paper's numbers beside ours.
 *
 * @module
 */

export {
  applyAxis,
  type Axis,
  AXIS_NAMES,
  type AxisName,
  type Budget,
  loadSweep,
  parseEncoderLabel,
  parseLossLabel,
  parseSweep,
  SETTING_NAMES,
  type Sweep,
  SweepError,
  sweepName,
  type SyntheticSpec,
} from "./schema.ts";
export {
  canonicalJson,
  type Cell,
  cellHash,
  type DataIdentity,
  expandGrid,
  parseShard,
  type Shard,
  shardCells,
  sweepCategories,
  UNTRAINED_BUDGET,
} from "./grid.ts";
export { MVTEC_CLASSES, paperLossLabel, type PaperNumber, paperNumber, recipeDeviations } from "./paper.ts";
export {
  buildTable,
  type CellMetrics,
  mapKeysOf,
  meanStd,
  type Stat,
  tableCsv,
  type TableInfo,
  tableMarkdown,
  type TableRow,
} from "./table.ts";
export {
  type CellRecord,
  LOSS_CURVE_POINTS,
  mergeSweep,
  RESULTS_GITIGNORE,
  runSweep,
  SWEEP_FILES,
  type SweepRunOptions,
  type SweepRunResult,
  thinLog,
} from "./run.ts";
