import { assert, assertEquals } from "../assert.ts";
import { cellGridSize, denseCropSize, patchPositions, sampleCellPairs, sampleCrops } from "../../src/sampling/dense.ts";
import { Rng } from "../../src/util/rng.ts";

Deno.test("cellGridSize() is f_small's output side: one cell for a 32 px crop, 49 for 128 px", () => {
  assertEquals(cellGridSize(32), 1);
  assertEquals(cellGridSize(128), 49);
  assertEquals(denseCropSize(256, 64), 128);
  assertEquals(denseCropSize(100, 64), 100);
  assertEquals(denseCropSize(256, 64, "flat"), 134);
});

Deno.test("patchPositions(): K-patch corners on the 2 px grid, f_small's or the flat encoder's phase grid", () => {
  assertEquals(patchPositions("hier", 128, 64), 33); // corners 0, 2, ..., 64 px
  assertEquals(patchPositions("hier", 64, 32), 17); // 0, 2, ..., 32 px
  assertEquals(patchPositions("hier", 256, 128), 65);
  // flat, C = 134: sub-crops of 128 px hold 9 stride-8 patches, times 4 phases -> corners 0, 2, ..., 70 px
  assertEquals(patchPositions("flat", 134, 64), 36);
  assertEquals(patchPositions("flat", 70, 64), 4);
  assert(patchPositions("flat", 69, 64) < 1);
});

Deno.test("sampleCrops() keeps every crop inside its image", () => {
  const c = sampleCrops(50, 3, 200, 128, new Rng(1));
  for (let i = 0; i < 50; i++) {
    assert(c.image[i] >= 0 && c.image[i] < 3);
    for (const v of [c.corners[2 * i], c.corners[2 * i + 1]]) assert(v >= 0 && v <= 72);
  }
});

Deno.test("sampleCellPairs() SSL pairs: inside the grid, unclipped on a 2K crop, displacement matching the label", () => {
  for (const k of [32, 64]) {
    const p = sampleCellPairs("ssl", 400, 4, patchPositions("hier", 128, k), k, new Rng(k));
    const maxCell = cellGridSize(128) - 1 - (k / 2 - 16);
    const offsets = [[-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1], [1, -1], [1, 0], [1, 1]];
    for (let i = 0; i < 400; i++) {
      const [y1, x1, y2, x2] = [p.first[2 * i], p.first[2 * i + 1], p.second[2 * i], p.second[2 * i + 1]];
      for (const v of [y1, x1, y2, x2]) assert(v >= 0 && v <= maxCell, `K=${k}: cell ${v} outside 0..${maxCell}`);
      const [dy, dx] = offsets[p.label[i]];
      for (const [d, dir] of [[y2 - y1, dy], [x2 - x1, dx]]) {
        if (dir === 0) assertEquals(d, 0);
        else assert(Math.sign(d) === dir && Math.abs(d) >= (3 * k) / 8 && Math.abs(d) <= k / 2, `K=${k}: ${d}`);
      }
    }
  }
});

Deno.test("sampleCellPairs() SVDD' pairs are distinct neighbours one cell apart at most (K=32, 64)", () => {
  for (const k of [32, 64]) {
    const p = sampleCellPairs("svdd-prime", 300, 2, patchPositions("hier", 128, k), k, new Rng(3));
    for (let i = 0; i < 300; i++) {
      const dy = p.second[2 * i] - p.first[2 * i], dx = p.second[2 * i + 1] - p.first[2 * i + 1];
      assert(Math.max(Math.abs(dy), Math.abs(dx)) === 1, `${dy}, ${dx}`);
    }
  }
});
