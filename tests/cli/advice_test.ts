/**
 * The command line's advice (src/cli/advice.ts): the training loop's facts come without flags, and
 * the lines `train` prints add the same advice as before the split, word for word.
 */

import { assertEquals } from "../assert.ts";
import { advice, errorLine, warningLine } from "../../src/cli/advice.ts";
import { UserError } from "../../src/errors.ts";
import { CollapseStop, Divergence } from "../../src/train/stops.ts";

Deno.test("errorLine: a divergence gets the data check and the retrain flags after its fact", () => {
  const e = new Divergence(7, "ssl32", NaN, 5, "run/checkpoint.safetensors");
  assertEquals(
    errorLine(e),
    "Loss ssl32 became NaN at step 7; the last good checkpoint (step 5) is kept in run/checkpoint.safetensors. " +
      "Check the data for NaN/Inf values, or retrain with --force and a lower --lr or --lambda or another --seed " +
      "(--resume keeps the run's settings and would diverge again)",
  );
});

Deno.test("errorLine: a collapse stop gets the warm-up advice; other errors print their message alone", () => {
  const e = new CollapseStop({ at: 40, by: "losses", term: "svddPrime64" }, 50, "r/checkpoint.safetensors");
  assertEquals(
    errorLine(e),
    "Training collapsed at step 40 and was stopped (--stop-on-collapse); its checkpoint (step 50) is kept in " +
      "r/checkpoint.safetensors. Retrain with --force and --lr-warmup-steps 500, a lower --lr or another --seed",
  );
  assertEquals(errorLine(new UserError("Missing --category")), "Missing --category");
  assertEquals(advice(new UserError("x")), null);
});

Deno.test("warningLine: collapse and pinned warnings get their advice; recoveries and position findings none", () => {
  assertEquals(
    warningLine("this run collapsed at step 11.", "collapse"),
    "this run collapsed at step 11. Stop it and retrain with --force and a learning-rate warm-up " +
      "(--lr-warmup-steps 500), a lower --lr or another --seed",
  );
  assertEquals(
    warningLine("at step 0 the K=32 codes are pinned to one corner: ... (on bottle).", "pinned"),
    "at step 0 the K=32 codes are pinned to one corner: ... (on bottle). If it stays pinned, stop it and retrain " +
      "with --force and --lr-warmup-steps 500, a lower --lr or another --seed",
  );
  assertEquals(warningLine("recovering", "recovered"), "recovering");
  assertEquals(warningLine("L_SSL(64) ended at 2.35", "position"), "L_SSL(64) ended at 2.35");
  assertEquals(warningLine("plain"), "plain");
});
