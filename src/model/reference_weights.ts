/**
 * Import (and export) encoder weights in the reference implementation's PyTorch naming and
 * layout, so the kit can run the authors' trained encoders and prove it reproduces them.
 *
 * The reference's state-dict names are our parameter names (`enc.conv1.weight` ...
 * `enc.conv8.bias` for f_small inside f_big, `conv1.*`/`conv2.*` for the hierarchical head,
 * one more `enc.` per level for K=128 and deeper). Only the layout differs:
 * PyTorch conv weight `[out, in, kh, kw]`, tfjs `[kh, kw, in, out]`; biases `[out]` in both.
 * Both frameworks compute cross-correlation, so no kernel is flipped.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { DataError } from "../errors.ts";
import { allLayers, describeEncoder, type Encoder, type EncoderOptions, ownedVariable } from "./encoder.ts";
import { decodeSafetensors, type SafetensorsTensor, writeSafetensors } from "./safetensors.ts";
import { decodeTorchStateDict, looksLikeTorchSave } from "./torch_checkpoint.ts";

/** Expectations checked against what a weight file holds (all optional). */
export interface ReferenceImportOptions {
  /** Expected encoder family. */
  encoder?: EncoderOptions["encoder"];
  /** Expected top-level patch size K. */
  patchSize?: number;
  /** Expected embedding dimension D. */
  embeddingDim?: number;
}

/**
 * Reorder a PyTorch conv weight `[out, in, kh, kw]` into the tfjs layout `[kh, kw, in, out]`.
 *
 * @param data the PyTorch-ordered values
 * @param shape `[out, in, kh, kw]`
 * @returns the values in tfjs order and the tfjs shape
 * @example
 * ```ts
 * import { torchConvToTfjs } from "./reference_weights.ts";
 * import { strictEqual } from "node:assert/strict";
 * // out=2, in=1, 1x1: the two output channels end up last
 * const { data, shape } = torchConvToTfjs(new Float32Array([5, 7]), [2, 1, 1, 1]);
 * strictEqual(shape.join(), "1,1,1,2");
 * strictEqual(data[1], 7);
 * ```
 */
export function torchConvToTfjs(data: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  const [o, i, kh, kw] = shape;
  const out = new Float32Array(data.length);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) out[((y * kw + x) * i + b) * o + a] = data[((a * i + b) * kh + y) * kw + x];
      }
    }
  }
  return { data: out, shape: [kh, kw, i, o] };
}

/**
 * Reorder a tfjs conv weight `[kh, kw, in, out]` into the PyTorch layout `[out, in, kh, kw]`.
 *
 * @param data the tfjs-ordered values
 * @param shape `[kh, kw, in, out]`
 * @returns the values in PyTorch order and the PyTorch shape
 */
export function tfjsConvToTorch(data: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  const [kh, kw, i, o] = shape;
  const out = new Float32Array(data.length);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) out[((a * i + b) * kh + y) * kw + x] = data[((y * kw + x) * i + b) * o + a];
      }
    }
  }
  return { data: out, shape: [o, i, kh, kw] };
}

/** At most `limit` names, then "and N more". */
function listNames(names: string[], limit = 6): string {
  const shown = names.slice(0, limit).join(", ");
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}

/**
 * Infer the encoder family, K and D from a reference state dict's names and shapes.
 *
 * - `(enc.)^n conv8.weight` present: hierarchical with n nested levels, K = 32 * 2^n
 *   (n = 0: f_small alone, n = 1: f_big K=64 with its `conv1`/`conv2` head, ...);
 *   D = that conv8's output channels.
 * - otherwise a 5x5 `conv4.weight`: the flat K=64 encoder, D = its output channels.
 *
 * @param tensors the state dict (PyTorch layout)
 * @param source a name for error messages (the path)
 * @returns the options that {@linkcode describeEncoder} needs
 * @throws {DataError} when the names fit no encoder
 */
export function inferReferenceEncoderOptions(
  tensors: Map<string, Pick<SafetensorsTensor, "shape">>,
  source = "the weights",
): EncoderOptions {
  const innermost = [...tensors.keys()]
    .map((name) => /^((?:enc\.)*)conv8\.weight$/.exec(name))
    .filter((m) => m !== null)
    .sort((a, b) => b[1].length - a[1].length)[0];
  if (innermost) {
    const depth = innermost[1].length / "enc.".length;
    const shape = tensors.get(innermost[0])!.shape;
    return { encoder: "hier", patchSize: 32 * 2 ** depth, embeddingDim: shape[0] };
  }
  const flat = tensors.get("conv4.weight")?.shape;
  if (flat && flat.length === 4 && flat[2] === 5 && flat[3] === 5) {
    return { encoder: "flat", patchSize: 64, embeddingDim: flat[0] };
  }
  throw new DataError(
    `${source} hold no Patch SVDD encoder: expected conv8.weight (f_small), enc.conv8.weight (f_big K=64), ` +
      `enc.enc.conv8.weight (K=128) or a 5x5 conv4.weight (flat K=64) but found ${
        listNames([...tensors.keys()]) || "no tensors"
      }`,
  );
}

/** A one-phrase description of an encoder, for messages: `hierarchical K=64 D=64`. */
function describe(encoder: Encoder): string {
  const family = { small: "f_small", hier: "hierarchical", flat: "flat" }[encoder.kind];
  return `${family} K=${encoder.patchSize} D=${encoder.embeddingDim}`;
}

/**
 * Fill an encoder's parameters from a reference state dict, converting the conv weights
 * from `[out, in, kh, kw]` to `[kh, kw, in, out]`. Every expected name must be present with
 * its expected shape and no other name may appear; otherwise nothing is loaded. Existing
 * parameters of the same names are disposed and replaced.
 *
 * @param tensors the state dict (PyTorch layout)
 * @param encoder the encoder to fill (e.g. from {@linkcode describeEncoder})
 * @param source a name for error messages (the path)
 * @returns the same encoder
 * @throws {DataError} listing the missing, unexpected and mis-shaped tensors
 */
export function loadReferenceParams(
  tensors: Map<string, SafetensorsTensor>,
  encoder: Encoder,
  source = "the weights",
): Encoder {
  const expected = new Map<string, number[]>();
  for (const l of allLayers(encoder)) {
    expected.set(`${l.name}.weight`, [l.outChannels, l.inChannels, l.kernel, l.kernel]);
    expected.set(`${l.name}.bias`, [l.outChannels]);
  }
  const missing = [...expected.keys()].filter((n) => !tensors.has(n));
  const unexpected = [...tensors.keys()].filter((n) => !expected.has(n));
  const misShaped = [...expected]
    .filter(([n, shape]) => tensors.has(n) && tensors.get(n)!.shape.join() !== shape.join())
    .map(([n, shape]) => `${n} expected [${shape.join(", ")}] but found [${tensors.get(n)!.shape.join(", ")}]`);
  const problems = [
    missing.length ? `missing ${listNames(missing)}` : "",
    unexpected.length ? `unexpected ${listNames(unexpected)}` : "",
    misShaped.length ? `wrong shape: ${listNames(misShaped, 3)}` : "",
  ].filter((p) => p);
  if (problems.length) {
    throw new DataError(
      `${source} do not fit the ${describe(encoder)} encoder (PyTorch layout [out, in, kh, kw]): ${
        problems.join("; ")
      }`,
    );
  }
  for (const [name, shape] of expected) {
    const t = tensors.get(name)!;
    let value: tf.Tensor;
    if (shape.length === 4) {
      const converted = torchConvToTfjs(t.data, t.shape);
      value = tf.tensor(converted.data, converted.shape); // [kh, kw, in, out]
    } else {
      value = tf.tensor1d(t.data);
    }
    encoder.params.get(name)?.dispose();
    encoder.params.set(name, ownedVariable(value));
  }
  return encoder;
}

/**
 * Whether bytes look like a safetensors file: an 8-byte header length, then the JSON header's `{`
 * (never the case for a zip or a `torch.save` pickle, whose ninth byte is fixed otherwise).
 *
 * @param bytes the file
 * @returns true for a safetensors file (possibly truncated: its decoder says so)
 */
function looksLikeSafetensors(bytes: Uint8Array): boolean {
  return bytes.length >= 9 && bytes[8] === 0x7b;
}

/**
 * Decode a reference state dict from a weight file's bytes, whatever its format: safetensors,
 * or PyTorch's `torch.save` (legacy pickle, as the authors publish `enchier.pkl`, or zip `.pt`),
 * told apart by the first bytes. A pickle is read without executing anything
 * (see {@linkcode decodeTorchStateDict}).
 *
 * @param bytes the whole file
 * @param source a name for error messages (the path)
 * @returns the tensors by name, in PyTorch layout, as float32
 * @throws {DataError} when the file is none of these formats, truncated, or not a state dict
 * @example
 * ```ts ignore
 * import { decodeReferenceTensors } from "./reference_weights.ts";
 * const path = "ckpts/bottle/enchier.pkl";
 * const tensors = decodeReferenceTensors(await Deno.readFile(path), path);
 * ```
 */
export function decodeReferenceTensors(bytes: Uint8Array, source = "<bytes>"): Map<string, SafetensorsTensor> {
  if (looksLikeSafetensors(bytes)) return decodeSafetensors(bytes, source).tensors;
  if (looksLikeTorchSave(bytes)) return decodeTorchStateDict(bytes, source);
  throw new DataError(
    `${source} is neither a safetensors file nor a torch.save file (legacy .pkl or zip .pt/.pth); ` +
      "pass the encoder's weights (e.g. ckpts/<category>/enchier.pkl)",
  );
}

/**
 * Read a reference encoder from a weight file (safetensors, or `torch.save` legacy `.pkl` or zip
 * `.pt`): infer its family, K and D, check them against `options`, and load the weights.
 *
 * @param path a weight file in the reference's naming and PyTorch layout
 * @param options expected family, K or D (each checked when given)
 * @returns the encoder with its parameters in the tfjs layout
 * @throws {DataError} when the file is unreadable, holds another encoder, or lacks tensors
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { createEncoder } from "./encoder.ts";
 * import { exportReferenceEncoder, importReferenceEncoder } from "./reference_weights.ts";
 * import { strictEqual } from "node:assert/strict";
 * await tf.setBackend("cpu");
 * // a file in the reference's layout (deno task import-weights writes one from the authors' checkpoint)
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await exportReferenceEncoder(path, createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 64 }, 0));
 * const fBig = await importReferenceEncoder(path, { patchSize: 64 });
 * strictEqual(fBig.inner?.patchSize, 32);
 * await Deno.remove(path);
 * ```
 */
export async function importReferenceEncoder(path: string, options: ReferenceImportOptions = {}): Promise<Encoder> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    throw new DataError(`Cannot read ${path}: ${(e as Error).message.split("\n")[0]}; check the path`);
  }
  const tensors = decodeReferenceTensors(bytes, path);
  const inferred = inferReferenceEncoderOptions(tensors, path);
  for (const key of ["encoder", "patchSize", "embeddingDim"] as const) {
    if (options[key] !== undefined && options[key] !== inferred[key]) {
      throw new DataError(
        `Expected ${path} to hold an encoder with ${key} ${options[key]} but it has ${inferred[key]}`,
      );
    }
  }
  return loadReferenceParams(tensors, describeEncoder(inferred), path);
}

/**
 * An encoder's parameters in the reference's naming and PyTorch layout (the inverse of
 * {@linkcode loadReferenceParams}).
 *
 * @param encoder the encoder
 * @returns tensors by name, conv weights as `[out, in, kh, kw]`
 */
export function referenceTensors(encoder: Encoder): Map<string, SafetensorsTensor> {
  const out = new Map<string, SafetensorsTensor>();
  for (const l of allLayers(encoder)) {
    const w = encoder.params.get(`${l.name}.weight`);
    const b = encoder.params.get(`${l.name}.bias`);
    if (!w || !b) throw new RangeError(`Expected parameters ${l.name}.weight and ${l.name}.bias but found none`);
    const torch = tfjsConvToTorch(w.dataSync() as Float32Array, w.shape);
    out.set(`${l.name}.weight`, { dtype: "F32", shape: torch.shape, data: torch.data });
    out.set(`${l.name}.bias`, { dtype: "F32", shape: b.shape, data: Float32Array.from(b.dataSync()) });
  }
  return out;
}

/**
 * Write an encoder's weights as a reference-style safetensors file (PyTorch layout), which
 * {@linkcode importReferenceEncoder} reads back.
 *
 * @param path file path (overwritten)
 * @param encoder the encoder
 * @param metadata optional `__metadata__` strings (a layout note is always added)
 */
export async function exportReferenceEncoder(
  path: string,
  encoder: Encoder,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeSafetensors(path, referenceTensors(encoder), {
    layout: "PyTorch: conv weight [out, in, kh, kw], bias [out]",
    encoder: describe(encoder),
    ...metadata,
  });
}
