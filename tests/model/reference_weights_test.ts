import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import { createEncoder, describeEncoder, disposeEncoder, type Encoder } from "../../src/model/encoder.ts";
import {
  exportReferenceEncoder,
  importReferenceEncoder,
  inferReferenceEncoderOptions,
  loadReferenceParams,
  referenceTensors,
  tfjsConvToTorch,
  torchConvToTfjs,
} from "../../src/model/reference_weights.ts";
import { DataError } from "../../src/errors.ts";
import { Rng } from "../../src/util/rng.ts";

await tf.setBackend("cpu");

/** A validator for assertThrows/assertRejects: right class, message matching `pattern`. */
function errorMatching(cls: new (...args: never[]) => Error, pattern: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof cls && pattern.test(e.message);
}

function random(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
}

function sameParams(a: Encoder, b: Encoder): void {
  assertEquals([...a.params.keys()].sort(), [...b.params.keys()].sort());
  for (const [name, v] of a.params) {
    assertEquals(b.params.get(name)!.shape, v.shape, name);
    assertEquals([...b.params.get(name)!.dataSync()], [...v.dataSync()], name);
  }
}

Deno.test("torchConvToTfjs() gives the weight that makes tf.conv2d compute PyTorch's conv2d", () => {
  // PyTorch conv2d (cross-correlation, valid) written out for [out=3, in=2, 2x3] on a 4x5 input.
  const [o, i, kh, kw, h, w] = [3, 2, 2, 3, 4, 5];
  const weight = random(o * i * kh * kw, 1);
  const input = random(h * w * i, 2); // HWC
  const expected: number[] = [];
  for (let y = 0; y + kh <= h; y++) {
    for (let x = 0; x + kw <= w; x++) {
      for (let a = 0; a < o; a++) {
        let s = 0;
        for (let b = 0; b < i; b++) {
          for (let dy = 0; dy < kh; dy++) {
            for (let dx = 0; dx < kw; dx++) {
              s += weight[((a * i + b) * kh + dy) * kw + dx] * input[((y + dy) * w + x + dx) * i + b];
            }
          }
        }
        expected.push(s);
      }
    }
  }
  const converted = torchConvToTfjs(weight, [o, i, kh, kw]);
  assertEquals(converted.shape, [kh, kw, i, o]);
  const got = tf.tidy(() =>
    tf.conv2d(tf.tensor4d(input, [1, h, w, i]), tf.tensor4d(converted.data, [kh, kw, i, o]), 1, "valid").dataSync()
  );
  assertEquals(got.length, expected.length);
  assert(expected.every((e, j) => Math.abs(e - got[j]) < 1e-5));
  // and back
  const back = tfjsConvToTorch(converted.data, converted.shape);
  assertEquals(back.shape, [o, i, kh, kw]);
  assertEquals([...back.data], [...weight]);
});

Deno.test("exportReferenceEncoder() then importReferenceEncoder() round-trips f_small, f_big K=64, K=128 and the flat encoder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases = [
      { encoder: "hier", patchSize: 64, embeddingDim: 8 },
      { encoder: "hier", patchSize: 128, embeddingDim: 4 },
      { encoder: "hier", patchSize: 32, embeddingDim: 16 },
      { encoder: "flat", patchSize: 64, embeddingDim: 8 },
    ] as const;
    for (const [c, options] of cases.entries()) {
      const original = createEncoder(options, c);
      const path = join(dir, `${c}.safetensors`);
      await exportReferenceEncoder(path, original);
      const imported = await importReferenceEncoder(path);
      assertEquals(
        {
          encoder: imported.kind === "flat" ? "flat" : "hier",
          patchSize: imported.patchSize,
          embeddingDim: imported.embeddingDim,
        },
        options,
      );
      sameParams(original, imported);
      disposeEncoder(original);
      disposeEncoder(imported);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("referenceTensors() uses the reference's names and PyTorch shapes", () => {
  const enc = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 64 }, 0);
  const t = referenceTensors(enc);
  assertEquals(t.get("enc.conv2.weight")!.shape, [64, 32, 3, 3]);
  assertEquals(t.get("conv1.weight")!.shape, [128, 64, 2, 2]);
  assertEquals(t.get("conv2.bias")!.shape, [64]);
  assertEquals(t.size, 20);
  assertEquals(inferReferenceEncoderOptions(t), { encoder: "hier", patchSize: 64, embeddingDim: 64 });
  disposeEncoder(enc);
});

Deno.test("loadReferenceParams() lists missing, unexpected and mis-shaped tensors and loads nothing", () => {
  const source = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 8 }, 0);
  const tensors = referenceTensors(source);
  tensors.delete("enc.conv3.bias");
  tensors.set("module.extra", { dtype: "F32", shape: [1], data: new Float32Array(1) });
  tensors.set("conv2.weight", { dtype: "F32", shape: [8, 64, 1, 1], data: new Float32Array(8 * 64) });
  const target = describeEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 8 });
  assertThrows(
    () => loadReferenceParams(tensors, target, "w.safetensors"),
    errorMatching(
      DataError,
      /^w\.safetensors do not fit the hierarchical K=64 D=8 encoder .*: missing enc\.conv3\.bias; unexpected module\.extra; wrong shape: conv2\.weight expected \[8, 128, 1, 1\] but found \[8, 64, 1, 1\]$/,
    ),
  );
  assertEquals(target.params.size, 0);
  disposeEncoder(source);
});

Deno.test("inferReferenceEncoderOptions() names what it expected when no encoder fits", () => {
  assertThrows(
    () => inferReferenceEncoderOptions(new Map([["fc1.weight", { shape: [128, 64] }]]), "cls.safetensors"),
    errorMatching(
      DataError,
      /^cls\.safetensors hold no Patch SVDD encoder: expected conv8\.weight .* found fc1\.weight$/,
    ),
  );
});

Deno.test("importReferenceEncoder() refuses a file whose K or D differs from the expected one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const enc = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 8 }, 0);
    const path = join(dir, "w.safetensors");
    await exportReferenceEncoder(path, enc);
    await assertRejects(
      () => importReferenceEncoder(path, { embeddingDim: 64 }),
      errorMatching(DataError, /with embeddingDim 64 but it has 8$/),
    );
    disposeEncoder(enc);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
