import { lambdaCurve, powerOfTenLabel } from "../../../src/lab/plot/mod.ts";
import { assertEquals, assertThrows } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";
import { syntheticLambdaRows } from "./_synthetic.ts";

Deno.test("lambdaCurve() draws each metric on a log λ axis with the published λ and chance marked", async () => {
  const figure = lambdaCurve(syntheticLambdaRows(), { title: "Sensitivity to lambda" });
  await assertFigure(figure, [
    "Sensitivity to lambda",
    "λ (weight of L_SVDD')",
    "AUROC",
    "detection AUROC",
    "segmentation AUROC",
    "published λ = 0.001",
    "chance (0.5)",
    "10⁻³",
  ]);
});

Deno.test("lambdaCurve() rejects lambda <= 0 (log axis)", () => {
  assertThrows(() => lambdaCurve([{ lambda: 0, metric: "det", mean: 0.5, std: 0 }]), RangeError);
});

Deno.test("powerOfTenLabel() writes powers of ten with superscripts", () => {
  assertEquals([1e-5, 1e-3, 1, 10, 100].map(powerOfTenLabel), ["10⁻⁵", "10⁻³", "1", "10", "10²"]);
  assertEquals(powerOfTenLabel(0.003), "0.003");
});
