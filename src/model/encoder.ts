/**
 * The Patch SVDD encoders (REFERENCE.md section 2), written directly on tfjs-core.
 *
 * - `f_small` (K=32, the reference's `EncoderDeep`): eight 3x3 valid convs, the first
 *   with stride 2, LeakyReLU(0.1) between them, tanh at the end.
 * - `f_big` (K = 32 * 2^n, `EncoderHier`): the patch's four quadrants go through the
 *   encoder one level down (shared weights), the four codes form a 2x2xD map, then a
 *   2x2 conv -> 128, LeakyReLU, a 1x1 conv -> D, tanh.
 * - the flat K=64 baseline (`Encoder`): 5x5 convs, strides 2, 2, 2, 1.
 *
 * Parameters live in one flat {@linkcode Params} map whose names mirror the reference's
 * PyTorch module names (`enc.conv1.weight`, `conv1.bias`, ...), so reference
 * checkpoints import by name. Weights use the tfjs layout `[kh, kw, in, out]`.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../util/rng.ts";
import { hasLeakyKernels } from "../backend/leaky_kernels.ts";
import { leakyConvStack } from "./leaky_conv.ts";

/** All trainable tensors of a model, keyed by reference-style names. */
export type Params = Map<string, tf.Variable>;

/** One convolution of an encoder. */
export interface ConvLayer {
  /** Parameter name prefix, e.g. `enc.conv3` (weight is `${name}.weight`). */
  name: string;
  /** Kernel side. */
  kernel: number;
  /** Input channels. */
  inChannels: number;
  /** Output channels. */
  outChannels: number;
  /** Stride on the patch. */
  stride: number;
  /** Output nonlinearity. */
  activation: "leaky" | "tanh";
}

/** An encoder of KxK patches into D-vectors; `inner` is the level below for hierarchical ones. */
export interface Encoder {
  /** "small" = f_small (K=32), "hier" = hierarchical f_big, "flat" = non-hierarchical K=64. */
  kind: "small" | "hier" | "flat";
  /** Patch side K this encoder maps to a single vector. */
  patchSize: number;
  /** Embedding dimension D. */
  embeddingDim: number;
  /** Parameter name prefix of this level (`""` at the top, `enc.` one level down, ...). */
  prefix: string;
  /** Own layers (for "hier": the 2x2 and 1x1 head only). */
  layers: ConvLayer[];
  /** The encoder one level down (quadrants), for "hier" only. */
  inner: Encoder | null;
  /** Shared parameter map of the whole model. */
  params: Params;
}

/** LeakyReLU slope of every encoder and classifier layer. */
export const LEAKY_SLOPE = 0.1;

function smallLayers(prefix: string, dim: number): ConvLayer[] {
  const channels = [3, 32, 64, 128, 128, 64, 32, 32, dim];
  return channels.slice(1).map((out, i) => ({
    name: `${prefix}conv${i + 1}`,
    kernel: 3,
    inChannels: channels[i],
    outChannels: out,
    stride: i === 0 ? 2 : 1,
    activation: i === 7 ? "tanh" : "leaky",
  }));
}

function flatLayers(prefix: string, dim: number): ConvLayer[] {
  const channels = [3, 64, 64, 128, dim];
  return channels.slice(1).map((out, i) => ({
    name: `${prefix}conv${i + 1}`,
    kernel: 5,
    inChannels: channels[i],
    outChannels: out,
    stride: i < 3 ? 2 : 1,
    activation: i === 3 ? "tanh" : "leaky",
  }));
}

function hierHead(prefix: string, dim: number): ConvLayer[] {
  return [
    { name: `${prefix}conv1`, kernel: 2, inChannels: dim, outChannels: 128, stride: 1, activation: "leaky" },
    { name: `${prefix}conv2`, kernel: 1, inChannels: 128, outChannels: dim, stride: 1, activation: "tanh" },
  ];
}

/** Options of {@linkcode createEncoder}. */
export interface EncoderOptions {
  /** "hier" (reference) or "flat" (K=64 only). */
  encoder: "hier" | "flat";
  /** Top-level patch size K (32 gives f_small alone). */
  patchSize: number;
  /** Embedding dimension D. */
  embeddingDim: number;
}

/**
 * Describe an encoder's structure (no parameters are allocated).
 *
 * @param options encoder family, K and D
 * @param params the parameter map to attach (filled by {@linkcode initParams})
 * @returns the encoder tree
 */
export function describeEncoder(options: EncoderOptions, params: Params = new Map()): Encoder {
  const build = (k: number, prefix: string): Encoder => {
    if (options.encoder === "flat") {
      return {
        kind: "flat",
        patchSize: k,
        embeddingDim: options.embeddingDim,
        prefix,
        layers: flatLayers(prefix, options.embeddingDim),
        inner: null,
        params,
      };
    }
    if (k === 32) {
      return {
        kind: "small",
        patchSize: 32,
        embeddingDim: options.embeddingDim,
        prefix,
        layers: smallLayers(prefix, options.embeddingDim),
        inner: null,
        params,
      };
    }
    return {
      kind: "hier",
      patchSize: k,
      embeddingDim: options.embeddingDim,
      prefix,
      layers: hierHead(prefix, options.embeddingDim),
      inner: build(k / 2, `${prefix}enc.`),
      params,
    };
  };
  return build(options.patchSize, "");
}

/**
 * Every level of an encoder, top first (f_big K=64 then its f_small K=32, ...).
 *
 * @param encoder the top-level encoder
 * @returns the encoder and each inner level
 */
export function encoderLevels(encoder: Encoder): Encoder[] {
  const out: Encoder[] = [];
  for (let e: Encoder | null = encoder; e; e = e.inner) out.push(e);
  return out;
}

/** All conv layers of the encoder tree, innermost first. */
export function allLayers(encoder: Encoder): ConvLayer[] {
  return encoderLevels(encoder).reverse().flatMap((e) => e.layers);
}

/**
 * A trainable variable holding a tensor's values; the tensor itself is disposed (a
 * variable shares its data, so keeping both would leak one reference per parameter).
 *
 * @param t initial value (consumed)
 * @returns the variable
 */
export function ownedVariable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

/**
 * PyTorch-default initialisation: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
 * fan_in = kh * kw * in. Drawn from a seeded JS generator, so it is identical on every backend.
 *
 * @param layers the layers to initialise
 * @param rng the seeded generator
 * @param params map to fill
 * @returns the filled map
 */
export function initConvParams(layers: ConvLayer[], rng: Rng, params: Params): Params {
  for (const l of layers) {
    const fanIn = l.kernel * l.kernel * l.inChannels;
    const bound = 1 / Math.sqrt(fanIn);
    const w = new Float32Array(l.kernel * l.kernel * l.inChannels * l.outChannels);
    for (let i = 0; i < w.length; i++) w[i] = (rng.next() * 2 - 1) * bound;
    const b = new Float32Array(l.outChannels);
    for (let i = 0; i < b.length; i++) b[i] = (rng.next() * 2 - 1) * bound;
    params.set(`${l.name}.weight`, ownedVariable(tf.tensor4d(w, [l.kernel, l.kernel, l.inChannels, l.outChannels])));
    params.set(`${l.name}.bias`, ownedVariable(tf.tensor1d(b)));
  }
  return params;
}

/**
 * Create an encoder with freshly initialised parameters.
 *
 * @param options encoder family, K and D
 * @param seed initialisation seed
 * @returns the encoder, its parameters in `encoder.params`
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { createEncoder, disposeEncoder } from "./encoder.ts";
 * import { strictEqual } from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const enc = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 64 }, 0);
 * strictEqual(enc.inner?.patchSize, 32);
 * strictEqual(enc.params.get("conv1.weight")?.shape.join(), "2,2,64,128"); // f_big's 2x2 head on the quadrant codes
 * disposeEncoder(enc);
 * ```
 */
export function createEncoder(options: EncoderOptions, seed: number): Encoder {
  const encoder = describeEncoder(options);
  initConvParams(allLayers(encoder), new Rng(seed), encoder.params);
  return encoder;
}

function param(encoder: Encoder, name: string): tf.Variable {
  const p = encoder.params.get(name);
  if (!p) throw new Error(`Missing parameter ${name}`);
  return p;
}

/**
 * Apply one conv layer (+ bias + activation) to an NHWC tensor.
 *
 * The bias is always fused into the conv kernel. tfjs can differentiate a fused
 * activation only for relu/linear, so LeakyReLU is fused only when `inference` is set
 * (no gradient needed) and applied as a separate op otherwise.
 *
 * @param encoder the encoder owning the parameters
 * @param layer which layer
 * @param x input [N, H, W, C]
 * @param dilation dilation (with stride 1) for dense evaluation of strided layouts
 * @param inference fuse the LeakyReLU too (forward-only use)
 * @returns the activated output
 */
export function applyConv(
  encoder: Encoder,
  layer: ConvLayer,
  x: tf.Tensor4D,
  dilation = 1,
  inference = false,
): tf.Tensor4D {
  const filter = param(encoder, `${layer.name}.weight`) as unknown as tf.Tensor4D;
  const bias = param(encoder, `${layer.name}.bias`);
  const fuseLeaky = inference && layer.activation === "leaky";
  const y = tf.fused.conv2d({
    x,
    filter,
    strides: layer.stride,
    pad: "valid",
    dilations: dilation,
    bias,
    activation: fuseLeaky ? "leakyrelu" : "linear",
    leakyreluAlpha: LEAKY_SLOPE,
  });
  if (fuseLeaky) return y;
  if (layer.activation === "tanh") {
    tanhInputSink?.(y);
    return tf.tanh(y);
  }
  return tf.leakyRelu(y, LEAKY_SLOPE);
}

/** Receives the pre-activation of every tanh layer applied while it is set (see {@linkcode withTanhInputs}). */
let tanhInputSink: ((z: tf.Tensor4D) => void) | null = null;

/**
 * Run `fn`, handing `sink` the pre-activation (conv + bias, before the tanh) of every tanh layer it
 * applies: the training step's pre-activation bound reads them inside its gradient tape.
 *
 * @param sink receives each tanh layer's input
 * @param fn the computation
 * @returns what `fn` returns
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { equal } from "node:assert/strict";
 * import { createEncoder, disposeEncoder, encodePatches, withTanhInputs } from "./encoder.ts";
 * await tf.setBackend("cpu");
 * const enc = createEncoder({ encoder: "hier", patchSize: 64, embeddingDim: 8 }, 0);
 * const seen: number[][] = [];
 * withTanhInputs((z) => seen.push(z.shape), () => encodePatches(enc, tf.zeros([1, 64, 64, 3])));
 * equal(JSON.stringify(seen), "[[4,1,1,8],[1,1,1,8]]"); // f_small on the 4 quadrants, then the K=64 head
 * disposeEncoder(enc);
 * ```
 */
export function withTanhInputs<T>(sink: (z: tf.Tensor4D) => void, fn: () => T): T {
  const previous = tanhInputSink;
  tanhInputSink = sink;
  try {
    return fn();
  } finally {
    tanhInputSink = previous;
  }
}

/**
 * Apply an encoder's own layers (not its inner level's) to an input, valid padding: on a
 * KxK patch (or a 2x2 grid of quadrant codes for a hierarchical level) the embedding, on
 * a larger input f_small's or the flat encoder's dense grid.
 *
 * On backends with the fused LeakyReLU gradient kernels (native), the leading LeakyReLU
 * layers run as one {@linkcode leakyConvStack}; the input of a pixel-level encoder (f_small,
 * flat) then gets no gradient, as it is data.
 *
 * @param encoder the level
 * @param x [N, H, W, C]
 * @returns [N, H', W', D]
 */
export function applyStack(encoder: Encoder, x: tf.Tensor4D): tf.Tensor4D {
  return applyLayers(encoder, x, 0, encoder.layers.length);
}

/**
 * Apply layers `from` to `to - 1` of an encoder, as {@linkcode applyStack} does (leading
 * LeakyReLU layers fused on native); the input gets a gradient unless it is pixels (`from`
 * 0 of f_small or the flat encoder).
 *
 * @param encoder the level
 * @param x [N, H, W, C], the input of layer `from`
 * @param from first layer
 * @param to one past the last layer
 * @returns layer `to - 1`'s output
 */
export function applyLayers(encoder: Encoder, x: tf.Tensor4D, from: number, to: number): tf.Tensor4D {
  let h = x;
  let first = from;
  if (hasLeakyKernels()) {
    while (first < to && encoder.layers[first].activation === "leaky") first++;
    if (first > from) {
      const layers = encoder.layers.slice(from, first).map((l) => ({
        filter: param(encoder, `${l.name}.weight`) as unknown as tf.Tensor4D,
        bias: param(encoder, `${l.name}.bias`) as unknown as tf.Tensor1D,
        stride: l.stride,
      }));
      h = leakyConvStack(h, layers, { alpha: LEAKY_SLOPE, inputGrad: from > 0 || encoder.inner !== null });
    }
  }
  for (const layer of encoder.layers.slice(first, to)) h = applyConv(encoder, layer, h);
  return h;
}

/**
 * Encode a batch of KxK patches, one D-vector each (the reference's `forward`).
 *
 * @param encoder the encoder (its `patchSize` must equal the patches' side)
 * @param patches [B, K, K, 3], normalised pixels
 * @returns [B, D]
 */
export function encodePatches(encoder: Encoder, patches: tf.Tensor4D): tf.Tensor2D {
  const [b, h, w] = patches.shape;
  if (h !== encoder.patchSize || w !== encoder.patchSize) {
    throw new RangeError(`Expected ${encoder.patchSize}x${encoder.patchSize} patches but found ${h}x${w}`);
  }
  if (encoder.kind !== "hier") return tf.reshape(applyStack(encoder, patches), [b, encoder.embeddingDim]);
  const half = encoder.patchSize / 2;
  // The four quadrants, stacked on the batch axis: top-left, top-right, bottom-left, bottom-right.
  const quads = [
    [0, 0],
    [0, half],
    [half, 0],
    [half, half],
  ].map(([y, x]) => tf.slice(patches, [0, y, x, 0], [b, half, half, 3]));
  const codes = encodePatches(encoder.inner!, tf.concat(quads, 0) as tf.Tensor4D); // [4B, D]
  const d = encoder.embeddingDim;
  // [4, B, D] -> [B, 2, 2, D]: the four quadrant codes in their spatial arrangement
  const grid = tf.reshape(tf.transpose(tf.reshape(codes, [4, b, d]), [1, 0, 2]), [b, 2, 2, d]) as tf.Tensor4D;
  return tf.reshape(applyStack(encoder, grid), [b, d]);
}

/**
 * Encode patches whose quadrants were already split on the host (see
 * `splitQuadrants` in src/sampling/crop.ts): for a hierarchy of depth d the input holds
 * 4^d * B patches of 32x32, ordered (innermost quadrant, ..., outermost quadrant, patch).
 * Same result as {@linkcode encodePatches} on the whole patches, without slicing tensors
 * (tfjs' slice kernels are slow on the cpu-based backends).
 *
 * @param encoder the top-level encoder
 * @param quadrants [4^d * B, 32, 32, 3] (for f_small or the flat encoder: [B, K, K, 3])
 * @returns [B, D]
 */
export function encodeSplitPatches(encoder: Encoder, quadrants: tf.Tensor4D): tf.Tensor2D {
  const bottom = bottomEncoder(encoder);
  const codes = tf.reshape(applyStack(bottom, quadrants), [quadrants.shape[0], bottom.embeddingDim]) as tf.Tensor2D;
  return encodeFromBottomCodes(encoder, codes);
}

/**
 * The encoder at the bottom of a hierarchy (f_small for hierarchical encoders; the encoder
 * itself otherwise): the one that sees pixels.
 *
 * @param encoder any encoder
 * @returns its innermost level
 */
export function bottomEncoder(encoder: Encoder): Encoder {
  let e = encoder;
  while (e.inner) e = e.inner;
  return e;
}

/**
 * Finish {@linkcode encodeSplitPatches} from the bottom encoder's codes of the split pieces:
 * every hierarchical level above arranges its four quadrant codes as a 2x2 map and applies its
 * head. Lets several scales share one bottom-level pass (the training step encodes the pieces of
 * every scale in one batch).
 *
 * @param encoder the top-level encoder
 * @param codes [4^d * B, D] codes of the pieces, ordered as {@linkcode encodeSplitPatches}' input
 * @returns [B, D]
 */
export function encodeFromBottomCodes(encoder: Encoder, codes: tf.Tensor2D): tf.Tensor2D {
  if (encoder.kind !== "hier") return codes;
  const d = encoder.embeddingDim;
  const inner = encodeFromBottomCodes(encoder.inner!, codes); // [4B, D] ordered (quadrant, patch)
  const b = inner.shape[0] / 4;
  const grid = tf.reshape(tf.transpose(tf.reshape(inner, [4, b, d]), [1, 0, 2]), [b, 2, 2, d]) as tf.Tensor4D;
  return tf.reshape(applyStack(encoder, grid), [b, d]);
}

/** Free every parameter of an encoder. */
export function disposeEncoder(encoder: Encoder): void {
  for (const v of encoder.params.values()) v.dispose();
  encoder.params.clear();
}
