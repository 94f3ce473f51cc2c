/**
 * Compute backends: choosing one ({@linkcode selectBackend}), the "native" backend (C++ kernels
 * through FFI on top of tfjs's cpu backend), the wasm training kernels tfjs lacks, and the exact
 * native nearest-neighbour search.
 *
 * @module
 */

export { BACKEND_NAMES, type BackendName, probeWebgpu, selectBackend, type SelectedBackend } from "./select.ts";
export {
  exactNearestNative,
  exactNearestNativeAsync,
  exactNearestNativeDetailed,
  loadNative,
  MATMUL_PRECISIONS,
  type MatmulPrecision,
  NATIVE_LIBRARY_PATH,
  type NativeActivation,
  nativeBinary,
  type NativeBinaryOp,
  nativeConv2d,
  nativeConv2dBackpropFilter,
  nativeConv2dBackpropInput,
  type NativeConvShape,
  nativeInfo,
  nativeLeakyRelu,
  nativeMatMul,
  type NativeMatMulShape,
  type NativeNearest,
  nativePrecision,
  nativeSelect,
  nativeSum,
  setNativePrecision,
  setNativeThreads,
} from "./native.ts";
export { NATIVE_BACKEND_NAME, NATIVE_KERNEL_NAMES, registerNativeBackend } from "./native_backend.ts";
export {
  benchConvKernels,
  benchExactNearest,
  encoderConvCases,
  F_SMALL_LAYERS,
  formatConvTable,
  syntheticBank,
} from "./bench.ts";
export { registerWasmConvBackpropFilter, wasmConv2dBackpropFilter } from "./wasm_conv_backprop_filter.ts";
export { registerWasmConvBackpropInput, wasmConv2dBackpropInput } from "./wasm_conv_backprop_input.ts";
