/**
 * A restricted reader of Python pickles that executes nothing: the subset of the pickle
 * machine (protocol 2) that PyTorch's `torch.save` writes for a state dict, and no more.
 *
 * A pickle is a program for a small stack machine whose instructions may import any Python
 * name (`GLOBAL`) and call it (`REDUCE`): loading an untrusted one in Python can run any code.
 * This reader runs the machine over plain data only:
 *
 * - an allow-list of opcodes ({@linkcode ALLOWED_OPCODES}); any other opcode is refused;
 * - `GLOBAL` yields an inert {@linkcode PickleGlobal} and only for names the caller allows;
 * - `REDUCE`, `BUILD` and `BINPERSID` are handed to the caller's fixed interpreters
 *   ({@linkcode PickleHooks}), which build records from the arguments or refuse; nothing named
 *   in the file is ever looked up or called.
 *
 * Every refusal is a {@linkcode DataError} naming the source, the byte offset and what was found.
 *
 * @module
 */

import { DataError } from "../errors.ts";

/** A pickled tuple (immutable in Python; kept apart from lists). */
export class PickleTuple {
  /** @param items the elements */
  constructor(readonly items: PickleValue[]) {}
}

/** A pickled `dict` or `collections.OrderedDict` (keys: strings or integers). */
export class PickleDict {
  /** Entries in insertion order. */
  readonly entries: Map<string | number, PickleValue> = new Map();
  /** The object's attributes set by `BUILD` (e.g. a state dict's `_metadata`). */
  attributes: Map<string | number, PickleValue> | null = null;
  /** @param kind `"dict"` or `"OrderedDict"` */
  constructor(readonly kind: "dict" | "OrderedDict" = "dict") {}
}

/** A global name the pickle refers to (`module.name`), never resolved. */
export class PickleGlobal {
  /**
   * @param module Python module, e.g. `"torch._utils"`
   * @param name name inside it, e.g. `"_rebuild_tensor_v2"`
   */
  constructor(readonly module: string, readonly name: string) {}
  /** `module.name`. */
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A record the caller's hooks built (a tensor, a storage reference): opaque to the reader. */
export class PickleRecord<T = unknown> {
  /**
   * @param tag what it is, for messages (e.g. `"tensor"`)
   * @param payload the caller's data
   */
  constructor(readonly tag: string, readonly payload: T) {}
}

/** Any value the reader produces. Lists are arrays; Python ints beyond 2^53 are bigints. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | PickleGlobal
  | PickleRecord;

/**
 * The caller's interpreters of the three opcodes that would run code in Python. Each receives
 * plain data and returns a value or throws; omitted hooks refuse the opcode.
 */
export interface PickleHooks {
  /** `callable(*args)` for an allowed global, e.g. `OrderedDict()`. */
  reduce?: (callable: PickleGlobal, args: PickleTuple) => PickleValue;
  /** `obj.__setstate__(state)` / `obj.__dict__.update(state)`. */
  build?: (obj: PickleValue, state: PickleValue) => PickleValue;
  /** The object a persistent id stands for (PyTorch: a storage). */
  persistentLoad?: (pid: PickleValue) => PickleValue;
}

/** Options of {@linkcode readPickle}. */
export interface PickleOptions extends PickleHooks {
  /** Globals (`module.name`) the pickle may name. Default: none. */
  globals?: ReadonlySet<string>;
  /** A name for error messages (the path). Default `"<bytes>"`. */
  source?: string;
}

/** The opcodes the reader understands, by byte (the names are Python's `pickletools` ones). */
export const ALLOWED_OPCODES: Readonly<Record<number, string>> = Object.freeze({
  0x80: "PROTO",
  0x2e: "STOP",
  0x28: "MARK",
  0x7d: "EMPTY_DICT",
  0x5d: "EMPTY_LIST",
  0x29: "EMPTY_TUPLE",
  0x74: "TUPLE",
  0x85: "TUPLE1",
  0x86: "TUPLE2",
  0x87: "TUPLE3",
  0x58: "BINUNICODE",
  0x71: "BINPUT",
  0x72: "LONG_BINPUT",
  0x68: "BINGET",
  0x6a: "LONG_BINGET",
  0x4a: "BININT",
  0x4b: "BININT1",
  0x4d: "BININT2",
  0x8a: "LONG1",
  0x4e: "NONE",
  0x88: "NEWTRUE",
  0x89: "NEWFALSE",
  0x73: "SETITEM",
  0x75: "SETITEMS",
  0x61: "APPEND",
  0x65: "APPENDS",
  0x63: "GLOBAL",
  0x52: "REDUCE",
  0x62: "BUILD",
  0x51: "BINPERSID",
});

/** Names of opcodes the reader refuses, for messages. */
const REFUSED_OPCODES: Readonly<Record<number, string>> = {
  0x69: "INST",
  0x6f: "OBJ",
  0x81: "NEWOBJ",
  0x92: "NEWOBJ_EX",
  0x93: "STACK_GLOBAL",
  0x50: "PERSID",
  0x82: "EXT1",
  0x83: "EXT2",
  0x84: "EXT4",
  0x53: "STRING",
  0x54: "BINSTRING",
  0x55: "SHORT_BINSTRING",
  0x56: "UNICODE",
  0x8c: "SHORT_BINUNICODE",
  0x47: "BINFLOAT",
  0x46: "FLOAT",
  0x49: "INT",
  0x4c: "LONG",
  0x8b: "LONG4",
  0x95: "FRAME",
  0x94: "MEMOIZE",
  0x30: "POP",
  0x31: "POP_MARK",
  0x32: "DUP",
  0x64: "DICT",
  0x6c: "LIST",
  0x67: "GET",
  0x70: "PUT",
  0x8f: "EMPTY_SET",
  0x90: "ADDITEMS",
  0x91: "FROZENSET",
  0x42: "BINBYTES",
  0x43: "SHORT_BINBYTES",
  0x96: "BYTEARRAY8",
  0x97: "NEXT_BUFFER",
  0x98: "READONLY_BUFFER",
};

/** Highest memo index accepted (the files we read use a few hundred). */
const MAX_MEMO = 1 << 20;

/** What {@linkcode readPickle} returns: the value and where the pickle ended. */
export interface PickleResult {
  /** The unpickled value. */
  value: PickleValue;
  /** Offset of the first byte after the pickle's STOP. */
  end: number;
}

/**
 * A short description of a value, for messages: `a list of 2`, `the global os.system`, `None`.
 *
 * @param value any value the reader produced
 * @returns the description
 */
export function describePickleValue(value: PickleValue): string {
  if (value === null) return "None";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof PickleTuple) return `a tuple of ${value.items.length}`;
  if (value instanceof PickleDict) {
    return `${value.kind === "dict" ? "a dict" : "an OrderedDict"} of ${value.entries.size}`;
  }
  if (value instanceof PickleGlobal) return `the global ${value.qualified}`;
  if (value instanceof PickleRecord) return `a ${value.tag}`;
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `the ${typeof value} ${String(value)}`;
}

/**
 * Read one pickle starting at `offset`, without executing anything (see the module doc).
 *
 * @param bytes the buffer holding the pickle (possibly more after it)
 * @param offset where the pickle starts. Default 0.
 * @param options allowed globals, the hooks for REDUCE / BUILD / BINPERSID, and a source name
 * @returns the value and the offset after its STOP opcode
 * @throws {DataError} for a truncated pickle, a refused opcode or global, a hook's refusal,
 *   or a malformed stream (stack underflow, missing mark, unknown memo key)
 * @example
 * ```ts
 * import { PickleDict, readPickle } from "./pickle.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 * // protocol 2: {'a': 1}  =  PROTO 2, EMPTY_DICT, BINUNICODE 'a', BININT1 1, SETITEM, STOP
 * const bytes = new Uint8Array([0x80, 2, 0x7d, 0x58, 1, 0, 0, 0, 0x61, 0x4b, 1, 0x73, 0x2e]);
 * const { value } = readPickle(bytes);
 * ok(value instanceof PickleDict);
 * strictEqual(value.entries.get("a"), 1);
 * ```
 */
export function readPickle(bytes: Uint8Array, offset = 0, options: PickleOptions = {}): PickleResult {
  const source = options.source ?? "<bytes>";
  const globals = options.globals ?? new Set<string>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = offset;
  let opAt = offset;
  let opName = "";

  const fail = (what: string): never => {
    throw new DataError(`${source}: refused to read the pickle at byte ${opAt} (${opName || "start"}): ${what}`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) {
      throw new DataError(
        `${source} is truncated: the pickle at byte ${offset} needs ${n} more bytes at byte ${pos} ` +
          `but the file ends at ${bytes.length}; re-download it`,
      );
    }
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), pos += 2, view.getUint16(pos - 2, true));
  const u32 = () => (need(4), pos += 4, view.getUint32(pos - 4, true));
  const i32 = () => (need(4), pos += 4, view.getInt32(pos - 4, true));
  const pop = (): PickleValue => (stack.length === 0 ? fail("the stack is empty") : stack.pop()!);
  const top = (): PickleValue => (stack.length === 0 ? fail("the stack is empty") : stack[stack.length - 1]);
  const popMark = (): PickleValue[] => {
    if (marks.length === 0) fail("no MARK to close");
    const start = marks.pop()!;
    return stack.splice(start);
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) need(bytes.length - pos + 1); // no newline follows: truncated
    if (end - pos > 256) fail("a GLOBAL name longer than 256 bytes");
    let text = "";
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(pos, end));
    } catch {
      fail("a GLOBAL name that is not UTF-8");
    }
    pos = end + 1;
    return text;
  };
  const memoKey = (key: number) => {
    if (key > MAX_MEMO) fail(`memo index ${key} above ${MAX_MEMO}`);
    return key;
  };
  const get = (key: number): PickleValue => memo.has(key) ? memo.get(key)! : fail(`memo index ${key} was never set`);
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    if (!(target instanceof PickleDict)) {
      fail(`expected a dict to set items on but found ${describePickleValue(target)}`);
    }
    const dict = target as PickleDict;
    if (items.length % 2 !== 0) fail("an odd number of keys and values");
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (typeof key !== "string" && typeof key !== "number") {
        fail(`a dict key that is ${describePickleValue(key)} (only strings and integers are read)`);
      }
      dict.entries.set(key as string | number, items[i + 1]);
    }
  };
  const append = (target: PickleValue, items: PickleValue[]) => {
    if (!Array.isArray(target)) fail(`expected a list to append to but found ${describePickleValue(target)}`);
    (target as PickleValue[]).push(...items);
  };

  for (;;) {
    opAt = pos;
    opName = "";
    const op = u8();
    opName = ALLOWED_OPCODES[op] ?? "";
    if (!opName) {
      const name = REFUSED_OPCODES[op];
      fail(
        `opcode 0x${op.toString(16).padStart(2, "0")}${name ? ` (${name})` : ""} is not one a PyTorch state dict ` +
          "needs, and this reader executes nothing it does not know",
      );
    }
    switch (op) {
      case 0x80: { // PROTO
        const version = u8();
        if (version > 5) fail(`pickle protocol ${version} (expected 2..5)`);
        break;
      }
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) fail(`STOP with ${stack.length} values on the stack`);
        return { value: stack[0], end: pos };
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PickleDict());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PickleTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PickleTuple(popMark()));
        break;
      case 0x85:
      case 0x86:
      case 0x87: { // TUPLE1..3
        const n = op - 0x84;
        if (stack.length < n) fail("the stack is empty");
        stack.push(new PickleTuple(stack.splice(stack.length - n)));
        break;
      }
      case 0x58: { // BINUNICODE
        const n = u32();
        need(n);
        try {
          stack.push(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(pos, pos + n)));
        } catch {
          fail("a string that is not UTF-8");
        }
        pos += n;
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(memoKey(u32()), top());
        break;
      case 0x68: // BINGET
        stack.push(get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(memoKey(u32())));
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x8a: { // LONG1: n bytes, little-endian two's complement
        const n = u8();
        need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[pos + i]);
        if (n > 0 && bytes[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x73: { // SETITEM
        const value = pop(), key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: { // APPEND
        const value = pop();
        append(top(), [value]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x63: { // GLOBAL: "module\nname\n", never imported
        const module = line(), name = line();
        const g = new PickleGlobal(module, name);
        if (!globals.has(g.qualified)) {
          fail(
            `it names the global ${g.qualified}, which is not on the allow-list ` +
              `(${[...globals].join(", ") || "none"}); a checkpoint that calls other code is refused`,
          );
        }
        stack.push(g);
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(), callable = pop();
        if (!(callable instanceof PickleGlobal)) fail(`a call of ${describePickleValue(callable)}`);
        if (!(args instanceof PickleTuple)) fail(`call arguments that are ${describePickleValue(args)}`);
        if (!options.reduce) fail(`a call of ${(callable as PickleGlobal).qualified}`);
        stack.push(guard(() => options.reduce!(callable as PickleGlobal, args as PickleTuple)));
        break;
      }
      case 0x62: { // BUILD
        const state = pop(), obj = pop();
        if (!options.build) fail(`setting the state of ${describePickleValue(obj)}`);
        stack.push(guard(() => options.build!(obj, state)));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!options.persistentLoad) fail("a persistent id");
        stack.push(guard(() => options.persistentLoad!(pid)));
        break;
      }
    }
  }

  /** Run a hook; its refusal (any Error) becomes this reader's one-line DataError, naming the offset. */
  function guard(hook: () => PickleValue): PickleValue {
    try {
      return hook();
    } catch (e) {
      return fail((e as Error).message);
    }
  }
}
