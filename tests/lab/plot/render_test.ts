import * as Plot from "@observablehq/plot";
import sharp from "sharp";
import { DEFAULT_DPI, Figure, JUPYTER_DISPLAY, renderPlot } from "../../../src/lab/plot/mod.ts";
import { assert, assertEquals } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";

const dots = [{ x: 1, y: 2, kind: "normal" }, { x: 2, y: 3, kind: "anomalous" }];

Deno.test("renderPlot() returns a standalone SVG with xmlns, a white background and our font family", async () => {
  const figure = renderPlot({ width: 300, height: 200, marks: [Plot.dot(dots, { x: "x", y: "y" })] });
  assertEquals([figure.width, figure.height], [300, 200]);
  assert(figure.svg.includes('<rect width="100%" height="100%" fill="white"/>'));
  await assertFigure(figure);
});

Deno.test("renderPlot() turns Plot's <figure> (title, subtitle, caption, swatch legend) into one SVG", async () => {
  const figure = renderPlot({
    title: "A title",
    subtitle: "A subtitle",
    caption: "A caption",
    color: { legend: true },
    marks: [Plot.dot(dots, { x: "x", y: "y", fill: "kind" })],
  });
  assert(!figure.svg.includes("<figure"), "no HTML left");
  assert(!figure.svg.includes("<h2"), "no HTML left");
  await assertFigure(figure, ["A title", "A subtitle", "A caption", ">normal</text>", ">anomalous</text>"]);
});

Deno.test("renderPlot() draws continuous colour legends and raster marks without a real canvas", async () => {
  const figure = renderPlot({
    color: { legend: true, type: "linear", scheme: "turbo", label: "score" },
    marks: [Plot.raster({ fill: (x: number, y: number) => x * y, x1: 0, y1: 0, x2: 1, y2: 1, width: 8, height: 8 })],
  });
  assert((figure.svg.match(/data:image\/png;base64,/g) ?? []).length >= 2, "ramp and raster embedded as PNG");
  await assertFigure(figure, ["score"]);
});

Deno.test("Figure.save() writes a non-empty .svg and a .png DEFAULT_DPI/72 times as wide", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const figure = renderPlot({ width: 333, height: 120, marks: [Plot.ruleY([0])] });
    const saved = await figure.save(`${dir}/sub/figure.svg`);
    assertEquals(saved, { svg: `${dir}/sub/figure.svg`, png: `${dir}/sub/figure.png` });
    assertEquals(await Deno.readTextFile(saved.svg), figure.svg);
    const meta = await sharp(await Deno.readFile(saved.png)).metadata();
    assertEquals(meta.format, "png");
    assertEquals(meta.width, Math.round((333 * DEFAULT_DPI) / 72));
    assertEquals(meta.height, Math.round((120 * DEFAULT_DPI) / 72));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Figure.save() accepts a path without extension and a dpi", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const saved = await new Figure('<circle cx="5" cy="5" r="4"/>', 100, 50).save(`${dir}/plain`, { dpi: 144 });
    assert((await Deno.stat(saved.svg)).size > 0);
    assertEquals((await sharp(await Deno.readFile(saved.png)).metadata()).width, 200);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Figure.toPng() renders on white, and text is drawn (dark pixels appear)", async () => {
  const blank = new Figure("", 80, 20);
  const text = new Figure('<text x="2" y="15" font-size="14">AUROC</text>', 80, 20);
  const dark = async (f: Figure) => {
    const { data } = await sharp(await f.toPng()).raw().toBuffer({ resolveWithObject: true });
    let n = 0;
    for (let i = 0; i < data.length; i += 3) if (data[i] < 128) n++;
    return n;
  };
  assertEquals(await dark(blank), 0);
  assert((await dark(text)) > 100);
});

Deno.test("Figure's Jupyter display symbol returns { 'image/svg+xml': svg }", () => {
  const figure = new Figure("", 10, 10);
  assertEquals(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
  const display = (figure as unknown as Record<symbol, () => Record<string, string>>)[Symbol.for("Jupyter.display")]();
  assertEquals(display, { "image/svg+xml": figure.svg });
});

Deno.test("Figure rejects a non-positive size", () => {
  let error: unknown;
  try {
    new Figure("", 0, 10);
  } catch (e) {
    error = e;
  }
  assert(error instanceof RangeError);
});
