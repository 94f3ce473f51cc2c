import { lossPanels, trainingCurves } from "../../../src/lab/plot/mod.ts";
import { assertEquals, assertThrows } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";
import { syntheticTrainingLog } from "./_synthetic.ts";

Deno.test("trainingCurves() draws every loss term, SVDD' on a log scale, and L_SSL's chance level ln 8", async () => {
  const figure = trainingCurves(syntheticTrainingLog(200), { title: "bottle, seed 0" });
  await assertFigure(figure, [
    "bottle, seed 0",
    "L_SSL (position classifier)",
    "L_SVDD' / L_SVDD (log scale)",
    "ssl64",
    "ssl32",
    "svddPrime64",
    "svddPrime32",
    "total",
    "chance ln 8 = 2.079",
    "step",
  ]);
});

Deno.test("lossPanels() groups ssl*, svdd* (log), total and other terms", () => {
  assertEquals(lossPanels(["ssl64", "svdd32", "svddPrime32", "total", "acc"]).map((p) => [p.keys, p.log]), [
    [["ssl64"], false],
    [["svdd32", "svddPrime32"], true],
    [["total"], false],
    [["acc"], false],
  ]);
});

Deno.test("trainingCurves() rejects an empty log and a log without losses", () => {
  assertThrows(() => trainingCurves([]), RangeError);
  assertThrows(() => trainingCurves([{ step: 1, time_s: 2 }]), RangeError);
});
