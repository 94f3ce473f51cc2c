// Tests of src/util/rng.ts (written with the data stage, its first user).
import { Rng } from "../../src/util/rng.ts";
import { assert } from "./_helpers.ts";

Deno.test("Rng gives the same stream for the same seed and another for another seed", () => {
  const draw = (seed: number) =>
    Array.from(
      { length: 5 },
      (() => {
        const r = new Rng(seed);
        return () => r.next();
      })(),
    );
  assert.deepEqual(draw(1), draw(1));
  assert.notDeepEqual(draw(1), draw(2));
});

Deno.test("Rng.fromState(rng.state()) continues the stream exactly", () => {
  const rng = new Rng(123);
  for (let i = 0; i < 10; i++) rng.normal();
  const resumed = Rng.fromState(rng.state());
  assert.equal(typeof rng.state(), "number");
  assert.deepEqual(Array.from({ length: 5 }, () => resumed.next()), Array.from({ length: 5 }, () => rng.next()));
  assert.throws(() => Rng.fromState(-1), RangeError);
});

Deno.test("Rng.next() is in [0, 1), int(n) in 0..n-1, and normal() has mean 0 and std 1", () => {
  const rng = new Rng(9);
  const counts = new Array(5).fill(0);
  let sum = 0, sum2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    assert.ok(u >= 0 && u < 1);
    counts[rng.int(5)]++;
    const z = rng.normal();
    sum += z;
    sum2 += z * z;
  }
  assert.ok(counts.every((c) => Math.abs(c - n / 5) < 0.05 * n), `counts ${counts}`);
  assert.ok(Math.abs(sum / n) < 0.03, `mean ${sum / n}`);
  assert.ok(Math.abs(Math.sqrt(sum2 / n) - 1) < 0.03, `std ${Math.sqrt(sum2 / n)}`);
  assert.throws(() => rng.int(0), RangeError);
});

Deno.test("Rng.split() gives an independent generator and advances the parent", () => {
  const a = new Rng(4);
  const child = a.split();
  const b = new Rng(4);
  b.next();
  assert.equal(a.next(), b.next());
  assert.notEqual(child.next(), new Rng(4).next());
});

Deno.test("Rng.addNormals (ziggurat) adds N(0, std^2): mean, variance, kurtosis and tail mass", () => {
  const n = 400_000, x = new Float32Array(n).fill(1);
  new Rng(5).addNormals(x, 0, n, 2);
  let m = 0, v = 0, k = 0, tail = 0;
  for (const a of x) m += a;
  m /= n;
  for (const a of x) {
    v += (a - m) ** 2;
    k += (a - m) ** 4;
    if (Math.abs(a - 1) > 2 * 3) tail++; // |z| > 3: 0.27% of N(0, 1)
  }
  v /= n;
  k /= n * v * v;
  assert.ok(Math.abs(m - 1) < 0.02, `mean ${m}`);
  assert.ok(Math.abs(v - 4) < 0.06, `variance ${v}`);
  assert.ok(Math.abs(k - 3) < 0.06, `kurtosis ${k}`);
  assert.ok(Math.abs(tail / n - 0.0027) < 0.0006, `tail fraction ${tail / n}`);
});

Deno.test("Rng.addNormals touches only its range and is reproducible from the state", () => {
  const a = new Float32Array(10), b = new Float32Array(10);
  const r = new Rng(3);
  const s = r.state();
  r.addNormals(a, 2, 5, 1);
  Rng.fromState(s).addNormals(b, 2, 5, 1);
  assert.deepEqual(Array.from(a), Array.from(b));
  assert.deepEqual([a[0], a[1], a[7], a[8], a[9]], [0, 0, 0, 0, 0]);
  assert.ok(a.slice(2, 7).every((v) => v !== 0));
});
