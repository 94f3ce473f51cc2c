/**
 * The encoders' receptive fields (REFERENCE.md section 2): a pixel is read by a code exactly when changing
 * it changes the code. Each test pokes whole rows (or columns) of an input, one poked copy per row, and
 * sees which codes move; unread rows leave the code unchanged bit for bit.
 *
 * Hand arithmetic: f_small is a 3x3 stride-2 conv then seven 3x3 stride-1 convs. Its first layer sees
 * 3 px and moves 2 px per output; each later layer widens the field by 2 outputs * 2 px = 4 px, so
 * the field is 3 + 7 * 4 = 31 px, and on a 32x32 patch the last row and column are never read
 * (the stride-2 conv's last window starts at 2 * 14 = 28 and ends at 30). The flat K=64 encoder's
 * 5x5 convs with strides 2, 2, 2, 1 see 5, 5 + 4*2 = 13, 13 + 4*4 = 29, 29 + 4*8 = 61 px.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { assertEquals, assertThrows } from "../assert.ts";
import { applyStack, createEncoder, disposeEncoder, encodePatches, type Encoder } from "../../src/model/encoder.ts";
import { Rng } from "../../src/util/rng.ts";

await tf.setBackend("cpu");

const DIM = 16; // a small D keeps the tests cheap; the structure does not depend on it

function randomImage(size: number, seed: number, batch = 1): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(Float32Array.from({ length: batch * size * size * 3 }, () => rng.next() - 0.5), [
    batch,
    size,
    size,
    3,
  ]);
}

/**
 * One random SxS image, then one copy of it per line with that whole row ("row") or column ("col") poked
 * (+1 on every pixel and channel of the line): [1 + lines.length, S, S, 3].
 */
function pokedBatch(size: number, seed: number, axis: "row" | "col", lines: number[]): tf.Tensor4D {
  const base = randomImage(size, seed);
  const v = base.dataSync();
  base.dispose();
  const out = new Float32Array(v.length * (1 + lines.length));
  out.set(v);
  lines.forEach((line, j) => {
    const copy = v.slice();
    for (let i = 0; i < size; i++) {
      const [y, x] = axis === "row" ? [line, i] : [i, line];
      for (let c = 0; c < 3; c++) copy[(y * size + x) * 3 + c] += 1;
    }
    out.set(copy, v.length * (1 + j));
  });
  return tf.tensor4d(out, [1 + lines.length, size, size, 3]);
}

/**
 * Which of the poked lines an encoding reads: for each line, whether any value of its copy's output
 * differs from the unpoked image's.
 */
function readLines(
  encode: (x: tf.Tensor4D) => tf.Tensor,
  size: number,
  seed: number,
  axis: "row" | "col",
  lines: number[],
): boolean[] {
  const x = pokedBatch(size, seed, axis, lines);
  const y = encode(x);
  const v = y.dataSync(), per = v.length / (1 + lines.length);
  tf.dispose([x, y]);
  return lines.map((_, j) => v.subarray(per * (1 + j), per * (2 + j)).some((a, i) => a !== v[i]));
}

/** Lines 0..size-1. */
const all = (size: number) => Array.from({ length: size }, (_, i) => i);

function withEncoder(options: { encoder: "hier" | "flat"; patchSize: number }, body: (e: Encoder) => void) {
  const enc = createEncoder({ ...options, embeddingDim: DIM }, 0);
  try {
    body(enc);
  } finally {
    disposeEncoder(enc);
  }
}

Deno.test("encodePatches() maps [B, K, K, 3] to [B, D]: f_small K=32, f_big K=64 and K=128, flat K=64", () => {
  for (const [encoder, k] of [["hier", 32], ["hier", 64], ["hier", 128], ["flat", 64]] as const) {
    withEncoder({ encoder, patchSize: k }, (enc) => {
      const x = randomImage(k, k, 2);
      const h = encodePatches(enc, x);
      assertEquals(h.shape, [2, DIM], `${encoder} K=${k}`);
      tf.dispose([x, h]);
    });
  }
});

Deno.test("encodePatches() refuses patches whose side is not the encoder's K", () => {
  withEncoder({ encoder: "hier", patchSize: 64 }, (enc) => {
    const x = randomImage(32, 1);
    assertThrows(() => encodePatches(enc, x), RangeError, "Expected 64x64 patches but found 32x32");
    x.dispose();
  });
});

Deno.test("f_small reads rows and columns 0..30 of its 32x32 patch, not the last: a 31 px receptive field", () => {
  withEncoder({ encoder: "hier", patchSize: 32 }, (enc) => {
    for (const axis of ["row", "col"] as const) {
      const lines = [0, 1, 15, 29, 30, 31];
      const read = readLines((x) => encodePatches(enc, x), 32, 2, axis, lines);
      assertEquals(read, lines.map((i) => i <= 30), axis);
    }
  });
});

Deno.test("f_small's dense grid cell (cy, cx) reads exactly rows 2cy..2cy+30 and columns 2cx..2cx+30 of the image", () => {
  withEncoder({ encoder: "hier", patchSize: 32 }, (enc) => {
    // a 64x64 image gives a grid of (floor((64 - 3) / 2) + 1) - 14 = 17 cells per side
    const lines = [0, 9, 10, 31, 32, 40, 41, 62, 63];
    const x = pokedBatch(64, 3, "row", lines);
    const grid = applyStack(enc, x); // [1 + lines, 17, 17, D]
    assertEquals(grid.shape, [1 + lines.length, 17, 17, DIM]);
    const v = grid.dataSync(), perImage = 17 * 17 * DIM, perRow = 17 * DIM;
    tf.dispose([x, grid]);
    lines.forEach((r, j) => {
      // cell rows whose codes changed when row r was poked
      const moved = all(17).filter((cy) => {
        for (let i = cy * perRow; i < (cy + 1) * perRow; i++) if (v[perImage * (1 + j) + i] !== v[i]) return true;
        return false;
      });
      // by hand: cy with 2cy <= r <= 2cy + 30, i.e. ceil((r - 30) / 2) <= cy <= floor(r / 2), within 0..16
      const lo = Math.max(0, Math.ceil((r - 30) / 2)), hi = Math.min(16, Math.floor(r / 2));
      assertEquals(moved, all(17).filter((cy) => cy >= lo && cy <= hi), `row ${r}`);
    });
  });
});

Deno.test("changing a pixel outside a K=32 patch leaves its f_small code unchanged, bit for bit", () => {
  withEncoder({ encoder: "hier", patchSize: 32 }, (enc) => {
    // the code of the patch at (10, 14) is cell (5, 7) of the 64x64 image's grid; its patch is rows 10..41
    const cell = (x: tf.Tensor4D) => tf.slice(applyStack(enc, x), [0, 5, 7, 0], [x.shape[0], 1, 1, DIM]);
    const lines = [9, 10, 40, 41, 42];
    assertEquals(readLines(cell, 64, 4, "row", lines), [false, true, true, false, false]);
    const cols = [13, 14, 44, 45, 46];
    assertEquals(readLines(cell, 64, 4, "col", cols), [false, true, true, false, false]);
  });
});

Deno.test("f_big K=64 reads all four quadrants, each through f_small's 31 px: rows and columns 31 and 63 unread", () => {
  withEncoder({ encoder: "hier", patchSize: 64 }, (enc) => {
    // top and bottom quadrants (rows 0..30, 32..62), left and right (columns likewise)
    const lines = [0, 15, 30, 31, 32, 47, 62, 63];
    const expected = [true, true, true, false, true, true, true, false];
    for (const axis of ["row", "col"] as const) {
      assertEquals(readLines((x) => encodePatches(enc, x), 64, 5, axis, lines), expected, axis);
    }
  });
});

Deno.test("f_big K=64's inner f_small (the K=32 terms' encoder) on the top-left quadrant reads rows 0..30 only", () => {
  withEncoder({ encoder: "hier", patchSize: 64 }, (enc) => {
    const topLeft = (x: tf.Tensor4D) => encodePatches(enc.inner!, tf.slice(x, [0, 0, 0, 0], [x.shape[0], 32, 32, 3]));
    const lines = [0, 30, 31, 32, 63];
    assertEquals(readLines(topLeft, 64, 6, "row", lines), [true, true, false, false, false]);
  });
});

Deno.test("f_big K=128 nests K=64: every 32 px band read, rows 31, 63, 95 and 127 unread", () => {
  withEncoder({ encoder: "hier", patchSize: 128 }, (enc) => {
    const lines = [0, 31, 32, 63, 95, 126, 127];
    const read = readLines((x) => encodePatches(enc, x), 128, 7, "row", lines);
    assertEquals(read, lines.map((r) => r % 32 !== 31));
  });
});

Deno.test("the flat K=64 encoder reads rows and columns 0..60 (5x5 convs, strides 2, 2, 2, 1: 61 px)", () => {
  withEncoder({ encoder: "flat", patchSize: 64 }, (enc) => {
    const lines = [0, 30, 59, 60, 61, 62, 63];
    for (const axis of ["row", "col"] as const) {
      assertEquals(readLines((x) => encodePatches(enc, x), 64, 8, axis, lines), lines.map((i) => i <= 60), axis);
    }
  });
});
