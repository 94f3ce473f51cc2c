import { join } from "node:path";
import { DataError } from "../../src/errors.ts";
import { decodeImage, decodeMask } from "../../src/data/decode.ts";
import { assert, assertRejectsWith, rawPixels, rectMask, withTempDir, writeBytes, writeImage } from "./_helpers.ts";

Deno.test("decodeImage() returns the exact bytes of an image already at the target size, in HWC order", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a.png");
    await writeImage(path, { width: 16, height: 16, channels: 3 });
    const image = await decodeImage(path, 16);
    assert.deepEqual(image.data, Float32Array.from(rawPixels({ width: 16, height: 16, channels: 3 })));
    assert.equal(image.channels, 3);
    assert.equal(image.originalWidth, 16);
    assert.equal(image.originalHeight, 16);
  });
});

Deno.test("decodeImage() tiles a grayscale image to 3 equal channels", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "gray.png");
    await writeImage(path, { channels: 1 });
    const image = await decodeImage(path, 16);
    assert.equal(image.channels, 1);
    const gray = rawPixels({ channels: 1 });
    for (let p = 0; p < 16 * 16; p++) {
      assert.equal(image.data[3 * p], gray[p]);
      assert.equal(image.data[3 * p + 1], gray[p]);
      assert.equal(image.data[3 * p + 2], gray[p]);
    }
  });
});

Deno.test("decodeImage() drops the alpha channel of RGBA and gray+alpha images", async () => {
  await withTempDir(async (dir) => {
    await writeImage(join(dir, "rgba.png"), { channels: 4, pixel: (_x, _y, c) => [10, 20, 30, 128][c] });
    await writeImage(join(dir, "ga.png"), { channels: 2, pixel: (_x, _y, c) => [77, 0][c] });
    const rgba = await decodeImage(join(dir, "rgba.png"), 16);
    assert.equal(rgba.channels, 3);
    assert.deepEqual(Array.from(rgba.data.subarray(0, 6)), [10, 20, 30, 10, 20, 30]);
    const ga = await decodeImage(join(dir, "ga.png"), 16);
    assert.equal(ga.channels, 1);
    assert.ok(ga.data.every((v) => v === 77));
  });
});

Deno.test("decodeImage() accepts JPEG input", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a.jpg");
    await writeImage(path, { width: 24, height: 24, format: "jpeg", pixel: () => 120 });
    const image = await decodeImage(path, 24);
    assert.equal(image.data.length, 24 * 24 * 3);
    assert.ok(image.data.every((v) => Math.abs(v - 120) <= 2), "a flat JPEG stays flat");
  });
});

Deno.test("decodeImage() resizes non-square, non-target sizes to size x size with a bicubic filter", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "wide.png");
    // Left half dark, right half bright: bicubic keeps the halves and overshoots slightly at the edge.
    await writeImage(path, { width: 40, height: 30, pixel: (x) => (x < 20 ? 40 : 200) });
    const image = await decodeImage(path, 32);
    assert.equal(image.originalWidth, 40);
    assert.equal(image.originalHeight, 30);
    assert.equal(image.data.length, 32 * 32 * 3);
    const at = (x: number, y: number) => image.data[3 * (y * 32 + x)];
    assert.equal(at(2, 10), 40);
    assert.equal(at(29, 10), 200);
    assert.ok(at(15, 10) < 40 || at(16, 10) > 200 || (at(15, 10) > 40 && at(15, 10) < 200), "edge is interpolated");
    assert.ok(image.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 255));
  });
});

Deno.test("decodeImage() names a corrupt PNG and suggests --skip-bad", async () => {
  await withTempDir(async (dir) => {
    const garbage = join(dir, "garbage.png");
    await writeBytes(garbage, new Uint8Array(200).fill(7));
    await assertRejectsWith(decodeImage(garbage, 16), DataError, garbage, "not a readable image", "--skip-bad");
    const good = join(dir, "good.png");
    await writeImage(good, { width: 64, height: 64 });
    const bytes = await Deno.readFile(good);
    const truncated = join(dir, "truncated.png");
    await writeBytes(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assertRejectsWith(decodeImage(truncated, 16), DataError, truncated, "truncated or corrupt");
  });
});

Deno.test("decodeImage() reports a missing file as a DataError", async () => {
  await withTempDir(async (dir) => {
    await assertRejectsWith(decodeImage(join(dir, "none.png"), 16), DataError, join(dir, "none.png"), "does not exist");
  });
});

Deno.test("decodeMask() marks pixels > 128 as 1 and reports no warning for a binary mask of its image's size", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "m.png");
    await writeImage(path, { channels: 1, pixel: rectMask(2, 3, 6, 8) });
    const mask = await decodeMask(path, 16, { width: 16, height: 16 });
    assert.deepEqual(mask.warnings, []);
    assert.equal(mask.nonBinary, false);
    assert.equal(mask.data.reduce((a, b) => a + b, 0), 4 * 5);
    assert.equal(mask.data[3 * 16 + 2], 1);
    assert.equal(mask.data[0], 0);
  });
});

Deno.test("decodeMask() thresholds a non-binary mask at 128 and warns", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "soft.png");
    await writeImage(path, { channels: 1, pixel: (x) => (x < 8 ? 100 : 129) });
    const mask = await decodeMask(path, 16);
    assert.equal(mask.nonBinary, true);
    assert.equal(mask.warnings.length, 1);
    assert.ok(mask.warnings[0].includes(path) && mask.warnings[0].includes("not binary"));
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) assert.equal(mask.data[y * 16 + x], x < 8 ? 0 : 1);
  });
});

Deno.test("decodeMask() warns that a 0/1 mask is empty after thresholding", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "01.png");
    await writeImage(path, { channels: 1, pixel: (x) => (x < 8 ? 0 : 1) });
    const mask = await decodeMask(path, 16);
    assert.equal(mask.zeroOneValues, true);
    assert.ok(mask.warnings[0].includes("0 and 1"));
    assert.ok(mask.data.every((v) => v === 0));
  });
});

Deno.test("decodeMask() resizes a mask whose size differs from its image and warns", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "big.png");
    await writeImage(path, { width: 32, height: 32, channels: 1, pixel: rectMask(0, 0, 16, 32) });
    const mask = await decodeMask(path, 16, { width: 16, height: 16 });
    assert.equal(mask.data.length, 16 * 16);
    assert.equal(mask.originalWidth, 32);
    assert.ok(mask.warnings.some((w) => w.includes("32x32") && w.includes("16x16")));
    assert.equal(mask.data[5 * 16 + 2], 1);
    assert.equal(mask.data[5 * 16 + 13], 0);
  });
});

Deno.test("decodeMask() reads an RGB mask as gray", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "rgb_mask.png");
    await writeImage(path, { channels: 3, pixel: (x) => (x < 4 ? 255 : 0) });
    const mask = await decodeMask(path, 16);
    assert.equal(mask.data.reduce((a, b) => a + b, 0), 4 * 16);
  });
});
