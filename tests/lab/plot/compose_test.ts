import { Figure, grid, stack, swatchLegend, textBlock, titled, wrapText } from "../../../src/lab/plot/mod.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";

Deno.test("stack() sums sizes along its direction and takes the maximum across", () => {
  const a = new Figure("", 10, 20), b = new Figure("", 30, 5);
  const row = stack([a, b], { direction: "row", gap: 2 });
  assertEquals([row.width, row.height], [42, 20]);
  const column = stack([a, b], { gap: 2, padding: 1 });
  assertEquals([column.width, column.height], [32, 29]);
  assertThrows(() => stack([]), RangeError);
});

Deno.test("grid() lays figures out row by row", () => {
  const cells = Array.from({ length: 5 }, () => new Figure("", 10, 10));
  const g = grid(cells, 2, 0);
  assertEquals([g.width, g.height], [20, 30]);
});

Deno.test("wrapText() breaks at spaces so that lines fit", () => {
  assertEquals(wrapText("aaaa bbbb cccc", 60, 10), ["aaaa bbbb", "cccc"]);
  assertEquals(wrapText("one\ntwo", 1000, 10), ["one", "two"]);
});

Deno.test("textBlock() and titled() escape text and keep the title, legend and caption", async () => {
  const body = textBlock("L_SVDD' < L_SSL & more");
  assert(body.svg.includes("L_SVDD&apos; &lt; L_SSL &amp; more"));
  const figure = titled(new Figure("", 300, 100), {
    title: "Title",
    subtitle: "Subtitle",
    caption: "Caption",
    legends: [swatchLegend([{ label: "ours", color: "#4269d0" }, { label: "paper", shape: "tick" }])],
  });
  await assertFigure(figure, [">Title</text>", ">Subtitle</text>", ">Caption</text>", ">ours</text>", ">paper</text>"]);
});
