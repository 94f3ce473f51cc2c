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
