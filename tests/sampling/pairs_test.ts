/**
 * The pair-sampling rules of REFERENCE.md section 4, checked over many seeded draws.
 */
import { assert, assertEquals } from "../assert.ts";
import { POSITION_OFFSETS, samplePairs, sslPair, svddPrimePair } from "../../src/sampling/pairs.ts";
import { Rng } from "../../src/util/rng.ts";

const DRAWS = 4000;

Deno.test("POSITION_OFFSETS lists the 8 neighbours of a 3x3 grid in the reference's label order", () => {
  assertEquals(POSITION_OFFSETS.map((o) => [...o]), [
    [-1, -1],
    [-1, 0],
    [-1, 1],
    [0, -1],
    [0, 1],
    [1, -1],
    [1, 0],
    [1, 1],
  ]);
});

/**
 * Per-axis displacement rule of one SSL pair: with direction `dir` and the unclipped magnitude m drawn in
 * 3K/4 .. K-1, the second corner is clip(first + dir * m, 0, S - K).
 * Returns the magnitude when the axis was not clipped, null when it was (or the direction is 0).
 */
function sslAxis(first: number, second: number, dir: number, k: number, maxCorner: number): number | null {
  if (dir === 0) {
    assertEquals(second, first, "an axis with direction 0 must not move");
    return null;
  }
  const moved = (second - first) * dir; // distance travelled towards the label's direction
  if (second === 0 || second === maxCorner) {
    // clipped at the border it moved towards, or landed on it exactly
    assert(moved >= 0 && moved <= k - 1, `clipped move ${moved} must be towards the label, at most K-1`);
    return moved >= (3 * k) / 4 ? moved : null;
  }
  return moved;
}

for (const [k, lo, hi] of [[64, 48, 63], [32, 24, 31]]) {
  Deno.test(`sslPair() puts the neighbour ${lo}..${hi} px (3K/4 to K-1) towards the label's direction, K=${k}`, () => {
    const size = 256, maxCorner = size - k, rng = new Rng(k);
    const seen = new Set<number>();
    for (let i = 0; i < DRAWS; i++) {
      const [y1, x1, y2, x2, label] = sslPair(size, size, k, rng);
      assert(label >= 0 && label < 8);
      const [dirY, dirX] = POSITION_OFFSETS[label];
      for (const m of [sslAxis(y1, y2, dirY, k, maxCorner), sslAxis(x1, x2, dirX, k, maxCorner)]) {
        if (m === null) continue;
        assert(m >= lo && m <= hi, `K=${k}: offset ${m} outside ${lo}..${hi}`);
        seen.add(m);
      }
    }
    // every magnitude of the range is drawn, both ends included: the range is exactly 3K/4 .. K-1
    assertEquals([...seen].sort((a, b) => a - b), Array.from({ length: k / 4 }, (_, i) => lo + i));
  });
}

Deno.test("sslPair() draws the label uniformly: each of the 8 directions about 1/8 of 4000 draws", () => {
  const counts = new Array(8).fill(0), rng = new Rng(7);
  for (let i = 0; i < DRAWS; i++) counts[sslPair(256, 256, 64, rng)[4]]++;
  // expected 500 each, binomial sd = sqrt(4000 * 1/8 * 7/8) = 20.9: 400..600 is beyond 4.7 sd
  for (const c of counts) assert(c > 400 && c < 600, `label counts ${counts}`);
});

Deno.test("sslPair() draws the two axes' magnitudes independently (diagonal labels move unequal amounts)", () => {
  const rng = new Rng(11);
  let unequal = 0, diagonal = 0;
  for (let i = 0; i < DRAWS; i++) {
    const [y1, x1, y2, x2, label] = sslPair(4096, 4096, 64, rng); // a wide image: clipping is rare
    const [dirY, dirX] = POSITION_OFFSETS[label];
    if (dirY === 0 || dirX === 0) continue;
    diagonal++;
    if (Math.abs(y2 - y1) !== Math.abs(x2 - x1)) unequal++;
  }
  // with independent draws, equal magnitudes happen 1/16 of the time
  assert(unequal > diagonal * 0.85 && unequal < diagonal, `${unequal} unequal of ${diagonal}`);
});

Deno.test("sslPair() keeps both patches inside the image, clipping the neighbour at the border", () => {
  const rng = new Rng(3);
  let clipped = 0;
  for (let i = 0; i < DRAWS; i++) {
    const [y1, x1, y2, x2] = sslPair(96, 80, 64, rng); // corners 0..32 vertically, 0..16 horizontally
    for (const y of [y1, y2]) assert(y >= 0 && y <= 32, `y ${y}`);
    for (const x of [x1, x2]) assert(x >= 0 && x <= 16, `x ${x}`);
    if (Math.abs(y2 - y1) < 48 && y2 !== y1) clipped++;
  }
  assert(clipped > 0, "a 96x80 image must clip some neighbours");
});

for (const [k, jitter] of [[32, 1], [64, 2], [128, 4]]) {
  const offsets = (2 * jitter + 1) ** 2 - 1;
  Deno.test(`svddPrimePair() jitters by at most J = K/32 = ${jitter} px per axis, all ${offsets} non-zero offsets, K=${k}`, () => {
    const rng = new Rng(k);
    const seen = new Set<string>();
    for (let i = 0; i < DRAWS; i++) {
      const [y1, x1, y2, x2] = svddPrimePair(256, 256, k, rng);
      const [dy, dx] = [y2 - y1, x2 - x1];
      assert(Math.abs(dy) <= jitter && Math.abs(dx) <= jitter, `offset (${dy}, ${dx})`);
      assert(dy !== 0 || dx !== 0, "the neighbour must differ from the patch");
      for (const c of [y1, x1, y2, x2]) assert(c >= 0 && c <= 256 - k);
      seen.add(`${dy},${dx}`);
    }
    assertEquals(seen.size, offsets);
  });
}

Deno.test("svddPrimePair() never returns the patch itself, even when clipping would undo the jitter", () => {
  // a 33x33 image and K=32: corners are 0 or 1 on each axis, so most jitters get clipped back
  const rng = new Rng(5);
  for (let i = 0; i < DRAWS; i++) {
    const [y1, x1, y2, x2] = svddPrimePair(33, 33, 32, rng);
    assert(y2 !== y1 || x2 !== x1, `draw ${i}: (${y1}, ${x1}) paired with itself`);
    for (const c of [y1, x1, y2, x2]) assert(c === 0 || c === 1);
  }
});

Deno.test("samplePairs() is one image index then one pair per row, in the layout [y0, x0, y1, x1, ...]", () => {
  const batch = samplePairs("ssl", 16, 5, 256, 64, new Rng(9));
  const replay = new Rng(9);
  for (let i = 0; i < 16; i++) {
    const image = replay.int(5);
    const [y1, x1, y2, x2, label] = sslPair(256, 256, 64, replay);
    assertEquals(
      [batch.image[i], batch.first[2 * i], batch.first[2 * i + 1], batch.second[2 * i], batch.second[2 * i + 1]],
      [image, y1, x1, y2, x2],
    );
    assertEquals(batch.label[i], label);
  }
  assertEquals(batch.patchSize, 64);
});

Deno.test("samplePairs() gives SVDD' pairs label 0 and draws images uniformly from the given count", () => {
  const batch = samplePairs("svdd-prime", 2000, 3, 256, 32, new Rng(2));
  assert(batch.label.every((y) => y === 0));
  const counts = [0, 0, 0];
  for (const i of batch.image) counts[i]++;
  // expected 666.7 each, sd 21: 560..780 is beyond 5 sd
  for (const c of counts) assert(c > 560 && c < 780, `image counts ${counts}`);
});

Deno.test("samplePairs() with the same seed draws the same batch", () => {
  const a = samplePairs("ssl", 8, 4, 256, 64, new Rng(1)), b = samplePairs("ssl", 8, 4, 256, 64, new Rng(1));
  assertEquals([a.image, a.first, a.second, a.label], [b.image, b.first, b.second, b.label]);
});
