/**
 * The progress observer: a line per step with the step, the losses, pairs/s and the time left; at
 * the end the final line (forced past the throttle, ETA 0) and how long the invocation trained;
 * quiet prints no summary.
 */

import { assert, assertEquals } from "../../assert.ts";
import { ProgressObserver } from "../../../src/train/observers/progress.ts";

function recorder() {
  const lines: { line: string; force: boolean }[] = [];
  let done = 0;
  return {
    lines,
    done: () => done,
    bar: { update: (line: string, force = false) => lines.push({ line, force }), done: () => void done++ },
  };
}

Deno.test("ProgressObserver: each step's line shows step/total, losses, pairs/s and the time left", () => {
  const r = recorder();
  const progress = new ProgressObserver({
    totalSteps: 30,
    pairsPerStep: 64,
    firstStep: 10,
    deadline: Infinity,
    bar: r.bar,
  });
  progress.afterStep({ step: 20, values: { ssl32: 2.0794, svddPrime32: 1.5e-4 }, lr: 1e-4, seconds: 5 });
  // 10 steps in 5 s: 2 steps/s, 128 pairs/s, 10 steps left: 5 s
  assertEquals(r.lines, [{
    line: "step 20/30 [#############.......] ssl32 2.079 svddPrime32 1.50e-4 | 128 pairs/s | ETA 5s",
    force: false,
  }]);
});

Deno.test("ProgressObserver.end: the final line, forced, with ETA 0, then the summary (none when quiet)", () => {
  for (const quiet of [false, true]) {
    const r = recorder(), printed: string[] = [];
    const progress = new ProgressObserver({
      totalSteps: 8,
      pairsPerStep: 16,
      firstStep: 0,
      deadline: Infinity,
      quiet,
      bar: r.bar,
      print: (l) => printed.push(l),
    });
    progress.end({ step: 8, seconds: 4, last: { total: 3 }, stoppedBy: "steps" });
    assertEquals(r.lines, [{ line: "step 8/8 [####################] total 3.000 | 32 pairs/s | ETA 0s", force: true }]);
    assertEquals(r.done(), 1);
    assertEquals(printed, quiet ? [] : ["trained 8 steps in 4s (2.000 steps/s)"]);
  }
  // an invocation that ran no step (a resumed run already at its budget): no line, the bar ended
  const r = recorder();
  new ProgressObserver({ totalSteps: 8, pairsPerStep: 16, firstStep: 8, deadline: Infinity, bar: r.bar, quiet: true })
    .end({ step: 8, seconds: 0.1, last: null, stoppedBy: "steps" });
  assert(r.lines.length === 0 && r.done() === 1);
});
