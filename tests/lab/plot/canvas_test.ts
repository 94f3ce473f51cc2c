import sharp from "sharp";
import { CanvasShim, parseColor, plotDocument, type PlotElement } from "../../../src/lab/plot/mod.ts";
import { assertEquals, assertThrows } from "../../assert.ts";

Deno.test("parseColor() reads rgb(), rgba(), #rrggbb, #rgb and a few names", () => {
  assertEquals(parseColor("rgb(10, 20, 30)"), [10, 20, 30, 255]);
  assertEquals(parseColor("rgba(10, 20, 30, 0.5)"), [10, 20, 30, 128]);
  assertEquals(parseColor("#ff8000"), [255, 128, 0, 255]);
  assertEquals(parseColor("#f80"), [255, 136, 0, 255]);
  assertEquals(parseColor("white"), [255, 255, 255, 255]);
  assertThrows(() => parseColor("hsl(0, 100%, 50%)"), TypeError);
});

Deno.test("CanvasShim draws fillRect and putImageData into the PNG of toDataURL()", async () => {
  const canvas = new CanvasShim();
  canvas.width = 4;
  canvas.height = 1;
  const context = canvas.getContext("2d")!;
  context.fillStyle = "#ff0000";
  context.fillRect(0, 0, 2, 1);
  const image = context.createImageData(1, 1);
  image.data.set([0, 0, 255, 255]);
  context.putImageData(image, 3, 0);
  const png = Uint8Array.from(atob(canvas.toDataURL().split(",")[1]), (c) => c.charCodeAt(0));
  const { data } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  assertEquals([...data], [255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 255]);
});

Deno.test("plotDocument() creates canvases as shims and other elements as linkedom's", () => {
  const document = plotDocument();
  assertEquals(document.createElement("canvas") instanceof CanvasShim, true);
  assertEquals((document.createElement("div") as PlotElement).tagName, "DIV");
});
