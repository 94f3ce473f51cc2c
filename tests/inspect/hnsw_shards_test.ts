import { assertEquals, assertThrows } from "../metrics/_assert.ts";
import { buildShardedHnsw, mergeNearest, shardRows } from "../../src/inspect/hnsw_shards.ts";
import { exactNearest } from "../../src/inspect/nearest.ts";
import { Rng } from "../../src/util/rng.ts";

/** Gaussian vectors around a common offset, scaled like an untrained encoder's codes. */
function codes(rng: Rng, count: number, dim: number): Float32Array {
  return Float32Array.from({ length: count * dim }, (_, i) => 0.03 * (i % 3) + 1e-3 * rng.normal());
}

Deno.test("shardRows() splits the rows into contiguous runs that cover each row once", () => {
  const rows = Uint32Array.of(0, 2, 3, 5, 8, 9, 11);
  assertEquals(shardRows(rows, 1), [rows]);
  assertEquals(shardRows(rows, 2), [Uint32Array.of(0, 2, 3), Uint32Array.of(5, 8, 9, 11)]);
  assertEquals(shardRows(rows, 3).map((r) => r.length), [2, 2, 3]);
  assertEquals(shardRows(Uint32Array.of(4), 2), [new Uint32Array(0), Uint32Array.of(4)]);
  assertThrows(() => shardRows(rows, 0), RangeError, "positive integer");
});

Deno.test("mergeNearest() keeps each query's nearest answer and the first shard's on a tie", () => {
  const merged = mergeNearest([
    { distances: Float32Array.of(1, 2, 3), indices: Uint32Array.of(10, 11, 12) },
    { distances: Float32Array.of(0.5, 2, 4), indices: Uint32Array.of(20, 21, 22) },
    { distances: Float32Array.of(0.7, 1, 5), indices: Uint32Array.of(30, 31, 32) },
  ]);
  assertEquals(merged, { distances: Float32Array.of(0.5, 1, 3), indices: Uint32Array.of(20, 31, 12) });
  assertThrows(() => mergeNearest([]), RangeError, "at least one");
  assertThrows(
    () =>
      mergeNearest([
        { distances: Float32Array.of(1), indices: Uint32Array.of(0) },
        { distances: Float32Array.of(1, 2), indices: Uint32Array.of(0, 1) },
      ]),
    RangeError,
    "answer 1 queries",
  );
});

Deno.test("buildShardedHnsw() with two workers finds the exact neighbours of a small bank and labels them by bank row", async () => {
  const rng = new Rng(7), dim = 16;
  const bank = codes(rng, 1500, dim), queries = codes(rng, 200, dim);
  bank.copyWithin(1400 * dim, 0, 100 * dim); // rows 1400..1499 repeat rows 0..99
  const index = await buildShardedHnsw(bank, dim, { shards: 2, M: 16, efConstruction: 200, seed: 3 });
  try {
    assertEquals([index.shards, index.vectors], [2, 1400]);
    const got = await index.search(queries, dim, 400);
    const exact = exactNearest(bank, queries, dim);
    assertEquals(got.indices, exact.indices);
    for (let q = 0; q < 200; q++) {
      if (Math.abs(got.distances[q] - exact.distances[q]) > 1e-5 * exact.distances[q]) {
        throw new Error(`query ${q}: ${got.distances[q]} != ${exact.distances[q]}`);
      }
    }
    // A bank vector's copy is found at the first occurrence's row.
    const copy = await index.search(bank.slice(1450 * dim, 1451 * dim), dim, 64);
    assertEquals([copy.distances[0], copy.indices[0]], [0, 50]);
  } finally {
    index.close();
  }
});

Deno.test("buildShardedHnsw() gives the same answers on every build for a seed, in shards or in this thread", async () => {
  const rng = new Rng(8), dim = 8;
  const bank = codes(rng, 3000, dim), queries = codes(rng, 500, dim);
  const answers = async (shards: number) => {
    const index = await buildShardedHnsw(bank, dim, { shards, M: 4, efConstruction: 8, seed: 1 });
    try {
      return await index.search(queries, dim, 2);
    } finally {
      index.close();
    }
  };
  assertEquals(await answers(2), await answers(2));
  assertEquals(await answers(1), await answers(1));
});

Deno.test("buildShardedHnsw() reports build and search progress summed over the shards", async () => {
  const rng = new Rng(9), dim = 4;
  const bank = codes(rng, 20000, dim);
  const seen: [string, number, number][] = [];
  const index = await buildShardedHnsw(bank, dim, {
    shards: 2,
    M: 4,
    efConstruction: 8,
    onProgress: (phase, done, total) => seen.push([phase, done, total]),
  });
  try {
    await index.search(codes(rng, 10, dim), dim, 4, (phase, done, total) => seen.push([phase, done, total]));
  } finally {
    index.close();
  }
  const last = (phase: string) => seen.filter((s) => s[0] === phase).at(-1);
  assertEquals(last("build"), ["build", 20000, 20000]);
  assertEquals(last("search"), ["search", 20, 20]);
});

Deno.test("buildShardedHnsw() rejects a bad shard count or bank, a second search under way and a closed index", async () => {
  const bank = new Float32Array(64);
  for (const shards of [0, 1.5, -1]) {
    let caught: unknown;
    await buildShardedHnsw(bank, 4, { shards }).catch((e) => (caught = e));
    assertEquals(caught instanceof RangeError, true, `shards ${shards}`);
  }
  let caught: unknown;
  await buildShardedHnsw(new Float32Array(6), 4, { shards: 2 }).catch((e) => (caught = e));
  assertEquals(caught instanceof RangeError, true);
  const index = await buildShardedHnsw(Float32Array.from({ length: 64 }, (_, i) => i), 4, { shards: 2 });
  const first = index.search(new Float32Array(4), 4);
  caught = undefined;
  await index.search(new Float32Array(4), 4).catch((e) => (caught = e));
  assertEquals(String(caught), "Error: hnsw shard: one search at a time");
  assertEquals((await first).indices, Uint32Array.of(0));
  index.close();
  index.close();
  caught = undefined;
  await index.search(new Float32Array(4), 4).catch((e) => (caught = e));
  assertEquals(String(caught), "Error: hnsw shard: the index is closed");
});
