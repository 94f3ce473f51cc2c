import { join } from "node:path";
import { DataError } from "../../src/errors.ts";
import { DecodeCache, defaultCacheDir } from "../../src/data/cache.ts";
import { decodeImage, decodeMask } from "../../src/data/decode.ts";
import { assert, assertRejectsWith, rectMask, withTempDir, writeBytes, writeImage } from "./_helpers.ts";

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

Deno.test("DecodeCache serves the second load of an image from disk with the same result", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a.png");
    await writeImage(path, { width: 20, height: 12, channels: 1 });
    const cacheDir = join(dir, "cache");
    const first = new DecodeCache(cacheDir);
    const a = await first.image(path, 16);
    assert.deepEqual(first.stats, { hits: 0, misses: 1, corrupt: 0, writeErrors: 0 });
    // A new cache object (as in a second run) finds the entry.
    const second = new DecodeCache(cacheDir);
    const b = await second.image(path, 16);
    assert.deepEqual(second.stats, { hits: 1, misses: 0, corrupt: 0, writeErrors: 0 });
    assert.deepEqual(b, a);
    assert.deepEqual(b, await decodeImage(path, 16));
    // A different target size is a different entry.
    await second.image(path, 8);
    assert.equal(second.stats.misses, 1);
    assert.ok((await entries(cacheDir)).every((n) => n.endsWith(".bin")), "no temporary files left behind");
  });
});

Deno.test("DecodeCache serves masks from disk and recomputes their warnings for the given image", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "m.png");
    await writeImage(path, { width: 32, height: 32, channels: 1, pixel: (x) => (x < 10 ? 0 : 200) });
    const cache = new DecodeCache(join(dir, "cache"));
    const a = await cache.mask(path, 16, { width: 32, height: 32 });
    assert.equal(a.warnings.length, 1, "non-binary only");
    const b = await cache.mask(path, 16, { width: 64, height: 64 });
    assert.equal(cache.stats.hits, 1);
    assert.deepEqual(b.data, a.data);
    assert.equal(b.warnings.length, 2, "non-binary and size mismatch");
    assert.deepEqual(b.data, (await decodeMask(path, 16)).data);
  });
});

Deno.test("DecodeCache decodes again after the file changes", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a.png");
    await writeImage(path, { pixel: () => 10 });
    const cache = new DecodeCache(join(dir, "cache"));
    await cache.image(path, 16);
    await writeImage(path, { width: 17, pixel: () => 90 }); // another size on disk, another mtime
    const image = await cache.image(path, 16);
    assert.equal(cache.stats.misses, 2);
    assert.ok(image.data.every((v) => v === 90));
  });
});

Deno.test("DecodeCache ignores a corrupt entry and rewrites it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a.png");
    await writeImage(path);
    const cacheDir = join(dir, "cache");
    const expected = await new DecodeCache(cacheDir).image(path, 16);
    const [entry] = await entries(cacheDir);
    const bytes = await Deno.readFile(join(cacheDir, entry));
    await Deno.writeFile(join(cacheDir, entry), bytes.subarray(0, bytes.length - 10)); // truncated
    const cache = new DecodeCache(cacheDir);
    assert.deepEqual(await cache.image(path, 16), expected);
    assert.deepEqual(cache.stats, { hits: 0, misses: 1, corrupt: 1, writeErrors: 0 });
    await writeBytes(join(cacheDir, entry), "garbage");
    await cache.image(path, 16);
    assert.equal(cache.stats.corrupt, 2);
    const again = new DecodeCache(cacheDir);
    assert.deepEqual(await again.image(path, 16), expected);
    assert.equal(again.stats.hits, 1, "the rewritten entry is valid");
  });
});

Deno.test("DecodeCache(null) decodes every time and writes nothing", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a.png");
    await writeImage(path);
    const cache = new DecodeCache(null);
    await cache.image(path, 16);
    await cache.image(path, 16);
    assert.deepEqual(cache.stats, { hits: 0, misses: 2, corrupt: 0, writeErrors: 0 });
  });
});

Deno.test("DecodeCache still reports an unreadable image as a DataError and caches nothing for it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "bad.png");
    await writeBytes(path, "not a png");
    const cacheDir = join(dir, "cache");
    await assertRejectsWith(new DecodeCache(cacheDir).image(path, 16), DataError, path);
    await assertRejectsWith(new DecodeCache(cacheDir).mask(join(dir, "none.png"), 16), DataError, "none.png");
    await assert.rejects(Deno.stat(cacheDir), Deno.errors.NotFound);
  });
});

Deno.test("defaultCacheDir() is $PATCHSVDD_CACHE when set, else <cwd>/.cache/decoded", () => {
  const saved = Deno.env.get("PATCHSVDD_CACHE");
  try {
    Deno.env.set("PATCHSVDD_CACHE", "/tmp/somewhere");
    assert.equal(defaultCacheDir(), "/tmp/somewhere");
    Deno.env.delete("PATCHSVDD_CACHE");
    assert.equal(defaultCacheDir(), join(Deno.cwd(), ".cache", "decoded"));
  } finally {
    if (saved === undefined) Deno.env.delete("PATCHSVDD_CACHE");
    else Deno.env.set("PATCHSVDD_CACHE", saved);
  }
});

Deno.test("DecodeCache counts a failed write and still returns the decoded image", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a.png");
    await writeImage(path, { pixel: rectMask(0, 0, 4, 4) });
    const blocker = join(dir, "blocker");
    await writeBytes(blocker, "a file where the cache folder should be");
    const cache = new DecodeCache(join(blocker, "cache"));
    const image = await cache.image(path, 16);
    assert.equal(image.data.length, 16 * 16 * 3);
    assert.equal(cache.stats.writeErrors, 1);
  });
});
