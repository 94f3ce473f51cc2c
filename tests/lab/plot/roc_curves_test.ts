import { rocCurves, thinCurve } from "../../../src/lab/plot/mod.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";
import { syntheticRocCurves } from "./_synthetic.ts";

Deno.test("rocCurves() labels axes, puts each AUC in the legend and draws the chance diagonal", async () => {
  const curves = syntheticRocCurves();
  const figure = rocCurves(curves, { title: "Image-level ROC" });
  await assertFigure(figure, [
    "Image-level ROC",
    "False-positive rate",
    "True-positive rate",
    `K=64 (AUC ${curves[0].auc.toFixed(3)})`,
    "chance",
  ]);
});

Deno.test("rocCurves() rejects no curves and mismatched arrays", () => {
  assertThrows(() => rocCurves([]), RangeError);
  assertThrows(() => rocCurves([{ name: "x", fpr: [0, 1], tpr: [0], auc: 0.5 }]), RangeError);
});

Deno.test("thinCurve() keeps both ends and about maxPoints points of a long curve", () => {
  const n = 100001;
  const fpr = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
  const tpr = Float64Array.from(fpr, (x) => Math.sqrt(x));
  const kept = thinCurve(fpr, tpr, 1000);
  assertEquals(kept[0], 0);
  assertEquals(kept[kept.length - 1], n - 1);
  assert(kept.length <= 1002 && kept.length > 500, `kept ${kept.length}`);
  assertEquals(thinCurve([0, 1], [0, 1], 1000), [0, 1]);
});
