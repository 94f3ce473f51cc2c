/**
 * `deno task train --data ROOT --category C --out RUN [options]`: train a Patch SVDD
 * encoder (or, with `--steps 0`, save a randomly initialised one).
 *
 * @module
 */

import { BACKEND_NAMES, type BackendName, MATMUL_PRECISIONS, type MatmulPrecision } from "../backend/mod.ts";
import { choiceFlag, dataRoot, numberFlag, parseCli, runMain } from "./common.ts";
import { CONFIG_HELP, CONFIG_OPTIONS, configFromFlags } from "./config_flags.ts";
import { DEFAULT_RUN_OPTIONS } from "../config.ts";
import { printWarning } from "./advice.ts";
import { UserError } from "../errors.ts";
import { runTrainJob } from "../jobs/train_job.ts";

const R = DEFAULT_RUN_OPTIONS;
const USAGE = "deno task train --data ROOT --category C --out RUN [--steps N | --epochs E | --max-minutes M] [options]";

const HELP = `${USAGE}

Budget (whichever ends first; none given = the reference's ${R.defaultEpochs} epochs):
  --steps N            optimisation steps (0 saves the random initialisation)
  --epochs E           reference epochs (N_train * 100 / batch-size steps each)
  --max-minutes M      wall-clock minutes
Run:
  --backend B          ${BACKEND_NAMES.join("|")} (default auto)
  --precision P        fp32|bf16: arithmetic of the native convs/matmuls (default fp32, as the
                       reference; bf16 needs AMX: Intel Sapphire Rapids or later)
  --resume             continue the run in --out
  --force              overwrite the run in --out
  --checkpoint-minutes M   minutes between checkpoints (default ${R.checkpointMinutes})
  --probe-every N      steps between measurements of the encoder's activations, logged to
                       RUN/activations.jsonl (default ${R.probeEvery}; 0 turns it off; training is the same)
  --stop-on-collapse   stop (exit 3, checkpoint kept) once the run collapses, instead of warning
  --skip-bad           skip unreadable images with a warning
  --allow-mixed-channels   accept grayscale and colour images in one category
  --no-masks           accept defect images without ground-truth masks (training never reads them;
                       evaluate such a run with eval --no-masks)
  --quiet              no progress bar
${CONFIG_HELP}`;

await runMain(async () => {
  const { values: v } = parseCli(Deno.args, {
    ...CONFIG_OPTIONS,
    "data": { type: "string" },
    "category": { type: "string" },
    "out": { type: "string" },
    "steps": { type: "string" },
    "epochs": { type: "string" },
    "max-minutes": { type: "string" },
    "backend": { type: "string" },
    "precision": { type: "string" },
    "resume": { type: "boolean" },
    "force": { type: "boolean" },
    "checkpoint-minutes": { type: "string" },
    "probe-every": { type: "string" },
    "stop-on-collapse": { type: "boolean" },
    "skip-bad": { type: "boolean" },
    "allow-mixed-channels": { type: "boolean" },
    "no-masks": { type: "boolean" },
    "quiet": { type: "boolean" },
    "help": { type: "boolean", short: "h" },
  }, USAGE);
  if (v.help) return console.log(HELP);
  if (typeof v.category !== "string") throw new UserError(`Missing --category. Usage: ${USAGE}`);
  if (typeof v.out !== "string") throw new UserError(`Missing --out RUN (the run folder). Usage: ${USAGE}`);
  const summary = await runTrainJob({
    data: dataRoot(v.data),
    category: v.category,
    out: v.out,
    config: configFromFlags(v),
    preset: typeof v.preset === "string" ? v.preset : undefined,
    steps: numberFlag(v.steps, "steps", "int"),
    epochs: numberFlag(v.epochs, "epochs", "nonneg"),
    maxMinutes: numberFlag(v["max-minutes"], "max-minutes", "nonneg"),
    resume: Boolean(v.resume),
    force: Boolean(v.force),
    backend: choiceFlag(v.backend, "backend", BACKEND_NAMES) as BackendName | undefined,
    precision: choiceFlag(v.precision, "precision", MATMUL_PRECISIONS) as MatmulPrecision | undefined,
    checkpointMinutes: numberFlag(v["checkpoint-minutes"], "checkpoint-minutes", "nonneg"),
    probeEvery: numberFlag(v["probe-every"], "probe-every", "int"),
    stopOnCollapse: Boolean(v["stop-on-collapse"]),
    skipBad: Boolean(v["skip-bad"]),
    allowMixedChannels: Boolean(v["allow-mixed-channels"]),
    masks: !v["no-masks"],
    quiet: Boolean(v.quiet),
    onWarning: printWarning,
  });
  console.log(JSON.stringify({ run: v.out, ...summary }));
});
