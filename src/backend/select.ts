/**
 * Choosing the tfjs backend: `--backend auto|native|wasm|webgpu|cpu|tensorflow|tensorflow-gpu`.
 *
 * `auto` prefers, in order: tensorflow-gpu and tensorflow (tfjs-node, when installed), WebGPU on a
 * real (non-software) adapter, the native C++ kernels, then wasm. Every choice comes back with a
 * one-line note saying what runs and why the faster options were skipped.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { UserError } from "../errors.ts";
import { loadNative, MATMUL_PRECISIONS, type MatmulPrecision, nativeInfo, setNativePrecision } from "./native.ts";

/** Backends the kit can run on. */
export type BackendName = "auto" | "native" | "wasm" | "webgpu" | "cpu" | "tensorflow" | "tensorflow-gpu";

/** Every accepted `--backend` value. */
export const BACKEND_NAMES: readonly BackendName[] = [
  "auto",
  "native",
  "wasm",
  "webgpu",
  "cpu",
  "tensorflow",
  "tensorflow-gpu",
];

/** The backend in use after {@linkcode selectBackend}. */
export interface SelectedBackend {
  /** The tfjs backend name now active ("native", "wasm", "webgpu", "cpu" or "tensorflow"). */
  name: string;
  /** One line: what runs, and for "auto" why faster options were skipped. */
  note: string;
}

/** A backend that cannot run here; `brief` is the few words "auto" reports for it. */
class BackendUnavailable extends UserError {
  /**
   * @param message one line: why, and which backend to use instead
   * @param brief a few words for the "auto" summary
   */
  constructor(message: string, readonly brief: string) {
    super(message);
    this.name = "UserError";
  }
}

/** How long "auto" waits for a WebGPU adapter before giving up on it. */
const ADAPTER_TIMEOUT_MS = 5000;

/**
 * Load, register and activate a tfjs backend.
 *
 * @param name the requested backend; "auto" picks the fastest available one
 * @param options precision: arithmetic of the native convolutions and matmuls (default "fp32";
 *   "bf16" needs the native backend on a CPU with AMX, see {@linkcode MatmulPrecision})
 * @returns the active backend's name and a note for the log
 * @throws {UserError} when an explicitly requested backend cannot run here (message: why, and
 *   which backend to use instead)
 * @example
 * ```ts
 * import { selectBackend } from "./select.ts";
 * const { name, note } = await selectBackend("cpu");
 * console.log(name, "-", note);
 * ```
 */
export async function selectBackend(
  name: BackendName = "auto",
  options: { precision?: MatmulPrecision } = {},
): Promise<SelectedBackend> {
  const chosen = await selectByName(name);
  return applyPrecision(chosen, options.precision ?? "fp32");
}

/**
 * Set the native kernels' arithmetic for the backend now active. "fp32" is always accepted (and
 * resets a native backend to it); "bf16" needs the native backend on a CPU with AMX.
 */
function applyPrecision(chosen: SelectedBackend, precision: MatmulPrecision): SelectedBackend {
  if (!MATMUL_PRECISIONS.includes(precision)) {
    throw new UserError(`Expected --precision to be one of ${MATMUL_PRECISIONS.join(", ")} but found '${precision}'`);
  }
  if (chosen.name !== "native") {
    if (precision === "fp32") return chosen;
    throw new UserError(
      `--precision ${precision} needs the native backend, but this run uses ${chosen.name}: ` +
        `add --backend native, or use --precision fp32`,
    );
  }
  try {
    setNativePrecision(precision);
  } catch (e) {
    throw new UserError(shortReason(e));
  }
  if (precision === "fp32") return chosen;
  return { name: chosen.name, note: `${chosen.note}; ${precision} matmuls on AMX tiles (float32 sums)` };
}

async function selectByName(name: BackendName): Promise<SelectedBackend> {
  switch (name) {
    case "auto":
      return await selectAuto();
    case "tensorflow":
    case "tensorflow-gpu":
      return await useTensorflow(name === "tensorflow-gpu");
    case "webgpu":
      return await useWebgpu(false);
    case "native":
      return await useNative();
    case "wasm":
      return await useWasm();
    case "cpu":
      return await activate("cpu", "cpu: pure JavaScript kernels (slow; for tests and reference)");
    default:
      throw new UserError(`Expected --backend to be one of ${BACKEND_NAMES.join(", ")} but found '${name}'`);
  }
}

async function selectAuto(): Promise<SelectedBackend> {
  const skipped: string[] = [];
  const attempts: [string, () => Promise<SelectedBackend>][] = [
    ["tensorflow-gpu", () => useTensorflow(true)],
    ["tensorflow", () => useTensorflow(false)],
    ["webgpu", () => useWebgpu(true)],
    ["native", () => useNative()],
    ["wasm", () => useWasm()],
  ];
  for (const [label, attempt] of attempts) {
    try {
      const chosen = await attempt();
      return { name: chosen.name, note: `${chosen.note} (auto; skipped: ${skipped.join("; ") || "none"})` };
    } catch (e) {
      skipped.push(`${label}: ${e instanceof BackendUnavailable ? e.brief : shortReason(e)}`);
    }
  }
  const fallback = await activate("cpu", "cpu: pure JavaScript kernels (slow)");
  return { name: fallback.name, note: `${fallback.note} (auto; skipped: ${skipped.join("; ")})` };
}

function shortReason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0];
}

async function activate(name: string, note: string): Promise<SelectedBackend> {
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new UserError(`Backend ${name} failed to start (${shortReason(e)}); use --backend native|wasm|cpu`);
  }
  if (!ok) throw new UserError(`Backend ${name} failed to start; use --backend native|wasm|cpu`);
  await tf.ready();
  // The cpu backend greets its first tensor with advice to install tfjs-node (see --backend tensorflow).
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if (name === "cpu" && backend.firstUse) backend.firstUse = false;
  return { name, note };
}

/** tfjs-node (libtensorflow): registers the "tensorflow" backend. Not installable offline. */
async function useTensorflow(gpu: boolean): Promise<SelectedBackend> {
  const pkg = gpu ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node";
  if (tf.findBackendFactory("tensorflow") === null) {
    try {
      // A computed specifier: the package is optional and absent from the import map.
      const specifier = pkg;
      await import(specifier);
    } catch {
      throw new BackendUnavailable(
        `The ${gpu ? "tensorflow-gpu" : "tensorflow"} backend needs ${pkg}, which is not installed: install ${pkg} ` +
          `(needs internet to download libtensorflow${gpu ? ", and CUDA 11" : ""}) or use --backend native|wasm`,
        `${pkg} not installed`,
      );
    }
  }
  return await activate("tensorflow", `tensorflow: libtensorflow via ${pkg}`);
}

/** Describe the first WebGPU adapter, or say why there is none. */
export async function probeWebgpu(): Promise<{ description: string; fallback: boolean } | { reason: string }> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { reason: "navigator.gpu is not available in this runtime" };
  // Mesa's Vulkan drivers print an error per adapter when this is unset (headless machines, CI).
  if (Deno.env.get("XDG_RUNTIME_DIR") === undefined) Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ADAPTER_TIMEOUT_MS);
  });
  try {
    const adapter = await Promise.race([gpu.requestAdapter({ powerPreference: "high-performance" }), timeout]);
    if (!adapter) return { reason: "no WebGPU adapter found" };
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const description = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(" ");
    const software = /llvmpipe|lavapipe|swiftshader|software|warp/i.test(description);
    const fallback = info.isFallbackAdapter === true ||
      (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true || software;
    return { description: description || "unknown adapter", fallback };
  } catch (e) {
    return { reason: `requesting a WebGPU adapter failed (${shortReason(e)})` };
  } finally {
    clearTimeout(timer);
  }
}

async function useWebgpu(requireHardware: boolean): Promise<SelectedBackend> {
  const probe = await probeWebgpu();
  if ("reason" in probe) {
    throw new BackendUnavailable(`WebGPU is unavailable: ${probe.reason}; use --backend native|wasm`, probe.reason);
  }
  if (probe.fallback && requireHardware) {
    throw new BackendUnavailable(
      `Only a software WebGPU adapter was found (${probe.description}); use --backend native|wasm`,
      `software adapter only (${probe.description})`,
    );
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  const { registerWebgpuConvBackpropFilter } = await import("./webgpu_conv_backprop_filter.ts");
  const kernels = registerWebgpuConvBackpropFilter() ? "split-reduction filter gradient" : "stock tfjs kernels";
  const note = probe.fallback
    ? `webgpu on a SOFTWARE adapter (${probe.description}, ${kernels}): expect it to be slower than native`
    : `webgpu on ${probe.description} (${kernels})`;
  return await activate("webgpu", note);
}

async function useNative(): Promise<SelectedBackend> {
  const { registerNativeBackend } = await import("./native_backend.ts");
  let problem = registerNativeBackend();
  if (problem !== null && "reason" in loadNative() && /not built/.test(problem)) {
    // First use after a checkout without `npm install`: try to build it now (about 20 s).
    const { buildNative } = await import("../../native/build.mjs");
    const built = buildNative({ quiet: false });
    if (built.ok) {
      loadNative(true);
      problem = registerNativeBackend();
    } else {
      problem = `${problem}; building it failed: ${built.reason}`;
    }
  }
  if (problem !== null) {
    throw new BackendUnavailable(`The native backend is unavailable: ${problem}; use --backend wasm`, problem);
  }
  const info = nativeInfo();
  return await activate(
    "native",
    `native: C++ conv/matmul kernels (${info?.isa}, ${info?.threads} threads), tfjs cpu kernels for the rest`,
  );
}

async function useWasm(): Promise<SelectedBackend> {
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  const { registerWasmConvBackpropFilter } = await import("./wasm_conv_backprop_filter.ts");
  const { registerWasmConvBackpropInput } = await import("./wasm_conv_backprop_input.ts");
  registerWasmConvBackpropFilter();
  registerWasmConvBackpropInput();
  const selected = await activate("wasm", "");
  const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
  const threads = tf.env().getBool("WASM_HAS_MULTITHREAD_SUPPORT") ? `${wasm.getThreadsCount()} threads` : "1 thread";
  return {
    name: selected.name,
    note: `wasm: XNNPACK ${
      simd ? "with" : "without"
    } SIMD, ${threads} (conv gradients composed from XNNPACK convolutions)`,
  };
}
