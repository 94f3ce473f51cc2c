import { rampLegend, swatchLegend, type SwatchShape } from "../../../src/lab/plot/mod.ts";
import { assert } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";

Deno.test("swatchLegend() draws every shape with its label and wraps at maxWidth", async () => {
  const shapes: SwatchShape[] = [
    "rect",
    "dot",
    "ring",
    "line",
    "dash",
    "dot-line",
    "tick",
    "htick",
    "errorbar",
    "diamond",
  ];
  const legend = swatchLegend(shapes.map((shape) => ({ label: `shape ${shape}`, shape, color: "#4269d0" })), 300);
  assert(legend.width <= 300);
  assert(legend.height > 40, "wrapped onto several rows");
  await assertFigure(legend, shapes.map((s) => `shape ${s}`));
});

Deno.test("rampLegend() embeds the colour ramp as a PNG, has its label and marks values", async () => {
  const legend = rampLegend({ domain: [0, 2], label: "anomaly score", markers: [{ value: 1, color: "red" }] });
  assert(legend.svg.includes("data:image/png;base64,"));
  assert(legend.svg.includes('fill="red"'), "marker drawn");
  await assertFigure(legend, ["anomaly score"]);
});
