/** makeVariant(): grayscale, rotated and shifted copies of a category in the MVTec layout. */

import { assert, assertEquals } from "../assert.ts";
import { join } from "node:path";
import sharp from "sharp";
import { makeVariant } from "../../src/data/variant.ts";
import { indexCategory } from "../../src/data/mvtec_index.ts";
import { makeLayout } from "./_helpers.ts";

const tmp = await Deno.makeTempDir({ prefix: "variant-" });

Deno.test("makeVariant(): same files, one channel with --gray, masks still binary, same size", async () => {
  const src = join(tmp, "src");
  await makeLayout(src, "cat");
  const out = join(tmp, "out");
  const summary = await makeVariant(src, "cat", out, "cat_gray_rot", { gray: true, rotate: true, seed: 1 });
  const a = await indexCategory(src, "cat"), b = await indexCategory(out, "cat_gray_rot");
  assertEquals(b.train.length, a.train.length);
  assertEquals(b.test.map((s) => s.defect), a.test.map((s) => s.defect));
  assertEquals(summary.images, a.train.length + a.test.length);
  const image = await sharp(b.test[0].path).metadata();
  const orig = await sharp(a.test[0].path).metadata();
  assertEquals([image.width, image.height, image.channels, orig.channels], [orig.width, orig.height, 1, 3]);
  const mask = await sharp(b.test[0].maskPath!).raw().toBuffer();
  assert(mask.every((v) => v === 0 || v === 255), "a mask stays binary after rotation");
});

Deno.test("makeVariant(): the same seed gives the same files, another seed other angles", async () => {
  const src = join(tmp, "src2");
  await makeLayout(src, "cat");
  const read = async (root: string, name: string) =>
    await Deno.readFile((await indexCategory(root, name)).train[0].path);
  await makeVariant(src, "cat", join(tmp, "o1"), "v", { rotate: true, seed: 3 });
  await makeVariant(src, "cat", join(tmp, "o2"), "v", { rotate: true, seed: 3 });
  await makeVariant(src, "cat", join(tmp, "o3"), "v", { rotate: true, seed: 4 });
  assertEquals(await read(join(tmp, "o1"), "v"), await read(join(tmp, "o2"), "v"));
  assert((await read(join(tmp, "o1"), "v")).join() !== (await read(join(tmp, "o3"), "v")).join());
});

Deno.test("makeVariant() --scale: the image shrinks onto a flat background of its border colour, the mask with it", async () => {
  const src = join(tmp, "src3");
  await makeLayout(src, "cat", {
    image: { width: 32, height: 32, pixel: (x, y) => (x > 8 && x < 24 && y > 8 && y < 24 ? 200 : 10) },
  });
  await makeVariant(src, "cat", join(tmp, "o4"), "v", { scale: 0.5, seed: 2 });
  const index = await indexCategory(join(tmp, "o4"), "v");
  const { data, info } = await sharp(index.train[0].path).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  assertEquals([info.width, info.height, (await sharp(index.train[0].path).metadata()).channels], [32, 32, 3]);
  const bright = data.filter((v) => v > 100).length;
  assert(bright >= 36 && bright <= 81, `bright pixels: ${bright}`);
  const mask = await sharp(index.test[0].maskPath!).extractChannel(0).raw().toBuffer();
  const inMask = mask.filter((v) => v === 255).length;
  assertEquals(inMask, 4 * 4 / 4, "the 4x4 mask square is 2x2 at half scale");
});

Deno.test("makeVariant() --noise: images get seeded pixel noise, masks none", async () => {
  const src = join(tmp, "src4");
  await makeLayout(src, "cat", { image: { pixel: () => 128 } });
  await makeVariant(src, "cat", join(tmp, "o5"), "v", { noise: 4, seed: 2 });
  const index = await indexCategory(join(tmp, "o5"), "v");
  const data = await sharp(index.train[0].path).raw().toBuffer();
  const mean = data.reduce((a, b) => a + b, 0) / data.length;
  const std = Math.sqrt(data.reduce((a, b) => a + (b - mean) ** 2, 0) / data.length);
  assert(Math.abs(mean - 128) < 1.5 && std > 3 && std < 5, `mean ${mean}, std ${std}`);
  const mask = await sharp(index.test[0].maskPath!).raw().toBuffer();
  assert(mask.every((v) => v === 0 || v === 255));
});
