import { assertAlmostEquals, assertEquals, assertThrows } from "../metrics/_assert.ts";
import { fuse, imageScore, patchScoresToMap } from "../../src/inspect/maps.ts";
import { Rng } from "../../src/util/rng.ts";

/** Direct definition: add every patch's score to each pixel it covers, divide by the count. */
function bruteMap(
  scores: Float32Array,
  gridH: number,
  gridW: number,
  patchSize: number,
  stride: number,
  imageSize: number,
) {
  const sum = new Float64Array(imageSize * imageSize), count = new Int32Array(imageSize * imageSize);
  for (let i = 0; i < gridH; i++) {
    for (let j = 0; j < gridW; j++) {
      for (let y = i * stride; y < i * stride + patchSize; y++) {
        for (let x = j * stride; x < j * stride + patchSize; x++) {
          sum[y * imageSize + x] += scores[i * gridW + j];
          count[y * imageSize + x]++;
        }
      }
    }
  }
  return Float32Array.from(sum, (s, p) => (count[p] ? s / count[p] : 0));
}

Deno.test("patchScoresToMap() averages the covering patches like the direct definition", () => {
  const rng = new Rng(41);
  const cases: [number, number, number, number, number][] = [
    // gridH, gridW, patchSize, stride, imageSize
    [13, 13, 64, 16, 256], // the reference's K=64
    [57, 57, 32, 4, 256], // the reference's K=32
    [4, 3, 5, 2, 12], // grid smaller than the image: right and bottom margins uncovered (0)
    [3, 3, 2, 5, 13], // stride > patch: uncovered gaps between patches (0)
    [1, 1, 7, 3, 7],
  ];
  for (const [gridH, gridW, patchSize, stride, imageSize] of cases) {
    const scores = new Float32Array(gridH * gridW).map(() => rng.next() * 1e-3 + 1e-4);
    const got = patchScoresToMap(scores, gridH, gridW, patchSize, stride, imageSize);
    const expected = bruteMap(scores, gridH, gridW, patchSize, stride, imageSize);
    assertEquals(got.length, imageSize * imageSize);
    for (let p = 0; p < got.length; p++) {
      assertAlmostEquals(got[p], expected[p], 1e-6 * Math.abs(expected[p]), `pixel ${p} of case ${gridH}x${gridW}`);
    }
  }
});

Deno.test("patchScoresToMap() rejects grids that do not fit the image", () => {
  assertThrows(() => patchScoresToMap(new Float32Array(4), 2, 2, 4, 2, 5), RangeError, "spans 6 px");
  assertThrows(() => patchScoresToMap(new Float32Array(3), 2, 2, 2, 1, 5), RangeError, "2 x 2 = 4 patch scores");
});

Deno.test("fuse() multiplies or adds elementwise, and imageScore() is the maximum", () => {
  const a = new Float32Array([1, 2, 0.5]), b = new Float32Array([3, 4, -1]);
  assertEquals(fuse(a, b, "mult"), new Float32Array([3, 8, -0.5]));
  assertEquals(fuse(a, b, "sum"), new Float32Array([4, 6, -0.5]));
  assertThrows(() => fuse(a, new Float32Array(2), "sum"), RangeError, "equal size");
  assertEquals(imageScore(new Float32Array([-3, -1, -2])), -1);
  assertEquals(imageScore(fuse(a, b, "mult")), 8);
  assertThrows(() => imageScore(new Float32Array(0)), RangeError, "non-empty");
});
