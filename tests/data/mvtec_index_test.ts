import { join } from "node:path";
import { DataError } from "../../src/errors.ts";
import { indexCategory, isImageFile } from "../../src/data/mvtec_index.ts";
import { assert, assertRejectsWith, makeLayout, withTempDir, writeBytes, writeImage } from "./_helpers.ts";

Deno.test("indexCategory() lists train sorted, then test as defects sorted by full path followed by good", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", {
      train: ["002.png", "000.png", "001.png"],
      test: {
        good: ["001.png", "000.png"],
        crack: ["001.png", "000.png"],
        blob: ["000.png"],
        blob2: ["000.png"],
      },
    });
    const index = await indexCategory(root, "widget");
    assert.equal(index.root, root);
    assert.equal(index.category, "widget");
    assert.deepEqual(
      index.train.map((s) => s.path),
      ["000", "001", "002"].map((n) => join(dir, "train/good", `${n}.png`)),
    );
    assert.deepEqual(
      index.test.map((s) => s.path.slice(dir.length + 1)),
      [
        "test/blob/000.png",
        "test/blob2/000.png",
        "test/crack/000.png",
        "test/crack/001.png",
        "test/good/000.png",
        "test/good/001.png",
      ],
    );
    assert.deepEqual(index.test.map((s) => s.label), [1, 1, 1, 1, 0, 0]);
    assert.deepEqual(index.test.map((s) => s.defect), ["blob", "blob2", "crack", "crack", "good", "good"]);
    assert.ok(index.train.every((s) => s.split === "train" && s.label === 0 && s.defect === "good"));
    assert.ok(index.test.every((s) => s.split === "test"));
  });
});

Deno.test("indexCategory() pairs each defect image with ground_truth/<defect>/<name>_mask and good with null", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget");
    const index = await indexCategory(root, "widget");
    for (const s of index.test) {
      if (s.label === 0) assert.equal(s.maskPath, null);
      else {
        const name = s.path.split("/").at(-1)!.replace(".png", "_mask.png");
        assert.equal(s.maskPath, join(dir, "ground_truth", s.defect, name));
      }
    }
  });
});

Deno.test("indexCategory() accepts .png, .jpg and .jpeg in any case and ignores hidden and non-image files", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", { train: ["000.png"], test: { good: ["000.png"] } });
    await writeImage(join(dir, "train/good/001.JPG"), { format: "jpeg" });
    await writeImage(join(dir, "train/good/002.jpeg"), { format: "jpeg" });
    await writeBytes(join(dir, "train/good/.DS_Store"), "junk");
    await writeBytes(join(dir, "train/good/readme.txt"), "notes");
    await writeBytes(join(dir, "train/good/._003.png"), "resource fork");
    await writeBytes(join(root, "readme.txt"), "dataset notes");
    const index = await indexCategory(root, "widget");
    assert.deepEqual(index.train.map((s) => s.path.split("/").at(-1)), ["000.png", "001.JPG", "002.jpeg"]);
    assert.ok(isImageFile("a.PNG") && isImageFile("b.Jpeg") && !isImageFile(".x.png") && !isImageFile("c.bmp"));
  });
});

Deno.test("indexCategory() reports a missing dataset root with the path and the fix", async () => {
  await withTempDir(async (root) => {
    await assertRejectsWith(
      indexCategory(join(root, "nope"), "bottle"),
      DataError,
      join(root, "nope"),
      "does not exist",
    );
  });
});

Deno.test("indexCategory() reports a missing category and lists the categories that exist", async () => {
  await withTempDir(async (root) => {
    await makeLayout(root, "bottle");
    await makeLayout(root, "cable");
    await assertRejectsWith(
      indexCategory(root, "carpet"),
      DataError,
      "'carpet'",
      "available categories: bottle, cable",
    );
  });
});

Deno.test("indexCategory() reports a missing or empty train/good folder", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", { train: [] });
    await Deno.mkdir(join(dir, "train", "good"), { recursive: true });
    await writeBytes(join(dir, "train/good/readme.txt"), "no images here");
    await assertRejectsWith(indexCategory(root, "widget"), DataError, join(dir, "train", "good"), "found none");
    await Deno.remove(join(dir, "train"), { recursive: true });
    await assertRejectsWith(indexCategory(root, "widget"), DataError, join(dir, "train", "good"), "missing");
  });
});

Deno.test("indexCategory() reports a missing test folder", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", { test: {} });
    await assertRejectsWith(indexCategory(root, "widget"), DataError, join(dir, "test"), "missing");
  });
});

Deno.test("indexCategory() reports a defect image without its mask, naming the expected mask", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", {
      test: { good: ["000.png"], crack: ["000.png", "001.png"] },
      masks: { crack: ["000_mask.png"] },
    });
    await assertRejectsWith(
      indexCategory(root, "widget"),
      DataError,
      join(dir, "test/crack/001.png"),
      join(dir, "ground_truth/crack/001_mask.png"),
    );
    const index = await indexCategory(root, "widget", { requireMasks: false });
    assert.equal(index.test[1].maskPath, null);
  });
});

Deno.test("indexCategory() reports a mask without its image", async () => {
  await withTempDir(async (root) => {
    const dir = await makeLayout(root, "widget", {
      test: { good: ["000.png"], crack: ["000.png"] },
      masks: { crack: ["000_mask.png", "007_mask.png"] },
    });
    await assertRejectsWith(
      indexCategory(root, "widget"),
      DataError,
      join(dir, "ground_truth/crack/007_mask.png"),
      "has no image",
    );
  });
});
