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
