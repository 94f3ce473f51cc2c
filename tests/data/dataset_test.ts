import { join } from "node:path";
import { DataError } from "../../src/errors.ts";
import { DecodeCache } from "../../src/data/cache.ts";
import { computeMeanImage, loadDataset, normalize } from "../../src/data/dataset.ts";
import { assert, assertRejectsWith, makeLayout, rectMask, withTempDir, writeBytes, writeImage } from "./_helpers.ts";

const S = 16; // image side in these tests

/** loadDataset with no on-disk cache and warnings collected. */
async function load(root: string, category: string, opts: Parameters<typeof loadDataset>[2] = {}) {
  const warnings: string[] = [];
  const ds = await loadDataset(root, category, {
    size: S,
    cache: new DecodeCache(null),
    onWarning: (m) => warnings.push(m),
    ...opts,
  });
  return { ds, warnings };
}

Deno.test("loadDataset() stacks train and test images with masks aligned to the test order", async () => {
  await withTempDir(async (root) => {
    await makeLayout(root, "widget", {
      train: ["000.png", "001.png"],
      test: { good: ["000.png"], crack: ["000.png", "001.png"] },
      image: { pixel: (x, y, c) => (x + y + c) % 256 },
    });
    const { ds, warnings } = await load(root, "widget");
    assert.deepEqual(warnings, []);
    assert.equal(ds.channels, 3);
    assert.equal(ds.train.images.length, 2 * S * S * 3);
    assert.equal(ds.train.masks, null);
    assert.equal(ds.test.images.length, 3 * S * S * 3);
    assert.equal(ds.test.masks!.length, 3 * S * S);
    assert.deepEqual(ds.test.samples.map((s) => `${s.defect}/${s.label}`), ["crack/1", "crack/1", "good/0"]);
    const maskSum = (i: number) => ds.test.masks!.subarray(i * S * S, (i + 1) * S * S).reduce((a, b) => a + b, 0);
    assert.deepEqual([maskSum(0), maskSum(1), maskSum(2)], [16, 16, 0], "4x4 defect masks, all-zero for good");
    assert.equal(ds.test.images[3 * (1 * S + 2) + 1], 1 + 2 + 1, "HWC: pixel (x=2, y=1), channel 1");
    assert.deepEqual(ds.index.test, ds.test.samples);
    assert.deepEqual(ds.skipped, []);
  });
});

Deno.test("loadDataset() computes the mean image of the TRAIN images only", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", { train: [], test: { good: ["000.png"] } });
    await writeImage(join(dir, "train/good/000.png"), { pixel: () => 10 });
    await writeImage(join(dir, "train/good/001.png"), { pixel: () => 31 });
    await writeImage(join(dir, "test/good/000.png"), { pixel: () => 250 });
    const { ds } = await load(root, "widget");
    assert.equal(ds.meanImage.length, S * S * 3);
    assert.ok(ds.meanImage.every((v) => v === 20.5));
  });
});

Deno.test("normalize() computes (x - mean) / 255 per pixel for a stack of images", () => {
  const mean = new Float32Array([10, 20, 30]);
  const images = new Float32Array([10, 20, 30, 265, 0, 285]);
  const out = normalize(images, mean);
  assert.deepEqual(Array.from(out), [0, 0, 0, 1, Math.fround(-20 / 255), 1]);
  assert.throws(() => normalize(new Float32Array(4), mean), RangeError);
});

Deno.test("computeMeanImage() averages images position by position", () => {
  const mean = computeMeanImage(new Float32Array([0, 1, 2, 4, 5, 6, 8, 9, 10]), 3);
  assert.deepEqual(Array.from(mean), [4, 5, 6]);
  assert.throws(() => computeMeanImage(new Float32Array(4), 3), RangeError);
});

Deno.test("loadDataset() names a corrupt PNG and suggests --skip-bad", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget");
    const bad = join(dir, "train/good/001.png");
    await writeBytes(bad, new Uint8Array(64).fill(3));
    await assertRejectsWith(load(root, "widget"), DataError, bad, "not a readable image", "--skip-bad");
  });
});

Deno.test("loadDataset({ skipBad }) skips unreadable images and masks with a warning and a final count", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", {
      train: ["000.png", "001.png", "002.png"],
      test: { good: ["000.png"], crack: ["000.png", "001.png"] },
    });
    await writeBytes(join(dir, "train/good/001.png"), "garbage");
    await writeBytes(join(dir, "ground_truth/crack/000_mask.png"), "garbage");
    const { ds, warnings } = await load(root, "widget", { skipBad: true });
    assert.deepEqual(ds.train.samples.map((s) => s.path.slice(dir.length + 1)), [
      "train/good/000.png",
      "train/good/002.png",
    ]);
    assert.equal(ds.train.images.length, 2 * S * S * 3);
    assert.deepEqual(ds.test.samples.map((s) => s.path.slice(dir.length + 1)), [
      "test/crack/001.png",
      "test/good/000.png",
    ]);
    assert.equal(ds.test.masks!.length, 2 * S * S);
    assert.equal(ds.test.masks!.subarray(0, S * S).reduce((a, b) => a + b, 0), 16, "masks stay aligned");
    assert.equal(ds.skipped.length, 2);
    assert.ok(warnings.some((w) => w.includes("train/good/001.png")));
    assert.ok(warnings.some((w) => w.includes("Skipped 2 unreadable file(s)")));
  });
});

Deno.test("loadDataset({ skipBad }) fails when no training image is left", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", { train: ["000.png"] });
    await writeBytes(join(dir, "train/good/000.png"), "garbage");
    await assertRejectsWith(load(root, "widget", { skipBad: true }), DataError, "training images", "train/good");
  });
});

Deno.test("loadDataset() resizes a mask of another size than its image and warns", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", { test: { good: ["000.png"], crack: ["000.png"] }, masks: {} });
    await writeImage(join(dir, "ground_truth/crack/000_mask.png"), {
      width: 32,
      height: 32,
      channels: 1,
      pixel: rectMask(0, 0, 16, 32),
    });
    const { ds, warnings } = await load(root, "widget");
    assert.equal(ds.test.masks!.subarray(0, S * S).reduce((a, b) => a + b, 0), 8 * 16);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0].includes("000_mask.png") && warnings[0].includes("32x32") && warnings[0].includes("16x16"));
  });
});

Deno.test("loadDataset() thresholds a non-binary mask at > 128 and warns", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", { test: { good: ["000.png"], crack: ["000.png"] }, masks: {} });
    await writeImage(join(dir, "ground_truth/crack/000_mask.png"), { channels: 1, pixel: (x) => (x < 4 ? 128 : 129) });
    const { ds, warnings } = await load(root, "widget");
    assert.equal(ds.test.masks!.subarray(0, S * S).reduce((a, b) => a + b, 0), 12 * 16);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0].includes("not binary"));
  });
});

Deno.test("loadDataset() rejects grayscale mixed with colour, naming one file of each", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", { train: ["000.png"], test: { good: ["000.png"] } });
    const gray = join(dir, "train/good/001.png");
    await writeImage(gray, { channels: 1 });
    await assertRejectsWith(
      load(root, "widget"),
      DataError,
      gray,
      join(dir, "train/good/000.png"),
      "convert them to one mode or pass --allow-mixed-channels",
    );
    const { ds, warnings } = await load(root, "widget", { allowMixedChannels: true });
    assert.equal(ds.channels, 3);
    assert.ok(warnings.some((w) => w.includes("tiled to 3 channels") && w.includes(gray)));
    const second = ds.train.images.subarray(S * S * 3, 2 * S * S * 3);
    for (let p = 0; p < S * S; p++) {
      assert.ok(second[3 * p] === second[3 * p + 1] && second[3 * p] === second[3 * p + 2]);
    }
  });
});

Deno.test("loadDataset() loads an all-grayscale category as 3 equal channels with channels = 1", async () => {
  await withTempDir(async (root) => {
    await makeLayout(root, "widget", { image: { channels: 1 } });
    const { ds, warnings } = await load(root, "widget");
    assert.deepEqual(warnings, []);
    assert.equal(ds.channels, 1);
    const x = ds.test.images;
    for (let p = 0; p < x.length / 3; p++) assert.ok(x[3 * p] === x[3 * p + 1] && x[3 * p] === x[3 * p + 2]);
  });
});

Deno.test("loadDataset() accepts JPEG images and resizes any input size to size x size", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", { train: [], test: { good: ["000.png"] }, image: { width: 40 } });
    await writeImage(join(dir, "train/good/000.jpg"), { width: 50, height: 30, format: "jpeg", pixel: () => 128 });
    await writeImage(join(dir, "train/good/001.JPEG"), { width: 8, height: 8, format: "jpeg", pixel: () => 128 });
    const { ds } = await load(root, "widget");
    assert.equal(ds.train.samples.length, 2);
    assert.equal(ds.train.images.length, 2 * S * S * 3);
    assert.ok(ds.train.images.every((v) => Math.abs(v - 128) <= 3));
    assert.equal(ds.test.images.length, S * S * 3);
  });
});

Deno.test("loadDataset() decodes each file once: a second load is served by the cache", async () => {
  await withTempDir(async (root) => {
    await makeLayout(root, "widget");
    const cacheDir = join(root, ".cache");
    const first = new DecodeCache(cacheDir);
    const a = await loadDataset(root, "widget", { size: S, cache: first });
    const files = 3 + 5 + 3; // train, test images, masks
    assert.deepEqual([first.stats.hits, first.stats.misses], [0, files]);
    const second = new DecodeCache(cacheDir);
    const progress: number[] = [];
    const b = await loadDataset(root, "widget", { size: S, cache: second, onProgress: (done) => progress.push(done) });
    assert.deepEqual([second.stats.hits, second.stats.misses], [files, 0]);
    assert.deepEqual(b.train.images, a.train.images);
    assert.deepEqual(b.test.images, a.test.images);
    assert.deepEqual(b.test.masks, a.test.masks);
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

// ---------------------------------------------------------------------------------------------
// The real bottle category, when present: $MVTEC_ROOT or ../shared/data/mvtec_ad from the project.

const projectRoot = new URL("../../", import.meta.url).pathname;
const mvtecRoot = Deno.env.get("MVTEC_ROOT") ?? join(projectRoot, "..", "shared", "data", "mvtec_ad");
const expectedOutputs = join(
  projectRoot,
  "..",
  "shared",
  "data",
  "reference_weights",
  "bottle_expected_outputs.safetensors",
);
const hasBottle = await Deno.stat(join(mvtecRoot, "bottle", "train")).then(() => true, () => false);

/** Minimal safetensors reader (F32 only): 8-byte LE header length, JSON header, raw LE data. */
async function readSafetensorsF32(path: string): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const bytes = await Deno.readFile(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: [start, end] } = entry as {
      dtype: string;
      shape: number[];
      data_offsets: [number, number];
    };
    if (dtype !== "F32") continue;
    const raw = bytes.slice(8 + headerLength + start, 8 + headerLength + end); // copy: aligned for Float32Array
    out.set(name, { shape, data: new Float32Array(raw.buffer, 0, (end - start) / 4) });
  }
  return out;
}

Deno.test({
  name: "loadDataset() on the real bottle category matches the reference's order, counts and preprocessing",
  ignore: !hasBottle,
  fn: async () => {
    const cacheDir = await Deno.makeTempDir({ prefix: "patchsvdd-bottle-cache-" });
    try {
      const ds = await loadDataset(mvtecRoot, "bottle", { cache: new DecodeCache(cacheDir) });
      assert.equal(ds.train.samples.length, 209);
      assert.equal(ds.test.samples.length, 83);
      assert.equal(ds.test.samples.filter((s) => s.maskPath !== null).length, 63);
      assert.ok(ds.test.samples[0].path.endsWith(join("bottle", "test", "broken_large", "000.png")));
      assert.deepEqual(ds.test.samples.slice(-20).map((s) => s.defect), Array(20).fill("good"));
      assert.equal(ds.channels, 3);
      const maskPixels = ds.test.masks!.reduce((a, b) => a + b, 0);
      assert.ok(maskPixels > 0);
      assert.ok(ds.test.masks!.subarray(63 * 256 * 256).every((v) => v === 0), "good images have empty masks");

      if (await Deno.stat(expectedOutputs).then(() => true, () => false)) {
        const ref = await readSafetensorsF32(expectedOutputs);
        const input = normalize(ds.test.images.subarray(0, 256 * 256 * 3), ds.meanImage);
        const expected = ref.get("input_broken_large_000")!;
        assert.deepEqual(expected.shape, [256, 256, 3]);
        let maxDiff = 0;
        for (let i = 0; i < input.length; i++) maxDiff = Math.max(maxDiff, Math.abs(input[i] - expected.data[i]));
        assert.ok(maxDiff <= 1e-5, `input differs from the reference by ${maxDiff}`);
        const mean = ref.get("train_mean_image")!;
        let meanDiff = 0;
        for (let i = 0; i < mean.data.length; i++) {
          meanDiff = Math.max(meanDiff, Math.abs(ds.meanImage[i] - mean.data[i]));
        }
        assert.ok(meanDiff <= 1e-3, `train mean image differs from the reference by ${meanDiff}`);
      }
    } finally {
      await Deno.remove(cacheDir, { recursive: true });
    }
  },
});
