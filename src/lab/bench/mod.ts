/**
 * The speed benchmark (`deno task bench`): training throughput with a kernel profile, inspection
 * phases with time and peak RSS for exact and hnsw search, hnsw recall and AUROC differences, and
 * the comparison with the authors' PyTorch numbers.
 *
 * @module
 */

export {
  type CpuFlags,
  cpuFlagsFromCpuinfo,
  cpuModel,
  cpuModelFromCpuinfo,
  cpuSlug,
  type HostInfo,
  hostInfo,
  loadAverage,
} from "./host.ts";
export { benchFileName, type BenchFileParts } from "./file_name.ts";
export { combineMeasures, measurePhase, type PhaseMeasure, rssMb } from "./memory.ts";
export { evenSubsample, median } from "./stats.ts";
export { type KernelProfile, type KernelShare, profileKernels } from "./profile.ts";
export { benchTraining, type TrainBench, type TrainBenchOptions } from "./train_bench.ts";
export { compareNeighbours, type RecallStats } from "./nn_quality.ts";
export {
  benchInspection,
  type InspectBench,
  type InspectBenchOptions,
  type LevelSearch,
  type MethodBench,
  type NnMethod,
  type NnQuality,
} from "./inspect_bench.ts";
export { type OurNumbers, REFERENCE, type ReferenceNumbers, type Speedups, speedups } from "./reference.ts";
export { BENCH_SCHEMA, type BenchReport, formatReport } from "./report.ts";
export { type BenchOptions, defaultBenchPath, PROJECT_ROOT, runBench } from "./run.ts";
