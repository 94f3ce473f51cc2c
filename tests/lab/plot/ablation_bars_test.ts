import { ablationBars } from "../../../src/lab/plot/mod.ts";
import { assert, assertThrows } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";
import { syntheticAblationRows } from "./_synthetic.ts";

Deno.test("ablationBars() shows groups, both metrics, error bars over seeds and the paper's marker", async () => {
  const figure = ablationBars(syntheticAblationRows(), { title: "Effect of the losses" });
  await assertFigure(figure, [
    "Effect of the losses",
    "AUROC",
    "L_SVDD'",
    "L_SVDD' + L_SSL",
    "detection AUROC",
    "segmentation AUROC",
    "± std over 3 seeds",
    ">paper<",
  ]);
});

Deno.test("ablationBars() starts bars at 0 when a value falls below chance", async () => {
  const figure = ablationBars([{ group: "collapsed", metric: "det", mean: 0.4, std: 0.05, n: 1 }], { title: "t" });
  await assertFigure(figure, ["bars start at 0", "1 seed"]);
});

Deno.test("ablationBars() rejects empty input and AUROCs outside [0, 1]", () => {
  assertThrows(() => ablationBars([], { title: "t" }), RangeError);
  assertThrows(() => ablationBars([{ group: "g", metric: "det", mean: 92, std: 1, n: 3 }], { title: "t" }), RangeError);
});

Deno.test("ablationBars() draws one row of panels per facet, the untrained level and the gain under each mean", async () => {
  const rows = ["bottle", "transistor"].flatMap((facet) =>
    (["det", "seg"] as const).map((metric) => ({
      group: "L_SVDD' + L_SSL",
      facet,
      metric,
      mean: 0.9,
      std: 0.01,
      n: 2,
      untrained: { mean: 0.85, std: 0.02 },
      gain: { mean: 0.05, std: 0.01, n: 2 },
    }))
  );
  const figure = ablationBars(rows, { title: "Effect of the losses" });
  await assertFigure(figure, ["bottle", "transistor", "untrained encoder (± std)", "+0.050"]);
  assert(!ablationBars(rows.map(({ untrained: _, gain: __, ...r }) => r), { title: "t" }).svg.includes("untrained"));
  assertThrows(
    () => ablationBars([{ ...rows[0], untrained: { mean: 85, std: 1 } }], { title: "t" }),
    RangeError,
  );
});

Deno.test("ablationBars() breaks group names longer than 16 characters into lines", async () => {
  const figure = ablationBars([
    { group: "non-hierarchical K=64", metric: "det", mean: 0.8, std: 0, n: 1 },
    { group: "L_SVDD' + L_SSL", metric: "det", mean: 0.9, std: 0, n: 1 },
  ], { title: "t" });
  await assertFigure(figure, ["non-hierarchical", "K=64", "L_SVDD' + L_SSL"]);
  assert(!figure.svg.includes("non-hierarchical K=64"), "the long name is on two lines");
});
