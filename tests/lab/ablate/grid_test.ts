import { assert, assertEquals, assertNotEquals, assertThrows } from "../../assert.ts";
import { canonicalJson, cellHash, expandGrid, parseShard, shardCells } from "../../../src/lab/ablate/grid.ts";
import { DEFAULT_CONFIG } from "../../../src/config.ts";
import { parseSweep } from "../../../src/lab/ablate/schema.ts";

const folder = { kind: "folder" as const };
const json = {
  categories: ["bottle", "carpet"],
  seeds: [0, 1],
  budget: { steps: 10 },
  losses: ["svdd", "svdd-prime+ssl"],
  lambda: [1e-3, 1e-2, 1],
};

Deno.test("expandGrid() orders cells seeds, categories, then axes with the last fastest", () => {
  const cells = expandGrid(parseSweep(json, "g.json"), folder);
  assertEquals(cells.length, 2 * 2 * 2 * 3);
  assertEquals(cells.map((c) => c.index), cells.map((_, i) => i));
  assertEquals(cells.slice(0, 4).map((c) => c.prefix), [
    "losses=svdd_lambda=0.001_seed=0_bottle",
    "losses=svdd_lambda=0.01_seed=0_bottle",
    "losses=svdd_lambda=1_seed=0_bottle",
    "losses=svdd-prime+ssl_lambda=0.001_seed=0_bottle",
  ]);
  assertEquals(cells[6].category, "carpet");
  assertEquals(cells[12].seed, 1);
  const c = cells[4];
  assertEquals(c.config.train.lambda, 1e-2);
  assertEquals(c.config.train.losses, { svdd: false, svddPrime: true, ssl: true });
  assert(/^losses=svdd-prime\+ssl_lambda=0\.01_seed=0_bottle-[0-9a-f]{8}$/.test(c.id), c.id);
});

Deno.test("expandGrid() ids are stable, distinct, and independent of key order", () => {
  const a = expandGrid(parseSweep(json, "g.json"), folder).map((c) => c.id);
  const b = expandGrid(parseSweep(json, "g.json"), folder).map((c) => c.id);
  assertEquals(a, b);
  assertEquals(new Set(a).size, a.length);
  const { categories, seeds, budget, ...axes } = json;
  const reordered = parseSweep({ ...axes, budget, seeds, categories }, "g.json");
  assertEquals(expandGrid(reordered, folder).map((c) => c.id), a);
  const baseAB = parseSweep({ ...json, base: { imageSize: 128, train: { lambda: 1, embeddingDim: 8 } } }, "g.json");
  const baseBA = parseSweep({ ...json, base: { train: { embeddingDim: 8, lambda: 1 }, imageSize: 128 } }, "g.json");
  assertEquals(expandGrid(baseAB, folder).map((c) => c.id), expandGrid(baseBA, folder).map((c) => c.id));
  // A sweep file with another name but the same cells gets the same ids (the id is the cell, not the file).
  assertEquals(expandGrid(parseSweep(json, "other.json"), folder).map((c) => c.id), a);
});

Deno.test("expandGrid() gives a changed config a new id and leaves the other cells' ids alone", () => {
  const a = expandGrid(parseSweep(json, "g.json"), folder);
  const changed = expandGrid(parseSweep({ ...json, base: { train: { embeddingDim: 32 } } }, "g.json"), folder);
  for (const [i, c] of changed.entries()) {
    assertEquals(c.prefix, a[i].prefix);
    assert(c.id !== a[i].id, c.id);
  }
  const budget = expandGrid(parseSweep({ ...json, budget: { steps: 11 } }, "g.json"), folder);
  assert(budget.every((c, i) => c.id !== a[i].id));
  const synthetic = parseSweep({ data: "synthetic", budget: { steps: 1 } }, "s.json");
  const s1 = expandGrid(synthetic, { kind: "synthetic", spec: synthetic.synthetic! });
  const s2 = expandGrid(synthetic, { kind: "synthetic", spec: { ...synthetic.synthetic!, numTrain: 9 } });
  assert(s1[0].id !== s2[0].id, "the synthetic dataset's parameters are part of the id");
  const more = expandGrid(parseSweep({ ...json, lambda: [1e-3, 1e-2, 1, 1e-4] }, "g.json"), folder);
  const ids = new Set(more.map((c) => c.id));
  assert(a.every((c) => ids.has(c.id)), "adding an axis value keeps the existing cells' ids");
});

Deno.test("canonicalJson() sorts keys at every level", () => {
  assertEquals(
    canonicalJson({ b: { y: 1, x: [2, { q: 1, p: 0 }] }, a: null }),
    '{"a":null,"b":{"x":[2,{"p":0,"q":1}],"y":1}}',
  );
});

Deno.test("shardCells() over i/n for every i partitions the grid, in grid order", () => {
  const cells = expandGrid(parseSweep(json, "g.json"), folder);
  for (const n of [1, 3, 5, 8, 30]) {
    const shards = Array.from({ length: n }, (_, i) => shardCells(cells, { index: i, count: n }));
    const all = shards.flat().map((c) => c.index).sort((x, y) => x - y);
    assertEquals(all, cells.map((c) => c.index));
    for (const [i, s] of shards.entries()) {
      assert(s.every((c) => c.index % n === i));
      assertEquals(s.map((c) => c.index), [...s.map((c) => c.index)].sort((x, y) => x - y));
    }
  }
});

Deno.test("parseShard() accepts i/n with 0 <= i < n and names anything else", () => {
  assertEquals(parseShard("7/8"), { index: 7, count: 8 });
  for (const bad of ["8/8", "1/0", "-1/4", "a/b", "3"]) {
    assertThrows(() => parseShard(bad), new RegExp(`Expected --shard i/n .* but found '${bad}'`));
  }
});

Deno.test("a sweep's precision: fp32 by default (ids unchanged), bf16 gives every cell a new id, anything else is refused", () => {
  const fp32 = expandGrid(parseSweep(json, "g.json"), folder).map((c) => c.id);
  assertEquals(expandGrid(parseSweep({ ...json, precision: "fp32" }, "g.json"), folder).map((c) => c.id), fp32);
  const bf16 = expandGrid(parseSweep({ ...json, precision: "bf16" }, "g.json"), folder).map((c) => c.id);
  assertEquals(bf16.length, fp32.length);
  assert(
    bf16.every((id, i) =>
      id !== fp32[i] && id.split("-").slice(0, -1).join("-") === fp32[i].split("-").slice(0, -1).join("-")
    ),
  );
  assertThrows(
    () => parseSweep({ ...json, precision: "fp16" }, "g.json"),
    (e: Error) => /precision/.test(e.message) && /fp32/.test(e.message),
  );
});

Deno.test("untrained: true adds one 0-step base cell per seed and category, first, and leaves the other ids alone", () => {
  const plain = expandGrid(parseSweep(json, "a.json"), folder);
  const withRow = expandGrid(parseSweep({ ...json, untrained: true }, "a.json"), folder);
  assertEquals(
    expandGrid(parseSweep({ ...json, untrained: false }, "a.json"), folder).map((c) => c.id),
    plain.map((c) => c.id),
  );
  assertEquals(withRow.length, plain.length + 4);
  assertEquals(withRow.filter((c) => !c.untrained).map((c) => c.id), plain.map((c) => c.id));
  const untrained = withRow.filter((c) => c.untrained);
  assertEquals(untrained.map((c) => c.prefix), [
    "untrained_seed=0_bottle",
    "untrained_seed=0_carpet",
    "untrained_seed=1_bottle",
    "untrained_seed=1_carpet",
  ]);
  assertEquals(withRow[0].prefix, "untrained_seed=0_bottle");
  assertEquals(withRow[7].prefix, "untrained_seed=0_carpet"); // after bottle's 6 axis combinations
  assert(untrained.every((c) => c.budget.steps === 0 && Object.keys(c.axes).length === 0));
  assertEquals(untrained[2].config.train.seed, 1);
  assertEquals(untrained[0].config.train.lambda, 1e-3); // the base's, not an axis value
  assertEquals(withRow.map((c) => c.index), withRow.map((_, i) => i));
});

Deno.test("an untrained cell's id depends on the base, category, seed and data, not on the axes or the budget", () => {
  const id = (extra: Record<string, unknown>) =>
    expandGrid(parseSweep({ ...json, untrained: true, ...extra }, "x.json"), folder)[0].id;
  const reference = id({});
  assertEquals(reference, "untrained_seed=0_bottle-" + reference.slice(-8));
  // Another sweep with the same base: other axes, another budget, another file name.
  assertEquals(
    expandGrid(
      parseSweep({ categories: ["bottle"], budget: { epochs: 3 }, untrained: true, dim: [8] }, "y.json"),
      folder,
    )[0]
      .id,
    reference,
  );
  const { losses: _l, lambda: _m, ...noAxes } = json;
  const encoders = { ...noAxes, untrained: true, encoder: ["hier-128"] };
  assertEquals(expandGrid(parseSweep(encoders, "z.json"), folder)[0].id, reference);
  assert(id({ base: { train: { embeddingDim: 32 } } }) !== reference, "a changed base gives a new untrained cell");
  assert(id({ precision: "bf16" }) !== reference);
  const synthetic = expandGrid(
    parseSweep({ data: "synthetic", budget: { steps: 1 }, untrained: true }, "s.json"),
    { kind: "synthetic", spec: parseSweep({ data: "synthetic", budget: { steps: 1 } }, "s.json").synthetic! },
  );
  assert(synthetic[0].untrained && synthetic[0].hash !== reference.slice(-8));
});

Deno.test("cellHash() ignores the hnsw settings of an exact-search cell and keeps them for an hnsw cell", () => {
  const cell = { category: "bottle", budget: { steps: 1 }, data: { kind: "folder" as const } };
  const hashes = (nn: "exact" | "hnsw") => {
    const config = structuredClone(DEFAULT_CONFIG);
    config.inspect.nn = nn;
    const retuned = structuredClone(config);
    retuned.inspect.hnswEfConstruction += 10;
    retuned.inspect.hnswShards = 1;
    return [cellHash({ ...cell, config }), cellHash({ ...cell, config: retuned })];
  };
  const [exact, exactRetuned] = hashes("exact");
  assertEquals(exact, exactRetuned);
  const [hnsw, hnswRetuned] = hashes("hnsw");
  assertNotEquals(hnsw, hnswRetuned);
  assertNotEquals(exact, hnsw);
});
