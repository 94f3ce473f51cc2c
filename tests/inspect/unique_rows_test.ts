import { assertEquals, assertThrows } from "../metrics/_assert.ts";
import { uniqueRows } from "../../src/inspect/unique_rows.ts";
import { Rng } from "../../src/util/rng.ts";

Deno.test("uniqueRows() keeps the first occurrence of every distinct row, in row order", () => {
  const data = new Float32Array([1, 2, 3, 4, 1, 2, 5, 6, 3, 4, 1, 2]);
  assertEquals(uniqueRows(data, 2), Uint32Array.of(0, 1, 3));
  assertEquals(uniqueRows(new Float32Array([7, 7, 7]), 1), Uint32Array.of(0));
  assertEquals(uniqueRows(new Float32Array(0), 3), new Uint32Array(0));
});

Deno.test("uniqueRows() tells apart rows that differ in one bit of one value", () => {
  const rng = new Rng(3), dim = 64, n = 2000;
  const data = Float32Array.from({ length: n * dim }, () => 0.3 + 1e-4 * rng.normal());
  // Rows 1000..1999 copy rows 0..999, and every other copy is nudged by one ulp in one dimension.
  data.copyWithin(1000 * dim, 0, 1000 * dim);
  const bits = new Uint32Array(data.buffer);
  for (let i = 1000; i < n; i += 2) bits[i * dim + (i % dim)] += 1;
  const expected = Uint32Array.from({ length: 1500 }, (_, j) => (j < 1000 ? j : 1000 + 2 * (j - 1000)));
  assertEquals(uniqueRows(data, dim), expected);
  // A view into a larger buffer reads its own rows.
  assertEquals(uniqueRows(data.subarray(1000 * dim), dim).length, 1000);
});

Deno.test("uniqueRows() rejects a dim that does not divide the data", () => {
  assertThrows(() => uniqueRows(new Float32Array(10), 4), RangeError, "multiple of dim 4");
  assertThrows(() => uniqueRows(new Float32Array(10), 0), RangeError, "positive integer");
});
