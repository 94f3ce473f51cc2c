import { ablationBars } from "../../../src/lab/plot/mod.ts";
import { assertThrows } from "../../assert.ts";
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
