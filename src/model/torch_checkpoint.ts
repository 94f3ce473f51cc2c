/**
 * Read a PyTorch state dict written by `torch.save`, without PyTorch and without executing
 * the pickle: the authors publish their encoders this way (`ckpts/<category>/enchier.pkl`).
 *
 * Two formats:
 * - legacy (before PyTorch 1.6; the authors' files): five pickles one after another (the
 *   magic number 0x1950a86a20f9469cfc6c, the protocol version 1001, a dict of system info,
 *   the state dict, the sorted list of storage keys), then each storage's bytes in that order:
 *   an 8-byte little-endian element count, then the elements;
 * - zip (PyTorch 1.6 and later, `.pt`/`.pth`): a ZIP archive of stored entries
 *   `<name>/data.pkl` (the state dict), `<name>/data/<key>` (each storage's raw bytes) and
 *   `<name>/version`.
 *
 * In both, a tensor is pickled as `torch._utils._rebuild_tensor_v2(storage, offset, size,
 * stride, requires_grad, backward_hooks)` with the storage a persistent id
 * `('storage', torch.FloatStorage, key, location, numel[, view_metadata])`. The reader allows
 * exactly the globals {@linkcode TORCH_GLOBALS} and interprets them itself (see
 * {@linkcode readPickle}); a pickle naming any other global, or holding anything but a dict
 * of names to float32 tensors, is refused with a one-line {@linkcode DataError}.
 *
 * @module
 */

import { DataError } from "../errors.ts";
import { describePickleValue, PickleDict, type PickleGlobal, PickleRecord, PickleTuple } from "./pickle.ts";
import { type PickleValue, readPickle } from "./pickle.ts";
import type { SafetensorsTensor } from "./safetensors.ts";
import { looksLikeZip, readZip } from "./zip.ts";

/** The only globals a state-dict pickle may name. */
export const TORCH_GLOBALS: ReadonlySet<string> = new Set([
  "collections.OrderedDict",
  "torch._utils._rebuild_tensor_v2",
  "torch.FloatStorage",
]);

/** The legacy format's magic number (the first pickle of the file). */
export const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/** The legacy format's protocol version (the second pickle). */
export const LEGACY_PROTOCOL_VERSION = 1001;

/** Most elements of one tensor (2^30: 4 GiB of float32), against sizes that would not fit in memory. */
const MAX_TENSOR_ELEMENTS = 2 ** 30;

/** A storage a tensor refers to, by key. */
interface StorageRef {
  key: string;
  numel: number;
}

/** A tensor before its storage's bytes are known. */
interface TensorRef {
  storage: StorageRef;
  offset: number;
  size: number[];
  stride: number[];
}

/**
 * Whether bytes start like a zip archive or a pickle (PROTO, or a protocol-0 GLOBAL), i.e. like a
 * `torch.save` file of either format, or a pickle that should be refused by name.
 *
 * @param bytes the file (its first bytes suffice)
 * @returns true for a zip or a pickle
 */
export function looksLikeTorchSave(bytes: Uint8Array): boolean {
  return looksLikeZip(bytes) || (bytes.length >= 2 && (bytes[0] === 0x80 || bytes[0] === 0x63));
}

const nonNegativeInt = (v: PickleValue): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

function intTuple(v: PickleValue, what: string): number[] {
  if (!(v instanceof PickleTuple) || !v.items.every(nonNegativeInt)) {
    throw new TypeError(`expected ${what} to be a tuple of non-negative integers but found ${describePickleValue(v)}`);
  }
  return v.items as number[];
}

/** The fixed interpreters of the allowed globals: they build records from plain data, nothing else. */
function torchHooks() {
  return {
    globals: TORCH_GLOBALS,
    reduce(callable: PickleGlobal, args: PickleTuple): PickleValue {
      if (callable.qualified === "collections.OrderedDict") {
        if (args.items.length !== 0) {
          throw new TypeError(`expected OrderedDict() but found ${args.items.length} arguments`);
        }
        return new PickleDict("OrderedDict");
      }
      if (callable.qualified === "torch._utils._rebuild_tensor_v2") {
        const [storage, offset, size, stride, _requiresGrad, hooks, metadata] = args.items;
        if (args.items.length < 6 || args.items.length > 7) {
          throw new TypeError(`expected _rebuild_tensor_v2 with 6 or 7 arguments but found ${args.items.length}`);
        }
        if (!(storage instanceof PickleRecord) || storage.tag !== "storage") {
          throw new TypeError(
            `expected a storage as the tensor's first argument but found ${describePickleValue(storage)}`,
          );
        }
        if (!nonNegativeInt(offset)) {
          throw new TypeError(`expected a storage offset but found ${describePickleValue(offset)}`);
        }
        const shape = intTuple(size, "a tensor's size"), strides = intTuple(stride, "a tensor's stride");
        if (shape.length !== strides.length) {
          throw new TypeError(`a tensor of size (${shape}) has ${strides.length} strides`);
        }
        if (hooks !== null && !(hooks instanceof PickleDict && hooks.entries.size === 0)) {
          throw new TypeError(`a tensor with backward hooks (${describePickleValue(hooks)})`);
        }
        if (metadata !== undefined && metadata !== null && !(metadata instanceof PickleDict)) {
          throw new TypeError(`a tensor whose metadata is ${describePickleValue(metadata)}`);
        }
        const ref: TensorRef = { storage: storage.payload as StorageRef, offset, size: shape, stride: strides };
        return new PickleRecord("tensor", ref);
      }
      throw new TypeError(`a call of ${callable.qualified}, which builds nothing a state dict holds`);
    },
    build(obj: PickleValue, state: PickleValue): PickleValue {
      // A state dict carries its module versions as an attribute: OrderedDict.__dict__ = {'_metadata': ...}.
      if (obj instanceof PickleDict && state instanceof PickleDict) {
        obj.attributes = state.entries;
        return obj;
      }
      throw new TypeError(`setting the state of ${describePickleValue(obj)} to ${describePickleValue(state)}`);
    },
    persistentLoad(pid: PickleValue): PickleValue {
      const items = pid instanceof PickleTuple ? pid.items : [];
      const [kind, type, key, _location, numel, view] = items;
      if (kind !== "storage" || items.length < 5 || items.length > 6) {
        throw new TypeError(
          `expected a persistent id ('storage', type, key, location, numel) but found ${describePickleValue(pid)}`,
        );
      }
      const typeName = (type as PickleGlobal | undefined)?.qualified ?? describePickleValue(type);
      if (typeName !== "torch.FloatStorage") {
        throw new TypeError(`a storage of type ${typeName}; only torch.FloatStorage (float32) is read`);
      }
      if (typeof key !== "string" || !nonNegativeInt(numel)) {
        throw new TypeError(`expected a storage key and element count but found ${describePickleValue(pid)}`);
      }
      if (view !== undefined && view !== null) throw new TypeError("a storage view (legacy view_metadata)");
      return new PickleRecord("storage", { key, numel } satisfies StorageRef);
    },
  };
}

/** The state dict's tensors, in its order, checked to be a dict of names to tensors. */
function stateDictTensors(value: PickleValue, source: string): Map<string, TensorRef> {
  if (!(value instanceof PickleDict)) {
    throw new DataError(
      `${source} holds ${describePickleValue(value)}, not a state dict (a dict of parameter names to tensors); ` +
        "save model.state_dict() instead",
    );
  }
  const out = new Map<string, TensorRef>();
  for (const [name, v] of value.entries) {
    if (typeof name !== "string" || !(v instanceof PickleRecord) || v.tag !== "tensor") {
      const keys = [...value.entries.keys()].slice(0, 5).map(String).join(", ");
      throw new DataError(
        `${source} holds a dict whose entry ${JSON.stringify(name)} is ${describePickleValue(v)}, not a state dict ` +
          `of tensors (keys: ${keys}${value.entries.size > 5 ? ", ..." : ""}); save model.state_dict() instead`,
      );
    }
    out.set(name, v.payload as TensorRef);
  }
  if (out.size === 0) throw new DataError(`${source} holds an empty dict, not a state dict of tensors`);
  return out;
}

/** float32 values of `n` little-endian elements at `bytes[start..]` (copied; any alignment). */
function float32At(bytes: Uint8Array, start: number, n: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, 4 * n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** Gather a (possibly strided) tensor from its storage into row-major order. */
function materialise(
  name: string,
  ref: TensorRef,
  storages: Map<string, Float32Array>,
  source: string,
): SafetensorsTensor {
  const storage = storages.get(ref.storage.key);
  if (!storage) {
    throw new DataError(`${source}: tensor ${name} refers to storage ${ref.storage.key}, which the file lacks`);
  }
  const count = ref.size.reduce((a, b) => a * b, 1);
  if (count > MAX_TENSOR_ELEMENTS) {
    throw new DataError(`${source}: tensor ${name} has ${count} elements, more than ${MAX_TENSOR_ELEMENTS} read`);
  }
  const last = count === 0 ? ref.offset : ref.offset + ref.size.reduce((s, n, i) => s + (n - 1) * ref.stride[i], 0);
  if (last >= storage.length && count > 0) {
    throw new DataError(
      `${source}: tensor ${name} (size [${ref.size.join(", ")}], offset ${ref.offset}) reaches element ${last} ` +
        `of a storage of ${storage.length}`,
    );
  }
  const data = new Float32Array(count);
  const index = new Array(ref.size.length).fill(0);
  for (let i = 0; i < count; i++) {
    let at = ref.offset;
    for (let d = 0; d < index.length; d++) at += index[d] * ref.stride[d];
    data[i] = storage[at];
    for (let d = index.length - 1; d >= 0; d--) {
      if (++index[d] < ref.size[d]) break;
      index[d] = 0;
    }
  }
  return { dtype: "F32", shape: [...ref.size], data };
}

function materialiseAll(
  tensors: Map<string, TensorRef>,
  storages: Map<string, Float32Array>,
  source: string,
): Map<string, SafetensorsTensor> {
  const out = new Map<string, SafetensorsTensor>();
  for (const [name, ref] of tensors) out.set(name, materialise(name, ref, storages, source));
  return out;
}

/**
 * Decode a legacy (pre-1.6) `torch.save` file of a state dict.
 *
 * @param bytes the whole file
 * @param source a name for error messages (the path)
 * @returns the tensors by name (float32, row-major, PyTorch's shapes)
 * @throws {DataError} for a truncated file, a refused opcode or global, or anything but a
 *   state dict of float32 tensors
 */
export function decodeLegacyTorch(bytes: Uint8Array, source = "<bytes>"): Map<string, SafetensorsTensor> {
  const hooks = torchHooks();
  const plain = { source, globals: TORCH_GLOBALS }; // the header pickles: plain data, no calls
  const magic = readPickle(bytes, 0, plain);
  if (magic.value !== LEGACY_MAGIC) {
    throw new DataError(
      `${source} is not a legacy torch.save file: expected its magic number first but found ${
        describePickleValue(magic.value)
      }`,
    );
  }
  const version = readPickle(bytes, magic.end, plain);
  if (version.value !== LEGACY_PROTOCOL_VERSION) {
    throw new DataError(
      `${source}: expected torch.save protocol ${LEGACY_PROTOCOL_VERSION} but found ${
        describePickleValue(version.value)
      }`,
    );
  }
  const info = readPickle(bytes, version.end, plain);
  if (!(info.value instanceof PickleDict) || info.value.entries.get("little_endian") !== true) {
    throw new DataError(
      `${source}: only little-endian torch.save files are read (system info: ${describePickleValue(info.value)})`,
    );
  }
  const state = readPickle(bytes, info.end, { source, ...hooks });
  const tensors = stateDictTensors(state.value, source);
  const keys = readPickle(bytes, state.end, plain);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === "string")) {
    throw new DataError(
      `${source}: expected the list of storage keys after the state dict but found ${describePickleValue(keys.value)}`,
    );
  }
  const numel = new Map<string, number>();
  for (const t of tensors.values()) numel.set(t.storage.key, t.storage.numel);
  const storages = new Map<string, Float32Array>();
  let pos = keys.end;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const key of keys.value as string[]) {
    if (pos + 8 > bytes.length) {
      throw new DataError(
        `${source} is truncated: storage ${key}'s header at byte ${pos} is past the end ` +
          `(${bytes.length} bytes); re-download it`,
      );
    }
    const count = Number(view.getBigUint64(pos, true));
    if (numel.has(key) && numel.get(key) !== count) {
      throw new DataError(`${source}: storage ${key} holds ${count} elements but its tensors say ${numel.get(key)}`);
    }
    if (pos + 8 + 4 * count > bytes.length) {
      throw new DataError(
        `${source} is truncated: storage ${key} needs ${4 * count} bytes at byte ${pos + 8} ` +
          `but the file ends at ${bytes.length}; re-download it`,
      );
    }
    storages.set(key, float32At(bytes, pos + 8, count));
    pos += 8 + 4 * count;
  }
  if (pos !== bytes.length) {
    throw new DataError(`${source}: ${bytes.length - pos} unexpected bytes after the last storage (at byte ${pos})`);
  }
  return materialiseAll(tensors, storages, source);
}

/**
 * Decode a zip-based (PyTorch 1.6+) `torch.save` file of a state dict.
 *
 * @param bytes the whole file
 * @param source a name for error messages (the path)
 * @returns the tensors by name (float32, row-major, PyTorch's shapes)
 * @throws {DataError} for a malformed archive, a missing `data.pkl` or storage, a refused
 *   opcode or global, or anything but a state dict of float32 tensors
 */
export function decodeZipTorch(bytes: Uint8Array, source = "<bytes>"): Map<string, SafetensorsTensor> {
  const entries = new Map(readZip(bytes, source).map((e) => [e.name, e.data]));
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) {
    throw new DataError(
      `${source}: expected one <name>/data.pkl in the archive (a torch.save file) but found ${
        pickles.length === 0 ? "none" : pickles.join(", ")
      }`,
    );
  }
  const prefix = pickles[0].slice(0, -"data.pkl".length);
  const order = entries.get(`${prefix}byteorder`);
  if (order && new TextDecoder().decode(order).trim() !== "little") {
    throw new DataError(`${source}: only little-endian torch.save files are read`);
  }
  const state = readPickle(entries.get(pickles[0])!, 0, { source: `${source}:${pickles[0]}`, ...torchHooks() });
  const tensors = stateDictTensors(state.value, source);
  const storages = new Map<string, Float32Array>();
  for (const { storage } of tensors.values()) {
    if (storages.has(storage.key)) continue;
    const name = `${prefix}data/${storage.key}`;
    const data = entries.get(name);
    if (!data) throw new DataError(`${source}: storage ${name} is missing from the archive`);
    if (data.length !== 4 * storage.numel) {
      throw new DataError(
        `${source}: storage ${name} has ${data.length} bytes but ${storage.numel} float32 need ${4 * storage.numel}`,
      );
    }
    storages.set(storage.key, float32At(data, 0, storage.numel));
  }
  return materialiseAll(tensors, storages, source);
}

/**
 * Decode a `torch.save` file of a state dict, legacy or zip (told apart by the first bytes).
 *
 * @param bytes the whole file
 * @param source a name for error messages (the path)
 * @returns the tensors by name (float32, row-major, PyTorch's shapes)
 * @throws {DataError} when the file is neither format, truncated, malicious or not a state dict
 * @example
 * ```ts ignore
 * import { decodeTorchStateDict } from "./torch_checkpoint.ts";
 * const path = "ckpts/bottle/enchier.pkl";
 * const tensors = decodeTorchStateDict(await Deno.readFile(path), path);
 * console.log(tensors.get("enc.conv1.weight")!.shape); // [32, 3, 3, 3]
 * ```
 */
export function decodeTorchStateDict(bytes: Uint8Array, source = "<bytes>"): Map<string, SafetensorsTensor> {
  if (looksLikeZip(bytes)) return decodeZipTorch(bytes, source);
  // Any pickle goes through the legacy reader, so a refused global or opcode is named.
  if (looksLikeTorchSave(bytes)) return decodeLegacyTorch(bytes, source);
  throw new DataError(
    `${source} is not a torch.save file: expected a zip archive or a legacy pickle starting with the magic number`,
  );
}
