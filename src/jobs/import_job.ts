/**
 * An import job: turn a reference (PyTorch) encoder's weight file — safetensors, or the
 * authors' `torch.save` `.pkl` / a zip `.pt` — into a run folder that `eval` accepts
 * (`RUN/checkpoint.safetensors` + `RUN/config.json`). The file is read and checked completely
 * before anything is written, so a bad file leaves the run folder untouched.
 *
 * @module
 */

import { DEFAULT_CONFIG, type RunConfig } from "../config.ts";
import { UserError } from "../errors.ts";
import { importReferenceEncoder } from "../model/reference_weights.ts";
import { CHECKPOINT_FILE, saveCheckpoint } from "../train/checkpoint.ts";
import { createModel, disposeModel } from "../train/model.ts";
import { writeJsonAtomic } from "../util/atomic.ts";
import { exists } from "../util/exists.ts";
import { gitCommit } from "../util/git_commit.ts";
import { RUN_FILES } from "./train_job.ts";

/** What to import. */
export interface ImportJob {
  /** The weight file (`.safetensors`, legacy `.pkl`, zip `.pt`/`.pth`). */
  file: string;
  /** Run folder to write. */
  out: string;
  /** Dataset root to record for `eval` (optional). */
  data?: string;
  /** Category to record for `eval` (optional). */
  category?: string;
  /** Overwrite a run already in `out`. Default false. */
  force?: boolean;
}

/** What {@linkcode runImportJob} wrote. */
export interface ImportResult {
  /** The run folder. */
  out: string;
  /** The run's configuration (encoder family, K and D from the file; the rest the defaults). */
  config: RunConfig;
  /** SHA-256 of the weight file, hex (recorded in config.json as `weights_sha256`). */
  sha256: string;
}

/**
 * SHA-256 of a file's bytes, hex.
 *
 * @param bytes the bytes
 * @returns 64 hex digits
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Import a reference encoder into a run folder.
 *
 * @param job the file, the run folder and what to record
 * @returns where it went, its configuration and the file's hash
 * @throws {UserError} when `out` already holds a run and `force` is not set
 * @throws {DataError} naming the file when it is unreadable, malicious, not a state dict, or
 *   holds another architecture (nothing is written then)
 * @example
 * ```ts ignore
 * import { runImportJob } from "./import_job.ts";
 * await runImportJob({ file: "ckpts/bottle/enchier.pkl", out: "runs/ref_bottle", data: "mvtec", category: "bottle" });
 * ```
 */
export async function runImportJob(job: ImportJob): Promise<ImportResult> {
  if ((await exists(`${job.out}/${CHECKPOINT_FILE}`)) && !job.force) {
    throw new UserError(`${job.out} already holds a run; pass --force to overwrite it`);
  }
  const imported = await importReferenceEncoder(job.file);
  const sha256 = await sha256Hex(await Deno.readFile(job.file));
  const config = structuredClone(DEFAULT_CONFIG);
  config.train.encoder = imported.kind === "flat" ? "flat" : "hier";
  config.train.patchSize = imported.patchSize;
  config.train.embeddingDim = imported.embeddingDim;
  const model = createModel(config);
  for (const [name, value] of imported.params) model.encoder.params.get(name)!.assign(value);
  const extra = {
    data: job.data,
    category: job.category,
    imported_from: job.file,
    weights_sha256: sha256,
    commit: await gitCommit(),
  };
  try {
    await Deno.mkdir(job.out, { recursive: true });
    await saveCheckpoint(`${job.out}/${CHECKPOINT_FILE}`, model, null, {
      config,
      step: 0,
      rngState: 0,
      elapsedSeconds: 0,
      extra,
    });
    await writeJsonAtomic(`${job.out}/${RUN_FILES.config}`, { ...extra, config });
  } finally {
    for (const t of imported.params.values()) t.dispose();
    imported.params.clear();
    disposeModel(model);
  }
  return { out: job.out, config, sha256 };
}
