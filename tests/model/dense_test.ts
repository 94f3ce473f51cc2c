import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { assert, assertEquals } from "../assert.ts";
import { createEncoder, disposeEncoder, encodePatches, type Encoder, encoderLevels } from "../../src/model/encoder.ts";
import { embedLevels, gatherQuadrants, gatherQuadrantsOnDevice, gridSize } from "../../src/model/dense.ts";
import { Rng } from "../../src/util/rng.ts";

await tf.setBackend("cpu");

function randomImages(n: number, size: number, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  const a = new Float32Array(n * size * size * 3);
  for (let i = 0; i < a.length; i++) a[i] = rng.next() - 0.5;
  return tf.tensor4d(a, [n, size, size, 3]);
}

/** Embed every patch one by one (the reference's way) at the given stride. */
function patchByPatch(level: Encoder, images: tf.Tensor4D, stride: number): Float32Array {
  const [n, size] = images.shape;
  const k = level.patchSize;
  const g = gridSize(size, k, stride);
  return tf.tidy(() => {
    const crops: tf.Tensor4D[] = [];
    for (let i = 0; i < n; i++) {
      for (let y = 0; y < g; y++) {
        for (let x = 0; x < g; x++) crops.push(tf.slice(images, [i, y * stride, x * stride, 0], [1, k, k, 3]));
      }
    }
    return encodePatches(level, tf.concat(crops, 0) as tf.Tensor4D).dataSync() as Float32Array;
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

Deno.test("embedLevels() equals patch-by-patch encoding for f_big K=64 and its f_small (max |diff| < 1e-4)", () => {
  const enc = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 8 }, 1);
  const images = randomImages(1, 80, 2);
  const strides: Record<number, number> = { 64: 16, 32: 4 };
  const maps = embedLevels(enc, images, (k) => strides[k]);
  for (const level of encoderLevels(enc)) {
    const dense = maps.get(level.patchSize)!;
    const g = gridSize(80, level.patchSize, strides[level.patchSize]);
    assertEquals(dense.shape, [1, g, g, 8]);
    const diff = maxAbsDiff(dense.dataSync(), patchByPatch(level, images, strides[level.patchSize]));
    assert(diff < 1e-4, `K=${level.patchSize}: max |diff| ${diff}`);
  }
  for (const t of maps.values()) t.dispose();
  images.dispose();
  disposeEncoder(enc);
});

Deno.test("embedLevels() equals patch-by-patch encoding for a K=128 hierarchy and the flat K=64 encoder", () => {
  const images = randomImages(1, 128, 3);
  const hier = createEncoder({ encoder: "hier", patchSize: 128, embeddingDim: 8 }, 4);
  const strides: Record<number, number> = { 128: 32, 64: 16, 32: 16 };
  const maps = embedLevels(hier, images, (k) => strides[k]);
  for (const level of encoderLevels(hier)) {
    const diff = maxAbsDiff(
      maps.get(level.patchSize)!.dataSync(),
      patchByPatch(level, images, strides[level.patchSize]),
    );
    assert(diff < 1e-4, `K=${level.patchSize}: max |diff| ${diff}`);
  }
  const flat = createEncoder({ encoder: "flat", patchSize: 64, embeddingDim: 8 }, 5);
  const flatMap = embedLevels(flat, images, () => 16).get(64)!;
  assertEquals(flatMap.shape, [1, 5, 5, 8]);
  assert(maxAbsDiff(flatMap.dataSync(), patchByPatch(flat, images, 16)) < 1e-4);
  tf.dispose([...maps.values(), flatMap, images]);
  disposeEncoder(hier);
  disposeEncoder(flat);
});

Deno.test("createEncoder() draws PyTorch-default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights, same for a seed", () => {
  const a = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 64 }, 7);
  const b = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 64 }, 7);
  const w = a.params.get("enc.conv3.weight")!;
  assertEquals(w.shape, [3, 3, 64, 128]);
  const bound = 1 / Math.sqrt(9 * 64);
  const values = w.dataSync();
  assert(values.every((v) => Math.abs(v) <= bound));
  assert(Math.max(...values) > 0.9 * bound);
  assertEquals(maxAbsDiff(values, b.params.get("enc.conv3.weight")!.dataSync()), 0);
  assertEquals([...a.params.keys()].length, 2 * (8 + 2));
  disposeEncoder(a);
  disposeEncoder(b);
});

Deno.test("gatherQuadrantsOnDevice() (the webgpu path) equals the host gather", () => {
  const images = randomImages(2, 13, 7);
  const inner = tf.tile(images, [1, 1, 1, 2]) as tf.Tensor4D; // D = 6
  for (const [offset, step, n] of [[4, 2, 5], [2, 1, 11], [1, 3, 4]]) {
    const host = gatherQuadrants(inner.dataSync() as Float32Array, inner.shape, offset, step, n);
    const device = gatherQuadrantsOnDevice(inner, offset, step, n);
    assertEquals(device.shape, [2, n, n, 24]);
    assertEquals(Array.from(device.dataSync()), Array.from(host));
    device.dispose();
  }
  tf.dispose([inner, images]);
});
