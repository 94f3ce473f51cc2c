import { assertEquals, assertThrows } from "./_assert.ts";
import { auroc } from "../../src/metrics/auroc.ts";
import { perDefectAuroc } from "../../src/metrics/per_defect.ts";

Deno.test("perDefectAuroc() scores each defect's images against all good images", () => {
  const scores = [0.9, 0.2, 0.5, 0.1, 0.3, 0.6];
  const defects = ["crack", "crack", "hole", "good", "good", "hole"];
  assertEquals(perDefectAuroc(scores, defects), {
    crack: auroc([0.9, 0.2, 0.1, 0.3], [1, 1, 0, 0]),
    hole: auroc([0.5, 0.6, 0.1, 0.3], [1, 1, 0, 0]),
  });
  assertEquals(Object.keys(perDefectAuroc(scores, defects)), ["crack", "hole"]);
});

Deno.test("perDefectAuroc() throws a RangeError without normal images", () => {
  assertThrows(() => perDefectAuroc([0.1, 0.2], ["crack", "hole"]), RangeError, 'defect "good"');
  assertThrows(() => perDefectAuroc([0.1], ["crack", "good"]), RangeError, "one defect name per score");
});
