import {
  anomalyMapGallery,
  anomalyMapPanel,
  blendHeatmap,
  colormapTable,
  mapExtent,
} from "../../../src/lab/plot/mod.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";
import { syntheticAnomalyItem } from "./_synthetic.ts";

/** Number of Plot contour marks stroked in the given colour. */
function contours(svg: string, color: string): number {
  return [...svg.matchAll(/<g [^>]*aria-label="contour"[^>]*>/g)].filter((m) => m[0].includes(`stroke="${color}"`))
    .length;
}

Deno.test("anomalyMapPanel() shows image, ground truth, heatmap with colour scale and predicted mask, score in the title", async () => {
  const item = syntheticAnomalyItem(48);
  const figure = anomalyMapPanel(item);
  await assertFigure(figure, [
    `bottle/broken_large/000: score ${item.score.toFixed(3)} (pixel threshold 0.550)`,
    "Image",
    ">Ground truth<",
    "Anomaly map",
    "Predicted mask",
    "anomaly score",
    "ground-truth defect",
    "predicted mask (map ≥ threshold)",
  ]);
  assertEquals((figure.svg.match(/data:image\/png;base64,/g) ?? []).length, 5, "4 images + the ramp");
  assertEquals(contours(figure.svg, "#00e000"), 2, "ground-truth contour on two panels");
  assertEquals(contours(figure.svg, "#ff2020"), 1, "predicted contour");
});

Deno.test("anomalyMapPanel() says 'no defect' for a normal image and draws no ground-truth contour", async () => {
  const figure = anomalyMapPanel(syntheticAnomalyItem(32, 3, false));
  await assertFigure(figure, ["Ground truth: no defect"]);
  assertEquals(contours(figure.svg, "#00e000"), 0, "no ground-truth contour");
  assertEquals(contours(figure.svg, "#ff2020"), 1, "predicted contour");
});

Deno.test("anomalyMapPanel() rejects arrays whose length disagrees with size", () => {
  const item = syntheticAnomalyItem(16);
  assertThrows(() => anomalyMapPanel({ ...item, size: 15 }), RangeError);
  assertThrows(() => anomalyMapPanel({ ...item, mask: new Uint8Array(3) }), RangeError);
});

Deno.test("anomalyMapGallery() stacks panels on one shared colour scale", async () => {
  const items = [syntheticAnomalyItem(32, 1), syntheticAnomalyItem(32, 2, false)];
  const single = anomalyMapPanel(items[0]);
  const figure = anomalyMapGallery(items, { title: "Worst cases", columns: 1 });
  assert(figure.height > 1.8 * single.height * 0.9);
  const lo = Math.min(mapExtent(items[0].map)[0], mapExtent(items[1].map)[0]);
  await assertFigure(figure, ["Worst cases", `Shared colour scale ${lo.toFixed(3)}`, "bottle/good/001"]);
  const two = anomalyMapGallery(items, { columns: 2 });
  assert(two.width > 1.9 * single.width * 0.9);
  assertThrows(() => anomalyMapGallery([]), RangeError);
});

Deno.test("mapExtent() ignores non-finite values and widens a constant map", () => {
  assertEquals(mapExtent([1, NaN, 3, Infinity]), [1, 3]);
  assertEquals(mapExtent([2, 2]), [2, 3]);
  assertEquals(mapExtent([]), [0, 1]);
});

Deno.test("blendHeatmap() keeps the image without a heatmap and mixes colours by opacity", () => {
  assertEquals([...blendHeatmap([10, 20, 30])], [10, 20, 30, 255]);
  const table = colormapTable("greys");
  assertEquals(table.length, 768);
  const mixed = blendHeatmap([0, 0, 0], { map: [1], range: [0, 1], table, opacity: 0.5 });
  // "greys" ends in black at 1: half of black over black stays black.
  assertEquals([...mixed], [0, 0, 0, 255]);
  const white = blendHeatmap([255, 255, 255], { map: [0], range: [0, 1], table, opacity: 1 });
  assert(white[0] > 240, `greys starts near white, found ${white[0]}`);
});
