import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import {
  applyStack,
  bottomEncoder,
  createEncoder,
  disposeEncoder,
  encodeFromBottomCodes,
  encodePatches,
} from "../../src/model/encoder.ts";
import { splitQuadrants } from "../../src/sampling/crop.ts";
import { assertEquals } from "../assert.ts";
import { assertClose, randomValues } from "../backend/_helpers.ts";

Deno.test("one shared f_small pass over both scales' pieces gives each scale's encodePatches embeddings", async () => {
  await tf.setBackend("cpu");
  const encoder = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 8 }, 5);
  const small = bottomEncoder(encoder);
  assertEquals(small.patchSize, 32);
  const big = randomValues(2 * 64 * 64 * 3, 1), little = randomValues(3 * 32 * 32 * 3, 2);
  const pieces = new Float32Array(big.length + little.length);
  pieces.set(splitQuadrants(big, 2, 64));
  pieces.set(little, big.length);
  const [shared64, shared32, direct64, direct32] = tf.tidy(() => {
    const codes = tf.reshape(applyStack(small, tf.tensor4d(pieces, [11, 32, 32, 3])), [11, 8]) as tf.Tensor2D;
    return [
      encodeFromBottomCodes(encoder, tf.slice(codes, [0, 0], [8, -1])),
      encodeFromBottomCodes(small, tf.slice(codes, [8, 0], [3, -1])),
      encodePatches(encoder, tf.tensor4d(big, [2, 64, 64, 3])),
      encodePatches(small, tf.tensor4d(little, [3, 32, 32, 3])),
    ];
  });
  assertClose(direct64.dataSync() as Float32Array, shared64.dataSync() as Float32Array, 1e-5, "K=64");
  assertClose(direct32.dataSync() as Float32Array, shared32.dataSync() as Float32Array, 1e-5, "K=32");
  tf.dispose([shared64, shared32, direct64, direct32]);
  disposeEncoder(encoder);
});
