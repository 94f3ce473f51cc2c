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

Deno.test("lambdaCurve() rejects a negative lambda", () => {
  assertThrows(() => lambdaCurve([{ lambda: -1, metric: "det", mean: 0.5, std: 0 }]), RangeError);
});

Deno.test("lambdaCurve() puts lambda 0 on a symlog axis, one panel per facet, the untrained level marked", async () => {
  const rows = ["bottle", "transistor"].flatMap((facet) =>
    [0, 1e-3, 1].map((lambda) => ({ lambda, metric: "det", mean: 0.9, std: 0.01, facet }))
  );
  const figure = lambdaCurve(rows, {
    untrained: [{ facet: "bottle", metric: "det", mean: 0.8, std: 0.02 }],
  });
  await assertFigure(figure, ["symlog axis, 0 at the left", "bottle", "transistor", "untrained encoder (± std band)"]);
  // Without lambda 0 the axis stays logarithmic and says nothing about symlog.
  const plain = lambdaCurve(rows.filter((r) => r.lambda > 0));
  assertEquals(plain.svg.includes("symlog"), false);
  assertEquals(plain.svg.includes("untrained encoder"), false);
});

Deno.test("powerOfTenLabel() writes powers of ten with superscripts", () => {
  assertEquals([0, 1e-5, 1e-3, 1, 10, 100].map(powerOfTenLabel), ["0", "10⁻⁵", "10⁻³", "1", "10", "10²"]);
  assertEquals(powerOfTenLabel(0.003), "0.003");
});
