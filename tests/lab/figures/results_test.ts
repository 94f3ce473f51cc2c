/** Which sweep of a kind the figures and notebooks show: the longest step budget with a trained result. */
import { assert, assertEquals } from "../../assert.ts";
import {
  findSweep,
  findSweeps,
  hasTrainedResults,
  listSweeps,
  type Sweep,
  sweepNotice,
  sweepSteps,
} from "../../../src/lab/figures/mod.ts";
import { writeSweepTable } from "./_tables.ts";

const sweep = (name: string, markdown: string | null = null): Sweep => ({
  name,
  dir: `/r/${name}`,
  table: null,
  markdown,
  runs: [],
});

Deno.test("sweepSteps() reads the table's budget line, else the folder name's trailing number", () => {
  assertEquals(sweepSteps(sweep("losses_100steps")), 100);
  assertEquals(sweepSteps(sweep("losses_2400")), 2400);
  assertEquals(sweepSteps(sweep("losses_2400", "- sweep: `x`; budget: 30 steps; seeds: 0")), 30);
  assertEquals(sweepSteps(sweep("losses", "- sweep: `x`; budget: 10 epochs; seeds: 0")), null);
});

Deno.test("findSweeps() orders a kind's sweeps by step budget, longest first, unknown budgets last", () => {
  const all = [sweep("losses"), sweep("losses_100steps"), sweep("lambda_2400"), sweep("losses_2400")];
  assertEquals(findSweeps(all, "losses").map((s) => s.name), ["losses_2400", "losses_100steps", "losses"]);
});

Deno.test("findSweeps() puts a sweep named after its kind before a side check of the same budget", () => {
  const all = [sweep("hier32_crops_2400"), sweep("hierarchy_100steps"), sweep("hierarchy_2400")];
  assertEquals(findSweeps(all, "hierarchy").map((s) => s.name), [
    "hierarchy_2400",
    "hier32_crops_2400",
    "hierarchy_100steps",
  ]);
});

Deno.test("findSweep() prefers the 2400-step sweep once it has a trained cell, and says so in sweepNotice()", async () => {
  const root = await Deno.makeTempDir({ prefix: "patchsvdd-results-" });
  await writeSweepTable(root, "losses_100steps.json", () => 0.9);
  // Only the untrained cells of the 2400-step sweep have finished: nothing of the method to draw yet.
  await writeSweepTable(root, "losses_2400.json", (cell) => (cell.untrained ? 0.8 : undefined));
  let sweeps = await listSweeps(root);
  assertEquals(hasTrainedResults(sweeps.find((s) => s.name === "losses_2400")!), false);
  assertEquals(findSweep(sweeps, "losses")?.name, "losses_100steps");
  assertEquals(
    sweepNotice(sweeps, "losses", "losses_2400"),
    "**`results/losses_2400/` has no finished trained cell yet**: shown instead, `results/losses_100steps/` " +
      "(100 steps per cell), labelled as such.",
  );
  await writeSweepTable(root, "losses_2400.json", (cell) => (cell.untrained ? 0.8 : cell.seed === 0 ? 0.9 : undefined));
  sweeps = await listSweeps(root);
  assertEquals(findSweep(sweeps, "losses")?.name, "losses_2400");
  assertEquals(sweepNotice(sweeps, "losses", "losses_2400"), null);
  await Deno.remove(`${root}/losses_2400`, { recursive: true });
  const notice = sweepNotice(await listSweeps(root), "losses", "losses_2400")!;
  assert(notice.startsWith("**`results/losses_2400/` is not run yet**"), notice);
  assert(sweepNotice([], "lambda", "lambda_2400")!.includes("no other lambda sweep"));
  await Deno.remove(root, { recursive: true });
});
