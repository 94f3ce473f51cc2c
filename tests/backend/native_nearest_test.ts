import {
  exactNearestNative,
  exactNearestNativeAsync,
  exactNearestNativeDetailed,
  loadNative,
} from "../../src/backend/native.ts";
import { Rng } from "../../src/util/rng.ts";
import { assert, assertEquals } from "../assert.ts";

const lib = loadNative();
const ignore = "reason" in lib;
if ("reason" in lib) console.warn(`native nearest-neighbour tests skipped: ${lib.reason}`);

/** Brute force in float64: distance (not squared) and smallest index of the nearest bank vector. */
function bruteForce(bank: Float32Array, queries: Float32Array, dim: number) {
  const nb = bank.length / dim, nq = queries.length / dim;
  const distances = new Float32Array(nq), indices = new Int32Array(nq);
  for (let q = 0; q < nq; q++) {
    let best = Infinity, arg = -1;
    for (let b = 0; b < nb; b++) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = queries[q * dim + d] - bank[b * dim + d];
        s += t * t;
      }
      if (s < best) best = s, arg = b;
    }
    distances[q] = Math.sqrt(best);
    indices[q] = arg;
  }
  return { distances, indices };
}

function assertExact(bank: Float32Array, queries: Float32Array, dim: number, what: string): void {
  const got = exactNearestNativeDetailed(bank, queries, dim);
  assert(got !== null);
  const want = bruteForce(bank, queries, dim);
  for (let q = 0; q < want.distances.length; q++) {
    if (got.distances[q] !== want.distances[q] || got.indices[q] !== want.indices[q]) {
      throw new Error(
        `${what}: query ${q}: native ${got.distances[q]} (#${got.indices[q]}), ` +
          `float64 brute force ${want.distances[q]} (#${want.indices[q]})`,
      );
    }
  }
}

/**
 * Embeddings like a random encoder's (REFERENCE.md section 6): a smooth function of a 2-D "patch
 * position", magnitude ~0.03. Like a memory bank of many images of the same object, every
 * position appears in several "images" with a ~1e-4 shift, and queries are such shifted copies:
 * nearest-neighbour distances ~1e-5 to 1e-4, with many near-ties.
 */
class TinyEmbeddings {
  readonly positions: [number, number][] = [];
  readonly #freq: number[][];
  constructor(readonly dim: number, readonly rng: Rng, readonly shift = 2e-4) {
    this.#freq = Array.from({ length: dim }, () => [rng.next() * 6, rng.next() * 6, rng.next() * 6]);
  }
  /** A bank: `positions` new positions, each seen in `images` shifted copies. */
  bank(positions: number, images: number): Float32Array {
    const out = new Float32Array(positions * images * this.dim);
    for (let p = 0; p < positions; p++) {
      this.positions.push([this.rng.next(), this.rng.next()]);
      for (let i = 0; i < images; i++) this.#embed(this.positions.at(-1)!, out, (p * images + i) * this.dim);
    }
    return out;
  }
  /** Queries: shifted copies of random earlier positions. */
  queries(n: number): Float32Array {
    const out = new Float32Array(n * this.dim);
    for (let q = 0; q < n; q++) {
      this.#embed(this.positions[Math.floor(this.rng.next() * this.positions.length)], out, q * this.dim);
    }
    return out;
  }
  #embed([u0, v0]: [number, number], out: Float32Array, offset: number): void {
    const u = u0 + this.shift * (this.rng.next() - 0.5), v = v0 + this.shift * (this.rng.next() - 0.5);
    for (let d = 0; d < this.dim; d++) {
      const [a, b, c] = this.#freq[d];
      out[offset + d] = 0.03 * Math.sin(a * u + b * v + c);
    }
  }
}

Deno.test({
  name:
    "exactNearestNative() equals float64 brute force on tiny-magnitude embeddings (distances 1e-5..1e-4, near-ties)",
  ignore,
  fn: () => {
    const world = new TinyEmbeddings(64, new Rng(1));
    const bank = world.bank(2000, 10), queries = world.queries(300);
    const d = exactNearestNative(bank, queries, 64)!;
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    assert(mean > 1e-5 && mean < 1e-3, `mean nearest distance ${mean} is not in the regime under test`);
    assertExact(bank, queries, 64, "tiny embeddings");
  },
});

Deno.test({
  name: "exactNearestNative() equals float64 brute force on isotropic Gaussian data and odd sizes",
  ignore,
  fn: () => {
    const rng = new Rng(2);
    const gauss = (n: number) =>
      Float32Array.from(
        { length: n },
        () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(6.283185307 * rng.next()),
      );
    for (
      const [nb, nq, dim] of [[3000, 200, 64], [1, 5, 64], [31, 11, 3], [77, 13, 17], [1000, 100, 1], [33, 40, 130]]
    ) {
      assertExact(gauss(nb * dim), gauss(nq * dim), dim, `gaussian nb=${nb} nq=${nq} dim=${dim}`);
    }
  },
});

Deno.test({
  name:
    "exactNearestNative() returns the smallest index among identical bank vectors, and copies for identical queries",
  ignore,
  fn: () => {
    const world = new TinyEmbeddings(16, new Rng(3));
    const dim = 16, distinct = 50, copies = 20;
    const base = world.bank(distinct, 1);
    const bank = new Float32Array(distinct * copies * dim);
    for (let c = 0; c < copies; c++) bank.set(base, c * distinct * dim); // every vector 20 times
    const queries = world.queries(100);
    queries.set(base.subarray(0, 10 * dim)); // 10 queries sit exactly on bank vectors
    for (let q = 10; q < 30; q++) queries.set(queries.subarray(40 * dim, 41 * dim), q * dim); // 21 identical queries
    assertExact(bank, queries, dim, "20 copies of every bank vector");
    const got = exactNearestNativeDetailed(bank, queries, dim)!;
    for (let q = 0; q < 10; q++) assertEquals([got.distances[q], got.indices[q]], [0, q]);
  },
});

/** Vectors on an integer grid scaled by a power of two, so that float64 distances tie exactly. */
function gridVectors(n: number, dim: number, rng: Rng, scale: number): Float32Array {
  return Float32Array.from({ length: n * dim }, () => Math.floor(rng.next() * 9 - 4) * scale);
}

Deno.test({
  name: "exactNearestNative() settles 16+ distinct exactly tied neighbours in float64 (smallest index wins)",
  ignore,
  fn: () => {
    const rng = new Rng(5);
    for (const dim of [16, 23]) {
      // Each query has 2 * dim distinct bank vectors at exactly the same distance (q +- e_k / 8),
      // plus random grid vectors; more ties than candidate slots.
      const nq = 12, far = 300;
      const queries = gridVectors(nq, dim, rng, 1 / 4);
      const bank = new Float32Array((far + nq * 2 * dim) * dim);
      bank.set(gridVectors(far, dim, rng, 1 / 4));
      for (let q = 0; q < nq; q++) {
        for (let k = 0; k < 2 * dim; k++) {
          const row = far + (q * 2 * dim + ((k * 7) % (2 * dim)));
          for (let d = 0; d < dim; d++) bank[row * dim + d] = queries[q * dim + d];
          bank[row * dim + (k >> 1)] += k % 2 === 0 ? 1 / 8 : -1 / 8;
        }
      }
      assertExact(bank, queries, dim, `equidistant neighbours, dim ${dim}`);
      const got = exactNearestNativeDetailed(bank, queries, dim)!;
      assert(got.fallbacks > 0, `dim ${dim}: 2 * dim exact ties must overflow the candidate list`);
    }
  },
});

Deno.test({
  name: "exactNearestNative() equals float64 brute force at large and tiny magnitudes and odd dimensions",
  ignore,
  fn: () => {
    const rng = new Rng(6);
    const noise = (n: number, s: number) => Float32Array.from({ length: n }, () => (rng.next() - 0.5) * s);
    for (const dim of [1, 5, 31, 63, 100]) {
      for (const [offset, spread] of [[1e15, 1e12], [0, 1e18], [0, 1e-20], [1, 1e-6], [1e-30, 1e-36]]) {
        const nb = 400, nq = 60;
        const bank = noise(nb * dim, spread).map((x) => x + offset);
        const queries = noise(nq * dim, spread).map((x) => x + offset);
        queries.set(bank.subarray(0, 5 * dim)); // 5 queries on bank vectors
        bank.set(bank.subarray(dim, 3 * dim), 10 * dim); // duplicates in the bank
        assertExact(bank, queries, dim, `dim ${dim}, offset ${offset}, spread ${spread}`);
      }
      // Queries far from a tight bank: distances differ far below their float32 resolution.
      const bank = noise(300 * dim, 1e-3).map((x) => x + 1), queries = noise(20 * dim, 1e3);
      assertExact(bank, queries, dim, `dim ${dim}, queries far from a tight bank`);
    }
  },
});

Deno.test({
  name: "exactNearestNative() handles an empty bank and no queries, and rejects ragged or non-finite input",
  ignore,
  fn: async () => {
    const empty = exactNearestNativeDetailed(new Float32Array(0), Float32Array.of(1, 2), 2)!;
    assertEquals([empty.distances[0], empty.indices[0]], [Infinity, -1]);
    assertEquals(exactNearestNative(Float32Array.of(1, 2), new Float32Array(0), 2)!.length, 0);
    let threw = false;
    try {
      exactNearestNative(Float32Array.of(1, 2, 3), Float32Array.of(1, 2), 2);
    } catch (e) {
      threw = e instanceof RangeError;
    }
    assert(threw, "a bank of 3 floats with dim 2 must be rejected");
    threw = false;
    try {
      exactNearestNative(Float32Array.of(1, NaN), Float32Array.of(1, 2), 2);
    } catch (e) {
      threw = e instanceof RangeError && /finite/.test(e.message);
    }
    assert(threw, "NaN in the bank must be rejected");
    const world = new TinyEmbeddings(8, new Rng(4));
    const bank = world.bank(200, 10), queries = world.queries(50);
    const viaWorker = await exactNearestNativeAsync(bank, queries, 8);
    assertEquals(viaWorker!.distances, exactNearestNative(bank, queries, 8));
  },
});

Deno.test({
  name:
    "on the same data, float32 |q|^2 + |b|^2 - 2 q.b alone picks wrong neighbours (why the exact search only selects candidates with it)",
  ignore,
  fn: () => {
    const world = new TinyEmbeddings(64, new Rng(1));
    const dim = 64, bank = world.bank(400, 10), queries = world.queries(100);
    const f = Math.fround;
    const norms = Array.from({ length: 4000 }, (_, b) => {
      let s = 0;
      for (let d = 0; d < dim; d++) s = f(s + f(bank[b * dim + d] * bank[b * dim + d]));
      return s;
    });
    const exact = exactNearestNativeDetailed(bank, queries, dim)!;
    let wrong = 0;
    for (let q = 0; q < 100; q++) {
      let best = Infinity, arg = -1;
      for (let b = 0; b < 4000; b++) {
        let dot = 0;
        for (let d = 0; d < dim; d++) dot = f(dot + f(queries[q * dim + d] * bank[b * dim + d]));
        const score = f(norms[b] - f(2 * dot)); // |q|^2 is the same for every b
        if (score < best) best = score, arg = b;
      }
      if (arg !== exact.indices[q]) wrong++;
    }
    assert(wrong > 0, "expected the float32 expansion to miss some nearest neighbours on tiny embeddings");
  },
});
