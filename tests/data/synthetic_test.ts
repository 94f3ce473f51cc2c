import { join } from "node:path";
import { DataError } from "../../src/errors.ts";
import { DecodeCache } from "../../src/data/cache.ts";
import { decodeImage, decodeMask } from "../../src/data/decode.ts";
import { loadDataset } from "../../src/data/dataset.ts";
import { generateSynthetic, SYNTHETIC_MANIFEST, type SyntheticOptions } from "../../src/data/synthetic.ts";
import { assert, assertRejectsWith, withTempDir, writeBytes } from "./_helpers.ts";

/** Small and fast: 64 px, a handful of images. */
const SMALL: SyntheticOptions = { size: 64, numTrain: 3, numTestGood: 2, numTestDefect: 2, seed: 5 };

async function pixelsOf(paths: string[]): Promise<Float32Array[]> {
  return await Promise.all(paths.map(async (p) => (await decodeImage(p, 64)).data));
}

Deno.test("generateSynthetic() writes the MVTec layout with the requested counts and a manifest", async () => {
  await withTempDir(async (root) => {
    const summary = await generateSynthetic(root, SMALL);
    assert.equal(summary.generated, true);
    assert.equal(summary.category, "synthetic_texture");
    assert.equal(summary.dir, join(root, "synthetic_texture"));
    assert.deepEqual(summary.defects, ["crack", "scratch", "spot"]);
    assert.equal(summary.index.train.length, 3);
    assert.equal(summary.index.test.length, 2 + 3 * 2);
    assert.deepEqual(summary.index.test.map((s) => s.defect), [
      "crack",
      "crack",
      "scratch",
      "scratch",
      "spot",
      "spot",
      "good",
      "good",
    ]);
    assert.ok(summary.index.test.every((s) => (s.label === 1) === (s.maskPath !== null)));
    const manifest = JSON.parse(await Deno.readTextFile(join(summary.dir, SYNTHETIC_MANIFEST)));
    assert.deepEqual(manifest.params, summary.params);
    assert.equal(summary.params.kind, "texture");
  });
});

Deno.test("generateSynthetic() is deterministic for a seed and differs for another seed", async () => {
  await withTempDir(async (root) => {
    const a = await generateSynthetic(join(root, "a"), SMALL);
    const b = await generateSynthetic(join(root, "b"), SMALL);
    const c = await generateSynthetic(join(root, "c"), { ...SMALL, seed: 6 });
    const all = (s: typeof a) => [...s.index.train, ...s.index.test].map((x) => x.path);
    const [pa, pb, pc] = await Promise.all([pixelsOf(all(a)), pixelsOf(all(b)), pixelsOf(all(c))]);
    assert.deepEqual(pa, pb);
    assert.notDeepEqual(pa, pc);
    const masks = (s: typeof a) => s.index.test.filter((x) => x.maskPath).map((x) => Deno.readFile(x.maskPath!));
    assert.deepEqual(await Promise.all(masks(a)), await Promise.all(masks(b)));
  });
});

Deno.test("generateSynthetic() masks are 0/255 and non-empty exactly for defect images", async () => {
  await withTempDir(async (root) => {
    for (const kind of ["texture", "object"] as const) {
      const summary = await generateSynthetic(root, { ...SMALL, kind, category: kind });
      for (const s of summary.index.test.filter((x) => x.label === 1)) {
        const mask = await decodeMask(s.maskPath!, 64);
        assert.equal(mask.nonBinary, false, `${s.maskPath} is exactly 0/255`);
        const area = mask.data.reduce((a, b) => a + b, 0) / (64 * 64);
        assert.ok(area > 0 && area < 0.1, `${s.maskPath}: defect area ${area} is local`);
      }
      // Through the loader: good test images get all-zero masks, defects non-empty ones.
      const ds = await loadDataset(root, kind, { size: 64, cache: new DecodeCache(null) });
      ds.test.samples.forEach((s, i) => {
        const sum = ds.test.masks!.subarray(i * 64 * 64, (i + 1) * 64 * 64).reduce((a, b) => a + b, 0);
        assert.equal(sum > 0, s.label === 1, `${s.path}`);
      });
    }
  });
});

Deno.test("generateSynthetic() makes defects stand out from the normal images", async () => {
  await withTempDir(async (root) => {
    const summary = await generateSynthetic(root, { ...SMALL, numTestDefect: 3, size: 128 });
    const ds = await loadDataset(root, summary.category, { size: 128, cache: new DecodeCache(null) });
    const px = 128 * 128;
    // Mean absolute deviation from the train mean image, inside the defect vs outside it.
    let inside = 0, nInside = 0, outside = 0, nOutside = 0;
    ds.test.samples.forEach((s, i) => {
      if (s.label === 0) return;
      for (let p = 0; p < px; p++) {
        let d = 0;
        for (let c = 0; c < 3; c++) d += Math.abs(ds.test.images[(i * px + p) * 3 + c] - ds.meanImage[p * 3 + c]);
        if (ds.test.masks![i * px + p]) (inside += d, nInside++);
        else (outside += d, nOutside++);
      }
    });
    assert.ok(
      inside / nInside > 2 * (outside / nOutside),
      `inside ${inside / nInside} vs outside ${outside / nOutside}`,
    );
  });
});

Deno.test("generateSynthetic() leaves an identical dataset untouched and regenerates on other parameters", async () => {
  await withTempDir(async (root) => {
    const first = await generateSynthetic(root, SMALL);
    const file = first.index.train[0].path;
    const before = (await Deno.stat(file)).mtime!.getTime();
    const again = await generateSynthetic(root, SMALL);
    assert.equal(again.generated, false);
    assert.equal((await Deno.stat(file)).mtime!.getTime(), before);
    const other = await generateSynthetic(root, { ...SMALL, numTrain: 4 });
    assert.equal(other.generated, true);
    assert.equal(other.index.train.length, 4);
    const leftovers = [];
    for await (const e of Deno.readDir(root)) leftovers.push(e.name);
    assert.deepEqual(leftovers, ["synthetic_texture"], "no temporary folders left");
  });
});

Deno.test("generateSynthetic() refuses to overwrite a folder it did not make", async () => {
  await withTempDir(async (root) => {
    await writeBytes(join(root, "mine", "train", "good", "keep.txt"), "precious");
    await assertRejectsWith(
      generateSynthetic(root, { ...SMALL, category: "mine" }),
      DataError,
      join(root, "mine"),
      "not made by the synthetic generator",
    );
    assert.equal(await Deno.readTextFile(join(root, "mine", "train", "good", "keep.txt")), "precious");
  });
});

Deno.test("generateSynthetic({ grayscale }) writes single-channel images for both kinds", async () => {
  await withTempDir(async (root) => {
    for (const kind of ["texture", "object"] as const) {
      const summary = await generateSynthetic(root, { ...SMALL, kind, grayscale: true, category: `gray_${kind}` });
      assert.deepEqual(
        summary.defects,
        kind === "texture" ? ["crack", "scratch", "spot"] : ["missing", "scratch", "spot"],
      );
      for (const s of [...summary.index.train, ...summary.index.test]) {
        assert.equal((await decodeImage(s.path, 64)).channels, 1, s.path);
      }
    }
  });
});

Deno.test("generateSynthetic() rejects out-of-range options", async () => {
  await withTempDir(async (root) => {
    await assert.rejects(generateSynthetic(root, { size: 32 }), RangeError);
    await assert.rejects(generateSynthetic(root, { numTrain: 0 }), RangeError);
    await assert.rejects(generateSynthetic(root, { category: "../x" }), RangeError);
    await assert.rejects(generateSynthetic(root, { numTestGood: 0, numTestDefect: 0 }), RangeError);
  });
});
