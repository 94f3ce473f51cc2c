/**
 * Why a run stopped early, as typed errors: a `Divergence` (a NaN/Inf loss) and a `CollapseStop`
 * (a collapsed run with --stop-on-collapse) are `TrainingError`s (exit 3) carrying the step, the
 * term or the watch that saw it, and the checkpoint kept; their one-line messages say what to do.
 */

import { assert, assertEquals, assertThrows } from "../assert.ts";
import { TrainingError } from "../../src/errors.ts";
import { checkFinite, CollapseStop, Divergence } from "../../src/train/stops.ts";

Deno.test("checkFinite: finite values pass; the first non-finite term throws a Divergence naming it", () => {
  checkFinite({ ssl64: 2.07, svddPrime64: 1e-15, total: 4.1 }, 7, 5, "run/checkpoint.safetensors");
  assertThrows(
    () => checkFinite({ ssl64: 2.07, svddPrime64: Infinity, total: NaN }, 7, 5, "run/checkpoint.safetensors"),
    (e: unknown) => {
      assert(e instanceof Divergence && e instanceof TrainingError, String(e));
      assertEquals([e.exitCode, e.step, e.term, e.value, e.keptStep], [3, 7, "svddPrime64", Infinity, 5]);
      assert(
        e.message.startsWith(
          "Loss svddPrime64 became Infinity at step 7; the last good checkpoint (step 5) is kept in " +
            "run/checkpoint.safetensors.",
        ),
        e.message,
      );
      assert(!e.message.includes("\n") && e.message.includes("--force"), e.message);
      return true;
    },
  );
});

Deno.test("CollapseStop: a TrainingError with the collapse's step, the watch that saw it and the kept step", () => {
  const e = new CollapseStop({ at: 150, by: "probe" }, 212, "run/checkpoint.safetensors");
  assert(e instanceof TrainingError);
  assertEquals([e.exitCode, e.step, e.by, e.keptStep, e.name], [3, 150, "probe", 212, "CollapseStop"]);
  assertEquals(
    e.message,
    "Training collapsed at step 150 and was stopped (--stop-on-collapse); its checkpoint (step 212) is kept in " +
      "run/checkpoint.safetensors. Retrain with --force and --lr-warmup-steps 500, a lower --lr or another --seed",
  );
});
