import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { assert, assertEquals } from "../assert.ts";
import { applyStack, createEncoder, disposeEncoder, encodePatches, encoderLevels } from "../../src/model/encoder.ts";
import { denseGrid, embedCells, innermostLevel } from "../../src/model/cell_embed.ts";
import { CELL_STRIDE, cellGridSize, patchPositions } from "../../src/sampling/dense.ts";
import { Rng } from "../../src/util/rng.ts";

await tf.setBackend("cpu");

Deno.test("embedCells() on f_small's dense grid equals encodePatches() on the cropped patches (K=128, 64, 32)", () => {
  const enc = createEncoder({ encoder: "hier", patchSize: 128, embeddingDim: 8 }, 3);
  const size = 144, n = 1;
  const rng = new Rng(5);
  const pixels = new Float32Array(n * size * size * 3).map(() => rng.next() - 0.5);
  const crops = tf.tensor4d(pixels, [n, size, size, 3]);
  const grid = applyStack(innermostLevel(enc), crops);
  const g = cellGridSize(size);
  assertEquals(grid.shape.slice(0, 3), [n, g, g]);
  for (const level of encoderLevels(enc)) {
    const k = level.patchSize;
    const maxCell = g - 1 - (k / 2 - 16);
    const cells = [[0, 0], [maxCell, maxCell], [3, maxCell - 1], [Math.floor(maxCell / 2), 1]];
    const crop = Int32Array.from(cells.map((_, i) => i % n));
    const got = embedCells(level, grid, crop, Int32Array.from(cells.flat())).dataSync();
    const patches = tf.concat(
      cells.map(([cy, cx], i) => tf.slice(crops, [crop[i], cy * CELL_STRIDE, cx * CELL_STRIDE, 0], [1, k, k, 3])),
    ) as tf.Tensor4D;
    const want = encodePatches(level, patches).dataSync();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    assert(worst < 1e-4, `K=${k}: max |diff| ${worst}`);
  }
  disposeEncoder(enc);
});

Deno.test("denseGrid() of the flat encoder: cell (cy, cx) is encodePatches() of the K=64 patch at (2cy, 2cx), all 4x4 phases", () => {
  const enc = createEncoder({ encoder: "flat", patchSize: 64, embeddingDim: 8 }, 4);
  const size = 86, n = 2; // sub-crops of 80 px: 3 stride-8 patches per phase and axis, 12 cells
  const rng = new Rng(6);
  const crops = tf.tensor4d(new Float32Array(n * size * size * 3).map(() => rng.next() - 0.5), [n, size, size, 3]);
  const grid = denseGrid(enc, crops);
  const g = patchPositions("flat", size, 64);
  assertEquals(grid.shape.slice(0, 3), [n, g, g]);
  assertEquals(g, 12);
  const cells: number[][] = [];
  for (let cy = 0; cy < g; cy += 1) cells.push([cy, (5 * cy + 3) % g]); // every phase row, scattered columns
  cells.push([g - 1, g - 1], [0, 0]);
  const crop = Int32Array.from(cells.map((_, i) => i % n));
  const got = embedCells(enc, grid, crop, Int32Array.from(cells.flat())).dataSync();
  const patches = tf.concat(
    cells.map(([cy, cx], i) => tf.slice(crops, [crop[i], cy * CELL_STRIDE, cx * CELL_STRIDE, 0], [1, 64, 64, 3])),
  ) as tf.Tensor4D;
  const want = encodePatches(enc, patches).dataSync();
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
  assert(worst < 1e-4, `max |diff| ${worst}`);
  disposeEncoder(enc);
});
