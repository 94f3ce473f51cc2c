/**
 * A run of training-time convolution layers, h_{i+1} = LeakyReLU(conv(h_i, W_i) + b_i) (valid
 * padding), as one differentiable op with a hand-written gradient.
 *
 * Why: tfjs cannot differentiate a fused LeakyReLU epilogue, so each layer would otherwise be a
 * conv, a bias add and a LeakyRelu going forward, and Greater + Select + Multiply going back: six
 * full passes over the activations, each allocating a tensor, on a CPU backend whose elementwise
 * passes are bound by memory bandwidth. Here the forward is one fused kernel per layer; going back,
 * the LeakyReLU gradient is applied once at the top ({@linkcode leakyReluGrad}) and then inside each
 * input-gradient kernel while its result is still in cache ({@linkcode conv2dBackpropInputLeaky}).
 * The first layer's input gradient is computed only when asked for (tfjs' conv2d computes it even
 * for pixels).
 *
 * Needs the kernels of `leaky_kernels.ts` ({@linkcode hasLeakyKernels}: the "native" backend); the
 * gradients equal tfjs' own (tests/model/leaky_conv_test.ts).
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { conv2dBackpropInputLeaky, leakyReluGrad } from "../backend/leaky_kernels.ts";

/** One layer of a {@linkcode leakyConvStack}. */
export interface LeakyConvLayer {
  /** Filter [kh, kw, Cin, Cout]. */
  filter: tf.Tensor4D;
  /** Bias [Cout]. */
  bias: tf.Tensor1D;
  /** Stride (both axes). */
  stride: number;
}

/** Options of {@linkcode leakyConvStack}. */
export interface LeakyConvStackOptions {
  /** LeakyReLU slope for negative inputs (> 0). */
  alpha: number;
  /**
   * Whether the gradient with respect to the input is needed. When false (the input is data), the
   * input is not an input of the op for autodiff: asking for its gradient fails as for any tensor
   * the loss does not depend on.
   */
  inputGrad: boolean;
}

function fusedLeakyConv(x: tf.Tensor4D, layer: LeakyConvLayer, alpha: number): tf.Tensor4D {
  // The kernel itself: tf.fused.conv2d unfuses activations whenever a gradient tape is recording.
  return tf.engine().runKernel(tf.FusedConv2D, { x, filter: layer.filter, bias: layer.bias }, {
    strides: layer.stride,
    pad: "valid",
    dataFormat: "NHWC",
    dilations: 1,
    dimRoundingMode: undefined,
    activation: "leakyrelu",
    leakyreluAlpha: alpha,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

function filterGrad(x: tf.Tensor4D, dz: tf.Tensor4D, layer: LeakyConvLayer): tf.Tensor4D {
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dz }, {
    strides: layer.stride,
    pad: "valid",
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
    filterShape: layer.filter.shape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/**
 * Apply the layers in order with the fused gradient described above.
 *
 * @param x input [N, H, W, C]
 * @param layers the layers (at least one)
 * @param options slope, and whether x needs a gradient
 * @returns the last layer's activation
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { leakyConvStack } from "./leaky_conv.ts";
 * import { deepStrictEqual, ok } from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const x = tf.fill([1, 5, 5, 1], -1) as tf.Tensor4D;
 * const layer = { filter: tf.ones([3, 3, 1, 1]) as tf.Tensor4D, bias: tf.zeros([1]) as tf.Tensor1D, stride: 2 };
 * const h = leakyConvStack(x, [layer], { alpha: 0.1, inputGrad: false });
 * deepStrictEqual(h.shape, [1, 2, 2, 1]); // (5 - 3) / 2 + 1 = 2 outputs per side
 * ok(h.dataSync().every((v) => Math.abs(v + 0.9) < 1e-6)); // nine -1s sum to -9; LeakyReLU(0.1) gives -0.9
 * tf.dispose([x, h, layer.filter, layer.bias]);
 * ```
 */
export function leakyConvStack(x: tf.Tensor4D, layers: LeakyConvLayer[], options: LeakyConvStackOptions): tf.Tensor4D {
  if (layers.length === 0) throw new RangeError("Expected at least one layer");
  const { alpha, inputGrad } = options;
  const n = layers.length;
  const weights = layers.flatMap((l) => [l.filter, l.bias]);
  const op = tf.customGrad((...args) => {
    const save = args.pop() as tf.GradSaveFunc;
    const input = inputGrad ? args[0] as tf.Tensor4D : x;
    // hs[i] is layer i's input; hs[n] the output.
    const hs: tf.Tensor4D[] = [input];
    for (let i = 0; i < n; i++) hs.push(fusedLeakyConv(hs[i], layers[i], alpha));
    save(hs);
    return {
      value: hs[n],
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const h = saved as tf.Tensor4D[];
          const grads: tf.Tensor[] = new Array(2 * n);
          let dz = leakyReluGrad(dy as tf.Tensor4D, h[n], alpha); // w.r.t. the last pre-activation
          let dx: tf.Tensor4D | null = null;
          for (let i = n - 1; i >= 0; i--) {
            const l = layers[i];
            grads[2 * i] = filterGrad(h[i], dz, l);
            grads[2 * i + 1] = tf.sum(dz, [0, 1, 2]);
            if (i > 0) dz = conv2dBackpropInputLeaky(dz, l.filter, h[i], l.stride, "valid", alpha);
            else if (inputGrad) dx = tf.conv2dTranspose(dz, l.filter, h[0].shape, l.stride, "valid");
          }
          return dx ? [dx, ...grads] : grads;
        }),
    };
  });
  return (inputGrad ? op(x, ...weights) : op(...weights)) as tf.Tensor4D;
}
