/**
 * patchsvdd: Patch SVDD (Yi & Yoon, ACCV 2020) for anomaly detection and segmentation,
 * on Deno and TensorFlow.js.
 *
 * The method, stage by stage (one folder each):
 * data -> sampling -> model -> losses -> train -> inspect -> metrics -> plot.
 * Defaults reproduce the reference implementation (see {@linkcode DEFAULT_CONFIG});
 * lambda enters the loss in `losses/total.ts`.
 *
 * @module
 */
export * from "./config.ts";
export * from "./errors.ts";
export * as data from "./data/mod.ts";
export * as sampling from "./sampling/mod.ts";
export * as model from "./model/mod.ts";
export * as losses from "./losses/mod.ts";
export * as inspect from "./inspect/mod.ts";
export * as metrics from "./metrics/mod.ts";
export * as plot from "./lab/plot/mod.ts";
export * as backend from "./backend/mod.ts";
export { createModel, type PatchSvddModel } from "./train/model.ts";
export { type LossValues, trainStep } from "./train/step.ts";
export { trainRun, type TrainRunOptions, type TrainRunResult } from "./train/loop.ts";
export { CollapseWatch } from "./train/collapse.ts";
export type { EndReport, StepReport, StopFact, TrainObserver, WarningKind, WarningSink } from "./train/observer.ts";
export { RUN_FILES, RunFolder } from "./train/run_folder.ts";
export { CollapseStop, Divergence } from "./train/stops.ts";
export { type PositionFinding, PositionWatch } from "./train/observers/position_watch.ts";
export { runTrainJob, type TrainJob } from "./jobs/train_job.ts";
export { type EvalJob, runEvalJob } from "./jobs/eval_job.ts";
