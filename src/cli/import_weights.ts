/**
 * `deno task import-weights FILE.pkl|FILE.pt|FILE.safetensors --out RUN [--data ROOT --category C]`:
 * convert a reference (PyTorch) encoder checkpoint — the authors' `torch.save` `.pkl` as they
 * publish it, a zip `.pt`, or safetensors — into a run folder `eval` accepts. Pickles are read
 * without executing anything (src/model/torch_checkpoint.ts).
 *
 * @module
 */

import { selectBackend } from "../backend/mod.ts";
import { UserError } from "../errors.ts";
import { runImportJob } from "../jobs/import_job.ts";
import { parseCli, runMain } from "./common.ts";

const USAGE =
  "deno task import-weights FILE.pkl|FILE.pt|FILE.safetensors --out RUN [--data ROOT --category C] [--force]";

await runMain(async () => {
  const { values: v, positionals } = parseCli(Deno.args, {
    "out": { type: "string" },
    "data": { type: "string" },
    "category": { type: "string" },
    "force": { type: "boolean" },
  }, USAGE);
  const file = positionals[0];
  if (!file || typeof v.out !== "string") throw new UserError(`Missing FILE or --out. Usage: ${USAGE}`);
  await selectBackend("cpu");
  const { config } = await runImportJob({
    file,
    out: v.out,
    data: typeof v.data === "string" ? v.data : Deno.env.get("MVTEC_ROOT"),
    category: typeof v.category === "string" ? v.category : undefined,
    force: Boolean(v.force),
  });
  console.log(`imported ${file} (K=${config.train.patchSize}, D=${config.train.embeddingDim}) into ${v.out}`);
});
