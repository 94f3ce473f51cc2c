/**
 * The collapse watch observer: warns once (a fact of kind "collapse", to which the command line adds
 * its advice) when the losses confirm a collapse and returns a stop fact, naming the term, at that step; a resumed run whose earlier steps had collapsed is named at
 * construction and its start() returns the fact (so --stop-on-collapse stops it at once).
 */

import { assert, assertEquals } from "../../assert.ts";
import { CollapseObserver } from "../../../src/train/observers/collapse_watch.ts";
import type { WarningKind } from "../../../src/train/observer.ts";
import { warningLine } from "../../../src/cli/advice.ts";

/** The warnings as `train` prints them (after `warning: `). */
const printed = (warnings: string[]) => (m: string, kind?: WarningKind) => warnings.push(warningLine(m, kind));

const criteria = { baselineSteps: 2, ratio: 1e-3, patience: 3 };
const step = (n: number, svddPrime32: number) => ({
  step: n,
  values: { ssl32: 2.08, svddPrime32 },
  lr: 1e-4,
  seconds: n,
});

Deno.test("CollapseObserver: one warning and one stop fact, at the step the losses confirm the collapse", () => {
  const warnings: string[] = [];
  const watch = new CollapseObserver([], printed(warnings), criteria);
  assertEquals(watch.start(), undefined);
  const facts = [1e-3, 1e-3, 1e-3, 1e-15, 1e-15, 1e-15, 1e-15, 1e-15].map((v, i) => watch.afterStep(step(i + 1, v)));
  assertEquals(facts.map((f) => f ?? null), [
    null,
    null,
    null,
    null,
    null,
    { at: 4, by: "losses", term: "svddPrime32" },
    null,
    null,
  ]);
  assertEquals(watch.collapsedAt, 4);
  assertEquals(warnings.length, 1);
  assert(warnings[0].startsWith("training collapsed: L_SVDD'(32) fell from 1.0e-3"), warnings[0]);
  assert(warnings[0].endsWith("a lower --lr or another --seed"), warnings[0]);
});

Deno.test("CollapseObserver: a resumed run that had collapsed is named at once; start() returns the fact", () => {
  const warnings: string[] = [];
  const history = [1e-3, 1e-3, 1e-15, 1e-15, 1e-15].map((v, i) => ({ step: i + 1, ssl32: 2.08, svddPrime32: v }));
  const watch = new CollapseObserver(history, printed(warnings), criteria);
  assertEquals(watch.collapsedAt, 3);
  assertEquals(watch.start(), { at: 3, by: "losses", term: "svddPrime32" });
  assert(warnings.length === 1 && warnings[0].startsWith("this run collapsed at step 3. Stop it"), warnings[0]);
  assertEquals(watch.afterStep(step(6, 1e-15)), undefined, "reported once");
  // a healthy history: no warning, no fact
  const healthy = new CollapseObserver(history.slice(0, 2), printed(warnings), criteria);
  assertEquals([healthy.start(), healthy.collapsedAt, warnings.length], [undefined, null, 1]);
});
