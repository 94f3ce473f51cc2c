/**
 * Why a run stopped early, as typed errors: a `Divergence` (a NaN/Inf loss) and a `CollapseStop`
 * (a collapsed run with --stop-on-collapse) are `TrainingError`s (exit 3) carrying the step, the
 * term or the watch that saw it, and the checkpoint kept, as fields; their messages state the fact, and the
 * line `train` prints (src/cli/advice.ts, `errorLine`) adds what to do.
 */

import { assert, assertEquals, assertThrows } from "../assert.ts";
import { TrainingError } from "../../src/errors.ts";
import { checkFinite, CollapseStop, Divergence } from "../../src/train/stops.ts";
import { errorLine } from "../../src/cli/advice.ts";

Deno.test("checkFinite: finite values pass; the first non-finite term throws a Divergence naming it", () => {
  checkFinite({ ssl64: 2.07, svddPrime64: 1e-15, total: 4.1 }, 7, 5, "run/checkpoint.safetensors");
  assertThrows(
    () => checkFinite({ ssl64: 2.07, svddPrime64: Infinity, total: NaN }, 7, 5, "run/checkpoint.safetensors"),
    (e: unknown) => {
      assert(e instanceof Divergence && e instanceof TrainingError, String(e));
      assertEquals(
        [e.exitCode, e.step, e.term, e.value, e.keptStep, e.checkpointPath],
        [3, 7, "svddPrime64", Infinity, 5, "run/checkpoint.safetensors"],
      );
      assert(
        errorLine(e).startsWith(
          "Loss svddPrime64 became Infinity at step 7; the last good checkpoint (step 5) is kept in " +
            "run/checkpoint.safetensors.",
        ),
        e.message,
      );
      assert(!errorLine(e).includes("\n") && errorLine(e).includes("--force"), errorLine(e));
      assert(!e.message.includes("--force"), `the fact alone: ${e.message}`);
      return true;
    },
  );
});

Deno.test("CollapseStop: a TrainingError with the collapse's step, the watch that saw it and the kept step", () => {
  const e = new CollapseStop({ at: 150, by: "probe", term: "codes32" }, 212, "run/checkpoint.safetensors");
  assert(e instanceof TrainingError);
  assertEquals(
    [e.exitCode, e.step, e.by, e.term, e.keptStep, e.checkpointPath, e.name],
    [3, 150, "probe", "codes32", 212, "run/checkpoint.safetensors", "CollapseStop"],
  );
  assertEquals(
    errorLine(e),
    "Training collapsed at step 150 and was stopped (--stop-on-collapse); its checkpoint (step 212) is kept in " +
      "run/checkpoint.safetensors. Retrain with --force and --lr-warmup-steps 500, a lower --lr or another --seed",
  );
});
