/**
 * Byte-by-byte writers of the files `torch.save` produces, for tests: pickles (protocol 2),
 * legacy `torch.save` files, and zip archives of stored entries (with or without ZIP64 records,
 * which PyTorch always writes). Written from the formats' descriptions, independently of the
 * readers under test (the CRC-32 included).
 */

/** A tensor to write: PyTorch shape, row-major float32 values. */
export interface FixtureTensor {
  shape: number[];
  data: Float32Array;
  /** Element strides (default: row-major) and storage offset (default 0), for strided tensors. */
  stride?: number[];
  offset?: number;
  /** The storage's values when they differ from `data` (strided tensors). */
  storage?: Float32Array;
}

/** An append-only pickle (protocol 2) builder. */
export class PickleWriter {
  private out: number[] = [];
  /** Raw opcode bytes. */
  op(...bytes: number[]): this {
    this.out.push(...bytes);
    return this;
  }
  /** PROTO 2. */
  proto(): this {
    return this.op(0x80, 2);
  }
  /** BINUNICODE. */
  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x58, ...u32(b.length), ...b);
  }
  /** BININT1 / BININT2 / BININT by size. */
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= 0 && n < 65536) return this.op(0x4d, n & 0xff, n >> 8);
    return this.op(0x4a, ...u32(n >>> 0));
  }
  /** LONG1. */
  long(n: bigint): this {
    const bytes: number[] = [];
    let v = n;
    while (v !== 0n) {
      bytes.push(Number(v & 0xffn));
      v >>= 8n;
    }
    if (bytes.length && bytes[bytes.length - 1] & 0x80) bytes.push(0);
    return this.op(0x8a, bytes.length, ...bytes);
  }
  /** NONE. */
  none(): this {
    return this.op(0x4e);
  }
  /** NEWTRUE / NEWFALSE. */
  bool(b: boolean): this {
    return this.op(b ? 0x88 : 0x89);
  }
  /** GLOBAL module name. */
  global(module: string, name: string): this {
    return this.op(0x63, ...new TextEncoder().encode(`${module}\n${name}\n`));
  }
  /** MARK. */
  mark(): this {
    return this.op(0x28);
  }
  /** TUPLE (after a MARK), or EMPTY_TUPLE for []. */
  tuple(items: number[]): this {
    if (items.length === 0) return this.op(0x29);
    this.mark();
    for (const n of items) this.int(n);
    return this.op(0x74);
  }
  /** STOP. */
  stop(): this {
    return this.op(0x2e);
  }
  /** The bytes. */
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function u16(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}

function u64(n: number): number[] {
  return [...u32(n >>> 0), ...u32(Math.floor(n / 2 ** 32))];
}

function f32Bytes(data: Float32Array): number[] {
  return [...new Uint8Array(Float32Array.from(data).buffer)];
}

function rowMajorStride(shape: number[]): number[] {
  const stride = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) stride[i] = stride[i + 1] * shape[i + 1];
  return stride;
}

/**
 * The state-dict pickle `torch.save` writes: `OrderedDict()` filled with
 * `_rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())`, one
 * storage per tensor keyed by its index, then `BUILD` with `{'_metadata': {}}`.
 *
 * @param tensors by name
 * @param format "legacy" persistent ids have 6 items (view_metadata None), "zip" ones 5
 */
export function stateDictPickle(tensors: Map<string, FixtureTensor>, format: "legacy" | "zip"): Uint8Array {
  const w = new PickleWriter().proto().global("collections", "OrderedDict").op(0x29, 0x52).mark();
  let key = 0;
  for (const [name, t] of tensors) {
    const storage = t.storage ?? t.data;
    w.str(name).global("torch._utils", "_rebuild_tensor_v2").mark();
    w.mark().str("storage").global("torch", "FloatStorage").str(String(key++)).str("cpu").int(storage.length);
    if (format === "legacy") w.none();
    w.op(0x74, 0x51); // TUPLE, BINPERSID
    w.int(t.offset ?? 0).tuple(t.shape).tuple(t.stride ?? rowMajorStride(t.shape)).bool(false);
    w.global("collections", "OrderedDict").op(0x29, 0x52); // OrderedDict()
    w.op(0x74, 0x52); // TUPLE, REDUCE
  }
  w.op(0x75); // SETITEMS
  w.op(0x7d).str("_metadata").op(0x7d, 0x73, 0x62); // {'_metadata': {}}, BUILD
  return w.stop().bytes();
}

/** The three header pickles of a legacy file: magic number, protocol version, system info. */
export function legacyHeader(): Uint8Array {
  const magic = new PickleWriter().proto().long(0x1950a86a20f9469cfc6cn).stop().bytes();
  const version = new PickleWriter().proto().int(1001).stop().bytes();
  const info = new PickleWriter().proto().op(0x7d).str("protocol_version").int(1001).op(0x73)
    .str("little_endian").bool(true).op(0x73).stop().bytes();
  return concat([magic, version, info]);
}

/** Concatenate byte arrays. */
export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

/**
 * A legacy `torch.save` file: header pickles, the state dict, the storage keys, the storages.
 *
 * @param tensors by name
 * @param body the pickle to write instead of the state dict (for malformed files)
 */
export function legacyTorchFile(tensors: Map<string, FixtureTensor>, body?: Uint8Array): Uint8Array {
  const storages = [...tensors.values()].map((t) => t.storage ?? t.data);
  const keys = new PickleWriter().proto().op(0x5d).mark();
  storages.forEach((_, i) => keys.str(String(i)));
  keys.op(0x65).stop();
  const data = storages.map((s) => Uint8Array.from([...u64(s.length), ...f32Bytes(s)]));
  return concat([legacyHeader(), body ?? stateDictPickle(tensors, "legacy"), keys.bytes(), ...data]);
}

/** CRC-32 (IEEE), bit by bit: the test's own, independent of src/model/zip.ts. */
export function crc32Slow(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * A zip archive of stored entries, as PyTorch's writer lays it out (local headers, data, central
 * directory, end records); with `zip64`, the 32-bit sizes and offsets read 0xffffffff and the real
 * ones sit in ZIP64 extra fields, followed by a ZIP64 end record and locator.
 *
 * @param entries name and bytes of each entry
 * @param options `zip64` records; `method` to claim (0 = stored; 8 claims deflate without compressing)
 */
export function zipArchive(
  entries: { name: string; data: Uint8Array }[],
  options: { zip64?: boolean; method?: number } = {},
): Uint8Array {
  const zip64 = options.zip64 ?? false, method = options.method ?? 0;
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = new TextEncoder().encode(name);
    const crc = crc32Slow(data);
    const size32 = zip64 ? 0xffffffff : data.length;
    const localExtra = zip64 ? [...u16(1), ...u16(16), ...u64(data.length), ...u64(data.length)] : [];
    const local = Uint8Array.from([
      ...u32(0x04034b50),
      ...u16(zip64 ? 45 : 20),
      ...u16(0),
      ...u16(method),
      ...u16(0),
      ...u16(0),
      ...u32(crc),
      ...u32(size32),
      ...u32(size32),
      ...u16(nameBytes.length),
      ...u16(localExtra.length),
      ...nameBytes,
      ...localExtra,
    ]);
    const centralExtra = zip64 ? [...u16(1), ...u16(24), ...u64(data.length), ...u64(data.length), ...u64(offset)] : [];
    central.push(Uint8Array.from([
      ...u32(0x02014b50),
      ...u16(zip64 ? 45 : 20),
      ...u16(zip64 ? 45 : 20),
      ...u16(0),
      ...u16(method),
      ...u16(0),
      ...u16(0),
      ...u32(crc),
      ...u32(size32),
      ...u32(size32),
      ...u16(nameBytes.length),
      ...u16(centralExtra.length),
      ...u16(0),
      ...u16(0),
      ...u16(0),
      ...u32(0),
      ...u32(zip64 ? 0xffffffff : offset),
      ...nameBytes,
      ...centralExtra,
    ]));
    parts.push(local, data);
    offset += local.length + data.length;
  }
  const cd = concat(central);
  const tail: Uint8Array[] = [];
  if (zip64) {
    const end64At = offset + cd.length;
    tail.push(Uint8Array.from([
      ...u32(0x06064b50),
      ...u64(44),
      ...u16(45),
      ...u16(45),
      ...u32(0),
      ...u32(0),
      ...u64(entries.length),
      ...u64(entries.length),
      ...u64(cd.length),
      ...u64(offset),
    ]));
    tail.push(Uint8Array.from([...u32(0x07064b50), ...u32(0), ...u64(end64At), ...u32(1)]));
  }
  tail.push(Uint8Array.from([
    ...u32(0x06054b50),
    ...u16(0),
    ...u16(0),
    ...u16(zip64 ? 0xffff : entries.length),
    ...u16(zip64 ? 0xffff : entries.length),
    ...u32(zip64 ? 0xffffffff : cd.length),
    ...u32(zip64 ? 0xffffffff : offset),
    ...u16(0),
  ]));
  return concat([...parts, cd, ...tail]);
}

/**
 * A zip-format `torch.save` file: `archive/data.pkl`, `archive/data/<key>`, `archive/version`.
 *
 * @param tensors by name
 * @param options ZIP64 records (default true, as PyTorch writes)
 */
export function zipTorchFile(tensors: Map<string, FixtureTensor>, options: { zip64?: boolean } = {}): Uint8Array {
  const storages = [...tensors.values()].map((t) => t.storage ?? t.data);
  return zipArchive([
    { name: "archive/data.pkl", data: stateDictPickle(tensors, "zip") },
    { name: "archive/byteorder", data: new TextEncoder().encode("little") },
    ...storages.map((s, i) => ({ name: `archive/data/${i}`, data: Uint8Array.from(f32Bytes(s)) })),
    { name: "archive/version", data: new TextEncoder().encode("3\n") },
  ], { zip64: options.zip64 ?? true });
}

/** A pickle that would run `os.system("echo pwned")` if loaded by Python's pickle. */
export function maliciousPickle(): Uint8Array {
  return new PickleWriter().proto().global("os", "system").str("echo pwned").op(0x85, 0x52).stop().bytes();
}
