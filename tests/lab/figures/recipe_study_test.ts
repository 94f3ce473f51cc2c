/** The recipe study's figures: AUROC against minutes per category, mean over seeds, from results/recipe/runs. */

import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import {
  readRecipePoints,
  recipeStudyFigure,
  recipeSummary,
  seedCurves,
} from "../../../src/lab/figures/recipe_study.ts";

async function point(
  root: string,
  recipe: string,
  seed: number,
  steps: number,
  det: number,
  seconds?: number,
  warnings: string[] = [],
  stepsPerSecond?: number,
) {
  const dir = join(root, "recipe", "runs", recipe, "bottle", `seed${seed}`);
  await Deno.mkdir(dir, { recursive: true });
  const metrics = {
    main: "mult",
    image_auroc: { mult: det },
    pixel_auroc: { mult: det - 0.1 },
    warnings: warnings.map((kind) => ({ kind, message: kind })),
  };
  await Deno.writeTextFile(join(dir, `metrics_step${steps}.json`), JSON.stringify(metrics));
  if (seconds !== undefined) {
    await Deno.writeTextFile(
      join(dir, `train_summary_step${steps}.json`),
      JSON.stringify({
        train_seconds: seconds,
        steps_per_second: stepsPerSecond,
      }),
    );
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

Deno.test("the bottle figure draws a line per seed, coloured by recipe, with the paper's target, and a per-seed table", async () => {
  const root = await Deno.makeTempDir();
  await point(root, "fast", 0, 0, 0.9);
  await point(root, "fast", 0, 2400, 0.95, 540);
  await point(root, "fast", 1, 2400, 0.93, 600);
  const out = await recipeStudyFigure(root, "bottle");
  assert(out.figure?.svg.startsWith("<svg"), out.note);
  assert(!out.figure!.svg.includes("fast, seed 1"), "the legend names the recipe, not each seed");
  const lines = seedCurves(await readRecipePoints(join(root, "recipe", "runs"))).map((p) => p.line);
  assertEquals(new Set(lines).size, 2, "one line per seed");
  assertEquals(out.markdown?.split("\n").filter((l) => /^\| fast \| \d \| \d+ \| \d+\.\d \|/.test(l)).length, 3);
});

Deno.test("the summary counts, per budget, the seeds below their own untrained encoder and the warned ones", async () => {
  const root = await Deno.makeTempDir();
  await point(root, "fast", 0, 0, 0.9);
  await point(root, "fast", 0, 2400, 0.95, 540);
  await point(root, "fast", 1, 0, 0.9);
  await point(root, "fast", 1, 2400, 0.4, 600, ["inverted", "inverted", "below_untrained"]);
  const points = await readRecipePoints(join(root, "recipe", "runs"));
  assertEquals(points[3].warnings, ["inverted", "below_untrained"]);
  const [untrained, trained] = recipeSummary(points);
  assertEquals([untrained.steps, untrained.seeds, untrained.belowUntrained.det], [0, 2, 0]);
  assertEquals([trained.steps, trained.seeds, trained.belowUntrained.det, trained.belowUntrained.seg], [2400, 2, 1, 1]);
  assertEquals([trained.det.mean.toFixed(3), trained.worst.det, trained.warned], ["0.675", 0.4, 1]);
  const md = (await recipeStudyFigure(root, "bottle")).markdown!;
  assert(md.includes("| fast | 2400 | 2 | 0.675 ± 0.389 |"), md);
  assert(md.includes("| fast | 1 | 2400 | 10.0 | 0.400 | 0.300 | inverted, below_untrained |"), md);
});

Deno.test("a category without runs gets a note saying how to make them, and no figure", async () => {
  const out = await recipeStudyFigure(await Deno.makeTempDir(), "transistor");
  assertEquals([out.figure, out.source], [null, "none"]);
  assert(/recipe_study\.sh/.test(out.note));
});

Deno.test("the 0-60 minute curves are their own figure, and the recipe comparison leaves them out", async () => {
  const root = await Deno.makeTempDir();
  await point(root, "fast", 0, 2400, 0.95, 540);
  await point(root, "reference-60", 0, 0, 0.9);
  await point(root, "reference-60", 0, 2100, 0.95, 2400, [], 0.875); // shared the cores
  await point(root, "reference-60", 0, 4200, 0.96, 3600, [], 1.75); // alone
  const comparison = await recipeStudyFigure(root, "bottle");
  const curves = await recipeStudyFigure(root, "bottle", true);
  assertEquals([comparison.name, curves.name], ["recipe-bottle", "recipe-curves-bottle"]);
  assert(!comparison.markdown!.includes("reference-60"), comparison.markdown);
  // measured 60 minutes; at the quiet rate (the faster segment) 4200 steps take 40, 2100 take 20
  assert(curves.markdown!.includes("| reference-60 | 0 | 4200 | 60.0 | 40.0 | 0.960 |"), curves.markdown);
  assert(curves.markdown!.includes("| reference-60 | 0 | 2100 | 40.0 | 20.0 | 0.950 |"), curves.markdown);
  assert(curves.markdown!.includes("reference-60 1.75 steps/s"), curves.markdown);
  assert(!curves.markdown!.includes("| fast |"), curves.markdown);
  const none = await recipeStudyFigure(await Deno.makeTempDir(), "bottle", true);
  assertEquals(none.figure, null);
});
