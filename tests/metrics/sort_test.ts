import { assertEquals } from "./_assert.ts";
import { argsortFloat32, sortFloat32 } from "../../src/metrics/sort.ts";
import { Rng } from "../../src/util/rng.ts";

function randomFloats(rng: Rng, n: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.int(4) === 0 ? rng.int(5) - 2 : rng.normal() * 10 ** rng.int(8 - 4);
  v.set([Infinity, -Infinity, 0, -0, 1e-40, -1e-40], 0); // specials and subnormals
  return v;
}

Deno.test("sortFloat32() agrees with the built-in sort, incl. negatives, ties, infinities and subnormals", () => {
  const v = randomFloats(new Rng(1), 5000);
  const expected = Array.from(v).sort((a, b) => a - b);
  const got = Array.from(sortFloat32(v));
  assertEquals(got.map((x) => x + 0), expected.map((x) => x + 0)); // +0 folds -0 for comparison
});

Deno.test("argsortFloat32() is a stable permutation that sorts the values", () => {
  const v = randomFloats(new Rng(2), 3000);
  const { sorted, order } = argsortFloat32(v);
  const seen = new Uint8Array(v.length);
  for (let k = 0; k < v.length; k++) {
    seen[order[k]] = 1;
    assertEquals(sorted[k], v[order[k]]);
    if (k > 0) {
      if (!(sorted[k - 1] <= sorted[k])) throw new Error(`not ascending at ${k}`);
      if (sorted[k - 1] === sorted[k] && Object.is(sorted[k - 1], sorted[k])) {
        if (!(order[k - 1] < order[k])) throw new Error(`not stable at ${k}`);
      }
    }
  }
  assertEquals(seen.every((s) => s === 1), true);
});
