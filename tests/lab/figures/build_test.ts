/**
 * The ablation figures on the 2400-step tables: the longer budget preferred and named in the title,
 * the 100-step table shown (labelled) while the 2400-step one has no trained cell, the untrained
 * level drawn, one facet per class, lambda 0 on the axis.
 */
import { assert, assertEquals } from "../../assert.ts";
import { hierarchyFigure, lambdaFigure, listSweeps, lossesFigure } from "../../../src/lab/figures/mod.ts";
import { writeSweepTable } from "./_tables.ts";

const root = await Deno.makeTempDir({ prefix: "patchsvdd-build-" });
const value = (untrained?: boolean) => (untrained ? 0.8 : 0.9);
for (const kind of ["losses", "lambda", "hierarchy"]) {
  await writeSweepTable(root, `${kind}_100steps.json`, (cell) => value(cell.untrained) - 0.05);
}

Deno.test("while the 2400-step sweep has only untrained cells, the figures show the 100-step table, labelled", async () => {
  await writeSweepTable(root, "losses_2400.json", (cell) => (cell.untrained ? 0.8 : undefined));
  const outcome = lossesFigure(await listSweeps(root));
  assert(outcome.source.endsWith("losses_100steps/table.csv"), outcome.source);
  assert(outcome.note.includes("losses_2400/ has no finished trained cell yet"), outcome.note);
  assert(outcome.figure!.svg.includes("after 100 steps"));
  assert(!outcome.figure!.svg.includes("untrained encoder"), "the 100-step sweep has no untrained row");
});

Deno.test("with 2400-step results, every ablation figure draws them: facets per class, the untrained level", async () => {
  for (const kind of ["losses", "lambda", "hierarchy"]) {
    await writeSweepTable(root, `${kind}_2400.json`, (cell) => value(cell.untrained) + cell.seed / 100);
  }
  const sweeps = await listSweeps(root);
  for (const outcome of [lossesFigure(sweeps), hierarchyFigure(sweeps), lambdaFigure(sweeps)]) {
    assert(outcome.source.endsWith("_2400/table.csv"), outcome.source);
    const svg = outcome.figure!.svg;
    for (const text of ["after 2400 steps", "bottle", "transistor", "mean over 2 classes", "untrained encoder"]) {
      assert(svg.includes(text), `${outcome.name}: "${text}"`);
    }
    assert(!svg.includes(">training<") && !svg.includes("trained/"), `${outcome.name}: training is no axis`);
  }
  assert(hierarchyFigure(sweeps).figure!.svg.includes("hier-128 k128"));
  assert(lambdaFigure(sweeps).figure!.svg.includes("symlog axis, 0 at the left"));
  assert(lossesFigure(sweeps).figure!.svg.includes("+0.100"), "the gain under each mean");
  assertEquals(
    lossesFigure(sweeps).note,
    `Effect of the losses from ${root}/losses_2400/table.csv (2400 steps per cell).`,
  );
});
