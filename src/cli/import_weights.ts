/**
 * `deno task import-weights FILE.safetensors --out RUN [--data ROOT --category C]`:
 * convert a reference (PyTorch) encoder checkpoint into a run folder `eval` accepts.
 *
 * @module
 */

import { DEFAULT_CONFIG } from "../config.ts";
import { selectBackend } from "../backend/mod.ts";
import { UserError } from "../errors.ts";
import { importReferenceEncoder } from "../model/reference_weights.ts";
import { CHECKPOINT_FILE, saveCheckpoint } from "../train/checkpoint.ts";
import { createModel, disposeModel } from "../train/model.ts";
import { exists, gitCommit, parseCli, runMain, writeJsonAtomic } from "./common.ts";
import { RUN_FILES } from "../jobs/train_job.ts";

const USAGE = "deno task import-weights FILE.safetensors --out RUN [--data ROOT --category C] [--force]";

await runMain(async () => {
  const { values: v, positionals } = parseCli(Deno.args, {
    "out": { type: "string" },
    "data": { type: "string" },
    "category": { type: "string" },
    "force": { type: "boolean" },
  }, USAGE);
  const file = positionals[0];
  if (!file || typeof v.out !== "string") throw new UserError(`Missing FILE or --out. Usage: ${USAGE}`);
  if ((await exists(`${v.out}/${CHECKPOINT_FILE}`)) && !v.force) {
    throw new UserError(`${v.out} already holds a run; pass --force to overwrite it`);
  }
  await selectBackend("cpu");
  const imported = await importReferenceEncoder(file);
  const config = structuredClone(DEFAULT_CONFIG);
  config.train.encoder = imported.kind === "flat" ? "flat" : "hier";
  config.train.patchSize = imported.patchSize;
  config.train.embeddingDim = imported.embeddingDim;
  const model = createModel(config);
  for (const [name, value] of imported.params) model.encoder.params.get(name)!.assign(value);
  const data = typeof v.data === "string" ? v.data : Deno.env.get("MVTEC_ROOT");
  const category = typeof v.category === "string" ? v.category : undefined;
  const extra = { data, category, imported_from: file, commit: await gitCommit() };
  await Deno.mkdir(v.out, { recursive: true });
  await saveCheckpoint(`${v.out}/${CHECKPOINT_FILE}`, model, null, {
    config,
    step: 0,
    rngState: 0,
    elapsedSeconds: 0,
    extra,
  });
  await writeJsonAtomic(`${v.out}/${RUN_FILES.config}`, { ...extra, config });
  for (const t of imported.params.values()) t.dispose();
  imported.params.clear();
  disposeModel(model);
  console.log(`imported ${file} (K=${config.train.patchSize}, D=${config.train.embeddingDim}) into ${v.out}`);
});
