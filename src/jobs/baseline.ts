/**
 * The untrained-encoder baseline of a run, for the sanity check of src/metrics/sanity.ts: evaluated
 * untrained encoders (step 0) of the same category and architecture, found in `RUN/baseline/` or in
 * sibling run folders (e.g. `runs/bottle` beside `runs/bottle-random`, trained with `--steps 0`), or
 * made on request (`eval --baseline`: the run's own initialisation, saved to `RUN/baseline/` and
 * evaluated there).
 *
 * @module
 */

import { basename, dirname, join, resolve } from "node:path";
import type { RunConfig } from "../config.ts";
import type { SanityMetrics } from "../metrics/sanity.ts";
import { CHECKPOINT_FILE, saveCheckpoint } from "../train/checkpoint.ts";
import { createModel, disposeModel } from "../train/model.ts";
import { writeJsonAtomic } from "../util/atomic.ts";

/** Folder inside a run that holds the baseline `eval --baseline` makes. */
export const BASELINE_DIR = "baseline";

/** The fields of a `metrics.json` the baseline search reads. */
interface RecordedMetrics extends SanityMetrics {
  category: string;
  config: Partial<RunConfig> & { step?: number; train?: RunConfig["train"] };
}

/**
 * Whether two runs' encoders are the same network before training: same architecture, image size and
 * inspection strides (the seed may differ: several seeds give the baseline's spread).
 *
 * @param a a run's recorded config
 * @param b another's
 * @returns true when an untrained `b` is a baseline for `a`
 */
export function sameUntrainedNetwork(a: RecordedMetrics["config"], b: RecordedMetrics["config"]): boolean {
  const key = (c: RecordedMetrics["config"]) =>
    JSON.stringify([
      c.train?.encoder,
      c.train?.patchSize,
      c.train?.embeddingDim,
      c.imageSize,
      c.inspect?.strideK64,
      c.inspect?.strideK32,
    ]);
  return key(a) === key(b);
}

/**
 * The metrics of untrained encoders that can serve as `run`'s baseline: `run/baseline/metrics.json`
 * and every sibling folder's `metrics.json` recorded at step 0 for the same category and network (imported
 * weights, also saved at step 0, excepted).
 *
 * @param run the run folder
 * @param metrics the run's own metrics (category and config)
 * @returns the baselines' metrics (empty when there is none)
 */
export async function findUntrainedBaselines(run: string, metrics: RecordedMetrics): Promise<SanityMetrics[]> {
  const candidates = [join(run, BASELINE_DIR)];
  try {
    for await (const entry of Deno.readDir(dirname(resolve(run)))) {
      if (entry.isDirectory && entry.name !== basename(resolve(run))) {
        candidates.push(join(dirname(resolve(run)), entry.name));
      }
    }
  } catch {
    // no readable parent: only RUN/baseline
  }
  const found: SanityMetrics[] = [];
  for (const dir of candidates) {
    let other: RecordedMetrics;
    try {
      other = JSON.parse(await Deno.readTextFile(join(dir, "metrics.json")));
    } catch {
      continue;
    }
    if (
      other.config?.step === 0 && other.category === metrics.category &&
      sameUntrainedNetwork(other.config, metrics.config) && !(await isImported(dir))
    ) found.push(other);
  }
  return found;
}

/** Whether a run folder holds imported weights (`import-weights`, `table1`: step 0 but trained, not a baseline). */
async function isImported(dir: string): Promise<boolean> {
  try {
    return "imported_from" in JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
  } catch {
    return false;
  }
}

/**
 * Save the untrained encoder of a run's configuration (its own initialisation: same seed) as a run
 * folder `RUN/baseline/`, ready for `eval`.
 *
 * @param run the run folder
 * @param config the run's configuration
 * @param extra the run's checkpoint metadata (data root, category)
 * @returns the baseline's folder
 */
export async function saveUntrainedBaseline(
  run: string,
  config: RunConfig,
  extra: Record<string, unknown>,
): Promise<string> {
  const dir = join(run, BASELINE_DIR);
  await Deno.mkdir(dir, { recursive: true });
  const model = createModel(config);
  try {
    await saveCheckpoint(join(dir, CHECKPOINT_FILE), model, null, {
      config,
      step: 0,
      rngState: 0,
      elapsedSeconds: 0,
      extra: { ...extra, baseline_of: run },
    });
    await writeJsonAtomic(join(dir, "config.json"), { ...extra, baseline_of: run, config });
  } finally {
    disposeModel(model);
  }
  return dir;
}
