/**
 * On-disk cache of decoded images and masks, so that a second run reads arrays
 * instead of decoding and resizing every file again.
 *
 * An entry is keyed by (absolute path, target size, file size, modification time,
 * kind image|mask, libvips version, format version): editing or replacing a file
 * invalidates its entry. Entries are written atomically (temporary file, then
 * rename); an unreadable or corrupt entry is ignored and rewritten.
 *
 * Location: `$PATCHSVDD_CACHE`, else `<cwd>/.cache/decoded` (gitignored).
 *
 * @module
 */

import sharp from "sharp";
import { join, resolve } from "node:path";
import {
  type DecodedImage,
  type DecodedMask,
  decodeImage,
  decodeMask,
  type ImageDims,
  maskWarnings,
} from "./decode.ts";

/** Bumped whenever the entry layout or the decoding changes. */
const FORMAT_VERSION = 1;
/** First bytes of every entry. */
const MAGIC = new TextEncoder().encode("PSVDCACH");

/** Counters of what the cache did, for tests and progress reports (no timing involved). */
export interface CacheStats {
  /** Entries read from disk instead of decoding. */
  hits: number;
  /** Files decoded because no valid entry existed. */
  misses: number;
  /** Entries that existed but could not be read back (they are rewritten). */
  corrupt: number;
  /** Entries that could not be written (read-only disk, ...); decoding still succeeds. */
  writeErrors: number;
}

/** The identity of one cache entry. */
interface EntryKey {
  format: number;
  vips: string;
  kind: "image" | "mask";
  path: string;
  size: number;
  fileSize: number;
  mtimeMs: number;
}

/** Facts stored next to the pixels. */
interface EntryHeader {
  key: EntryKey;
  channels: 1 | 3;
  originalWidth: number;
  originalHeight: number;
  nonBinary: boolean;
  zeroOneValues: boolean;
  payloadLength: number;
}

/**
 * The cache folder to use by default.
 *
 * @returns `$PATCHSVDD_CACHE` when set and non-empty, else `<cwd>/.cache/decoded`
 */
export function defaultCacheDir(): string {
  const fromEnv = Deno.env.get("PATCHSVDD_CACHE");
  return fromEnv ? resolve(fromEnv) : resolve(Deno.cwd(), ".cache", "decoded");
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function sameKey(a: EntryKey, b: EntryKey): boolean {
  return a.format === b.format && a.vips === b.vips && a.kind === b.kind && a.path === b.path &&
    a.size === b.size && a.fileSize === b.fileSize && a.mtimeMs === b.mtimeMs;
}

function encodeEntry(header: EntryHeader, payload: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(MAGIC.length + 4 + json.length + payload.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  out.set(payload, MAGIC.length + 4 + json.length);
  return out;
}

/** Parse an entry; null when it is truncated, from another key, or otherwise not ours. */
function decodeEntry(bytes: Uint8Array, key: EntryKey): { header: EntryHeader; payload: Uint8Array } | null {
  if (bytes.length < MAGIC.length + 4) return null;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) return null;
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4 + jsonLength;
  if (start > bytes.length) return null;
  let header: EntryHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, start)));
  } catch {
    return null;
  }
  if (!header || typeof header !== "object" || !header.key || !sameKey(header.key, key)) return null;
  const expected = key.size * key.size * (key.kind === "image" ? 3 : 1);
  if (header.payloadLength !== expected || bytes.length - start !== expected) return null;
  return { header, payload: bytes.subarray(start) };
}

/**
 * Decoder with an on-disk cache in front of {@linkcode decodeImage} and {@linkcode decodeMask}.
 * Pass `null` as the folder to decode every time (nothing is read or written).
 */
export class DecodeCache {
  /** Folder of the entries, or null when caching is off. */
  readonly dir: string | null;
  /** What the cache did so far. */
  readonly stats: CacheStats = { hits: 0, misses: 0, corrupt: 0, writeErrors: 0 };

  /**
   * @param dir folder for the entries (created on the first write); null disables caching
   * @example
   * ```ts ignore
   * // not run by `deno test --doc`: needs an image file a.png
   * import { DecodeCache } from "./cache.ts";
   * const cache = new DecodeCache("/tmp/decoded");
   * await cache.image("a.png", 256); // decodes and stores
   * await cache.image("a.png", 256); // reads the stored array
   * console.log(cache.stats); // { hits: 1, misses: 1, corrupt: 0, writeErrors: 0 }
   * ```
   */
  constructor(dir: string | null = defaultCacheDir()) {
    this.dir = dir === null ? null : resolve(dir);
  }

  /**
   * Decode an image through the cache (same result as {@linkcode decodeImage}).
   *
   * @param path the image file
   * @param size target side in pixels
   * @returns the decoded image
   * @throws {DataError} when the file is missing or unreadable
   */
  async image(path: string, size: number): Promise<DecodedImage> {
    const key = await this.#key("image", path, size);
    const hit = key && await this.#read(key);
    if (hit) {
      this.stats.hits++;
      const data = new Float32Array(hit.payload.length);
      for (let i = 0; i < data.length; i++) data[i] = hit.payload[i];
      const { channels, originalWidth, originalHeight } = hit.header;
      return { data, channels, originalWidth, originalHeight };
    }
    this.stats.misses++;
    const decoded = await decodeImage(path, size);
    if (key) {
      await this.#write(key, {
        key,
        channels: decoded.channels,
        originalWidth: decoded.originalWidth,
        originalHeight: decoded.originalHeight,
        nonBinary: false,
        zeroOneValues: false,
        payloadLength: decoded.data.length,
      }, Uint8Array.from(decoded.data));
    }
    return decoded;
  }

  /**
   * Decode a mask through the cache (same result as {@linkcode decodeMask}).
   *
   * @param path the mask file
   * @param size target side in pixels
   * @param image size of the image the mask belongs to, checked for a mismatch
   * @returns the binary mask and its warnings
   * @throws {DataError} when the file is missing or unreadable
   */
  async mask(path: string, size: number, image?: ImageDims): Promise<DecodedMask> {
    const key = await this.#key("mask", path, size);
    const hit = key && await this.#read(key);
    if (hit) {
      this.stats.hits++;
      const { originalWidth, originalHeight, nonBinary, zeroOneValues } = hit.header;
      const facts = { originalWidth, originalHeight, nonBinary, zeroOneValues };
      return { data: hit.payload.slice(), ...facts, warnings: maskWarnings(path, facts, image, size) };
    }
    this.stats.misses++;
    const decoded = await decodeMask(path, size, image);
    if (key) {
      await this.#write(key, {
        key,
        channels: 1,
        originalWidth: decoded.originalWidth,
        originalHeight: decoded.originalHeight,
        nonBinary: decoded.nonBinary,
        zeroOneValues: decoded.zeroOneValues,
        payloadLength: decoded.data.length,
      }, decoded.data);
    }
    return decoded;
  }

  /** The entry key of a file, or null when caching is off or the file cannot be stat'ed. */
  async #key(kind: "image" | "mask", path: string, size: number): Promise<EntryKey | null> {
    if (this.dir === null) return null;
    const absolute = resolve(path);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(absolute);
    } catch {
      return null; // the decoder reports the missing file
    }
    return {
      format: FORMAT_VERSION,
      vips: sharp.versions.vips,
      kind,
      path: absolute,
      size,
      fileSize: info.size,
      mtimeMs: info.mtime?.getTime() ?? 0,
    };
  }

  async #file(key: EntryKey): Promise<string> {
    return join(this.dir!, `${await sha256Hex(JSON.stringify(key))}.bin`);
  }

  async #read(key: EntryKey): Promise<{ header: EntryHeader; payload: Uint8Array } | null> {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(await this.#file(key));
    } catch {
      return null; // no entry yet
    }
    const entry = decodeEntry(bytes, key);
    if (!entry) this.stats.corrupt++;
    return entry;
  }

  async #write(key: EntryKey, header: EntryHeader, payload: Uint8Array): Promise<void> {
    const file = await this.#file(key);
    const temp = `${file}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.mkdir(this.dir!, { recursive: true });
      await Deno.writeFile(temp, encodeEntry(header, payload));
      await Deno.rename(temp, file);
    } catch {
      this.stats.writeErrors++;
      await Deno.remove(temp).catch(() => {});
    }
  }
}
