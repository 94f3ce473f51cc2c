/** The recipe study's figures: AUROC against minutes per category, mean over seeds, from results/recipe/runs. */

import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import { readRecipePoints, recipeStudyFigure } from "../../../src/lab/figures/recipe_study.ts";

async function point(root: string, recipe: string, seed: number, steps: number, det: number, seconds?: number) {
  const dir = join(root, "recipe", "runs", recipe, "bottle", `seed${seed}`);
  await Deno.mkdir(dir, { recursive: true });
  const metrics = { main: "mult", image_auroc: { mult: det }, pixel_auroc: { mult: det - 0.1 } };
  await Deno.writeTextFile(join(dir, `metrics_step${steps}.json`), JSON.stringify(metrics));
  if (seconds !== undefined) {
    await Deno.writeTextFile(join(dir, `train_summary_step${steps}.json`), JSON.stringify({ train_seconds: seconds }));
  }
}

Deno.test("recipe points are read per recipe, seed and step, with the training minutes of their summaries", async () => {
  const root = await Deno.makeTempDir();
  await point(root, "fast", 1, 2400, 0.93, 600);
  await point(root, "fast", 0, 0, 0.9);
  await point(root, "fast", 0, 2400, 0.95, 540);
  const points = await readRecipePoints(join(root, "recipe", "runs"));
  assertEquals(points.map((p) => [p.seed, p.steps, p.minutes, p.det]), [[0, 0, 0, 0.9], [0, 2400, 9, 0.95], [
    1,
    2400,
    10,
    0.93,
  ]]);
  assertEquals(points[0].seg.toFixed(2), "0.80");
});

Deno.test("the bottle figure draws a curve per seed with the paper's target, and a per-seed table", async () => {
  const root = await Deno.makeTempDir();
  await point(root, "fast", 0, 0, 0.9);
  await point(root, "fast", 0, 2400, 0.95, 540);
  await point(root, "fast", 1, 2400, 0.93, 600);
  const out = await recipeStudyFigure(root, "bottle");
  assert(out.figure?.svg.startsWith("<svg"), out.note);
  assert(out.figure!.svg.includes("fast, seed 1"), "one line per seed");
  assertEquals(out.markdown?.split("\n").filter((l) => l.startsWith("| fast")).length, 3);
});

Deno.test("a category without runs gets a note saying how to make them, and no figure", async () => {
  const out = await recipeStudyFigure(await Deno.makeTempDir(), "transistor");
  assertEquals([out.figure, out.source], [null, "none"]);
  assert(/recipe_study\.sh/.test(out.note));
});
