import sharp from "sharp";
import { encodePng, pngDataUri } from "../../../src/lab/plot/mod.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";

Deno.test("encodePng() output decodes (sharp) to the same RGBA pixels", async () => {
  const width = 5, height = 3;
  const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37) % 256);
  const { data, info } = await sharp(encodePng(rgba, width, height)).raw().toBuffer({ resolveWithObject: true });
  assertEquals([info.width, info.height, info.channels], [width, height, 4]);
  assertEquals([...data], [...rgba]);
});

Deno.test("encodePng() rejects a buffer whose length disagrees with the size", () => {
  assertThrows(() => encodePng(new Uint8Array(7), 1, 2), RangeError);
  assertThrows(() => encodePng(new Uint8Array(0), 0, 0), RangeError);
});

Deno.test("pngDataUri() is a base64 PNG data URI", () => {
  const uri = pngDataUri(new Uint8Array([1, 2, 3, 255]), 1, 1);
  assert(uri.startsWith("data:image/png;base64,iVBORw0KGgo"));
});
