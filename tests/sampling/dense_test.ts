/**
 * The dense sampler's rules (src/sampling/dense.ts) beyond those in tests/train/dense_sampling_test.ts.
 */
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { patchPositions, sampleCellPairs } from "../../src/sampling/dense.ts";
import { Rng } from "../../src/util/rng.ts";

Deno.test("sampleCellPairs() moves SSL pairs round((3K/4 .. K-1) / 2) cells: 24..32 for K=64, 12..16 for K=32", () => {
  // K=64: 48..63 px / 2 = 24..31.5, rounded half up: 24..32; K=32: 24..31 px / 2 -> 12..16
  for (const [k, lo, hi] of [[64, 24, 32], [32, 12, 16]]) {
    const p = sampleCellPairs("ssl", 3000, 1, patchPositions("hier", 2 * k + 64, k), k, new Rng(k));
    const seen = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      for (const axis of [0, 1]) {
        const d = Math.abs(p.second[2 * i + axis] - p.first[2 * i + axis]);
        if (d !== 0) seen.add(d);
      }
    }
    assertEquals([...seen].sort((a, b) => a - b), Array.from({ length: hi - lo + 1 }, (_, i) => lo + i), `K=${k}`);
  }
});

Deno.test("sampleCellPairs() jitters SVDD' pairs by up to 2 cells (K/32 = 4 px) for K=128, all 24 non-zero offsets", () => {
  const p = sampleCellPairs("svdd-prime", 3000, 1, patchPositions("hier", 256, 128), 128, new Rng(1));
  const seen = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    const dy = p.second[2 * i] - p.first[2 * i], dx = p.second[2 * i + 1] - p.first[2 * i + 1];
    assert(Math.max(Math.abs(dy), Math.abs(dx)) <= 2 && (dy !== 0 || dx !== 0), `${dy}, ${dx}`);
    seen.add(`${dy},${dx}`);
  }
  assertEquals(seen.size, 24);
  assert(p.label.every((y) => y === 0));
});

Deno.test("sampleCellPairs() keeps a K-patch's cells where the patch fits: maxCell = g - 1 - (K/2 - 16)", () => {
  // crop 128 -> g = 49 cells; K=64 needs 64/2 - 16 = 16 more: cells 0..32; K=256 needs 112 more: none fits
  const p = sampleCellPairs("svdd-prime", 10, 1, patchPositions("hier", 128, 64), 64, new Rng(2));
  for (const c of [...p.first, ...p.second]) assert(c >= 0 && c <= 49 - 1 - 16);
  assertThrows(
    () => sampleCellPairs("ssl", 1, 1, patchPositions("hier", 128, 256), 256, new Rng(0)),
    RangeError,
    "does not fit",
  );
});
