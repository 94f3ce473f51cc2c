import { assertAlmostEquals, assertEquals, assertThrows } from "../metrics/_assert.ts";
import { buildHnswIndex, exactNearest, nearestDistances, searchHnsw } from "../../src/inspect/nearest.ts";
import { Rng } from "../../src/util/rng.ts";

/** Random vectors around a few cluster centres, scaled like an untrained encoder's (|h| ~ 0.03). */
function randomVectors(rng: Rng, count: number, dim: number, scale = 0.03): Float32Array {
  const centres = Array.from({ length: 8 }, () => Array.from({ length: dim }, () => rng.normal()));
  const v = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const c = centres[rng.int(centres.length)];
    for (let d = 0; d < dim; d++) v[i * dim + d] = scale * (c[d] + 0.05 * rng.normal());
  }
  return v;
}

/** Nearest neighbour by definition, in float64, first index on ties. */
function bruteNearest(bank: Float32Array, queries: Float32Array, dim: number) {
  const n = bank.length / dim, m = queries.length / dim;
  const distances = new Float64Array(m), indices = new Uint32Array(m);
  for (let q = 0; q < m; q++) {
    let best = Infinity;
    for (let b = 0; b < n; b++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (queries[q * dim + d] - bank[b * dim + d]) ** 2;
      if (s < best) [best, indices[q]] = [s, b];
    }
    distances[q] = Math.sqrt(best);
  }
  return { distances, indices };
}

Deno.test("exactNearest() finds the brute-force neighbour and distance, for tiny distances and any dim", () => {
  const rng = new Rng(51);
  for (const [n, m, dim] of [[1300, 200, 64], [700, 130, 10], [1, 3, 5], [40, 0, 16]]) {
    const bank = randomVectors(rng, n, dim), queries = randomVectors(rng, m, dim);
    const got = exactNearest(bank, queries, dim), expected = bruteNearest(bank, queries, dim);
    assertEquals(got.indices, expected.indices);
    for (let q = 0; q < m; q++) {
      assertAlmostEquals(got.distances[q], expected.distances[q], 1e-7 * expected.distances[q]);
    }
  }
});

Deno.test("exactNearest() gives distance 0 for queries that are bank vectors", () => {
  const bank = randomVectors(new Rng(52), 600, 64);
  const { distances, indices } = exactNearest(bank, bank.slice(64 * 100, 64 * 180), 64);
  assertEquals(Array.from(distances).every((d) => d === 0), true);
  assertEquals(indices, Uint32Array.from({ length: 80 }, (_, i) => 100 + i));
});

Deno.test("searchHnsw() has high recall@1 and returns the square root of hnswlib's squared distance", () => {
  const rng = new Rng(53), dim = 32;
  const bank = randomVectors(rng, 3000, dim), queries = randomVectors(rng, 300, dim);
  const index = buildHnswIndex(bank, dim, { M: 16, efConstruction: 100, seed: 1 });
  const got = searchHnsw(index, queries, dim, 64);
  const exact = bruteNearest(bank, queries, dim);
  let hits = 0;
  for (let q = 0; q < 300; q++) {
    if (got.indices[q] === exact.indices[q]) hits++;
    // The reported distance is the true L2 distance to the vector it found.
    const found = bruteNearest(
      bank.subarray(got.indices[q] * dim, (got.indices[q] + 1) * dim),
      queries.subarray(q * dim, (q + 1) * dim),
      dim,
    );
    assertAlmostEquals(got.distances[q], found.distances[0], 1e-5 * found.distances[0]);
    if (!(got.distances[q] >= exact.distances[q] * (1 - 1e-5))) throw new Error("closer than the exact neighbour");
  }
  if (!(hits / 300 >= 0.97)) throw new Error(`recall@1 ${hits / 300} < 0.97`);
});

Deno.test("nearestDistances() uses an exact kernel when it returns a result and falls back to JS on null", async () => {
  const rng = new Rng(54), dim = 16;
  const bank = randomVectors(rng, 500, dim), queries = randomVectors(rng, 50, dim);
  const expected = exactNearest(bank, queries, dim).distances;
  assertEquals(await nearestDistances(bank, queries, dim, { method: "exact" }), expected);
  assertEquals(await nearestDistances(bank, queries, dim, { method: "exact", exactKernel: () => null }), expected);
  const marker = new Float32Array(50).fill(7);
  assertEquals(await nearestDistances(bank, queries, dim, { method: "exact", exactKernel: () => marker }), marker);
  const approx = await nearestDistances(bank, queries, dim, { method: "hnsw", efSearch: 100 });
  for (let q = 0; q < 50; q++) if (!(approx[q] >= expected[q] * (1 - 1e-5))) throw new Error("hnsw beat exact");
});

Deno.test("nearestDistances() rejects vectors that do not match dim", async () => {
  assertThrows(() => exactNearest(new Float32Array(10), new Float32Array(4), 4), RangeError, "multiple of dim 4");
  assertThrows(() => buildHnswIndex(new Float32Array(0), 4), RangeError, "at least 1 memory bank");
  let caught: unknown;
  await nearestDistances(new Float32Array(8), new Float32Array(3), 4, { method: "exact" }).catch((e) => (caught = e));
  assertEquals(caught instanceof RangeError, true);
});

Deno.test("buildHnswIndex() inserts each distinct vector once, labelled by its first row, or the rows given", () => {
  const bank = new Float32Array([0, 0, 5, 5, 0, 0, 0, 0, 9, 1]);
  const index = buildHnswIndex(bank, 2);
  assertEquals(index.getCurrentCount(), 3);
  assertEquals(index.getIdsList().sort(), [0, 1, 4]);
  assertEquals(searchHnsw(index, new Float32Array([0, 0.5]), 2).indices, Uint32Array.of(0));
  const some = buildHnswIndex(bank, 2, { rows: Uint32Array.of(2, 4) });
  assertEquals(some.getIdsList().sort(), [2, 4]);
  assertEquals(searchHnsw(some, new Float32Array([0, 0.5]), 2).indices, Uint32Array.of(2));
  assertThrows(() => buildHnswIndex(bank, 2, { rows: [5] }), RangeError, "rows in 0..4");
});
