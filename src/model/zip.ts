/**
 * A small reader of ZIP archives whose entries are stored uncompressed, as PyTorch's
 * `torch.save` writes them (`archive/data.pkl`, `archive/data/<key>`, `archive/version`),
 * ZIP64 records included (PyTorch always writes them). Every entry's CRC-32 is checked.
 *
 * Layout read (PKWARE APPNOTE): the end-of-central-directory record (signature `PK\5\6`,
 * preceded by a ZIP64 locator `PK\6\7` and record `PK\6\6` when counts or offsets overflow)
 * points at the central directory (`PK\1\2` per entry: method, CRC, sizes, name, extra
 * fields, local header offset); each local header (`PK\3\4`) is followed by the entry's bytes.
 *
 * @module
 */

import { DataError } from "../errors.ts";

/** One stored entry of an archive. */
export interface ZipEntry {
  /** Path inside the archive, e.g. `"archive/data.pkl"`. */
  name: string;
  /** The entry's bytes (a view into the archive). */
  data: Uint8Array;
}

let crcTable: Uint32Array | null = null;

/**
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as ZIP stores it.
 *
 * @param bytes the data
 * @returns the checksum as an unsigned 32-bit integer
 * @example
 * ```ts
 * import { crc32 } from "./zip.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Whether bytes start like a ZIP archive (a local file header `PK\3\4`).
 *
 * @param bytes the file (its first four bytes suffice)
 * @returns true for a zip
 */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;
}

const SIG = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, end64: 0x06064b50, locator64: 0x07064b50 };

/**
 * Read every entry of a ZIP archive whose entries are stored (method 0).
 *
 * @param bytes the whole archive
 * @param source a name for error messages (the path)
 * @returns the entries, in central-directory order
 * @throws {DataError} for a truncated or malformed archive, a compressed or encrypted entry,
 *   or a CRC mismatch
 * @example
 * ```ts ignore
 * import { readZip } from "./zip.ts";
 * const entries = readZip(await Deno.readFile("model.pt"), "model.pt");
 * ```
 */
export function readZip(bytes: Uint8Array, source = "<bytes>"): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (what: string): never => {
    throw new DataError(`${source} is not a readable zip archive: ${what}; re-download it or save it again`);
  };
  const at = (offset: number, n: number) => {
    if (offset < 0 || offset + n > bytes.length) bad(`a record at byte ${offset} runs past the end (${bytes.length})`);
  };
  const u16 = (o: number) => (at(o, 2), view.getUint16(o, true));
  const u32 = (o: number) => (at(o, 4), view.getUint32(o, true));
  const u64 = (o: number) => {
    at(o, 8);
    const v = view.getBigUint64(o, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) bad(`a 64-bit field at byte ${o} too large`);
    return Number(v);
  };

  // The end-of-central-directory record: 22 bytes plus a comment of up to 65535.
  let end = -1;
  for (let o = bytes.length - 22; o >= Math.max(0, bytes.length - 22 - 0xffff); o--) {
    if (view.getUint32(o, true) === SIG.end) {
      end = o;
      break;
    }
  }
  if (end < 0) bad("no end-of-central-directory record (the file is truncated or not a zip)");
  let count = u16(end + 10);
  let cdSize = u32(end + 12);
  let cdOffset = u32(end + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = end - 20;
    if (locator < 0 || u32(locator) !== SIG.locator64) bad("ZIP64 fields without a ZIP64 locator");
    const end64 = u64(locator + 8);
    if (u32(end64) !== SIG.end64) bad(`no ZIP64 end record at byte ${end64}`);
    count = u64(end64 + 32);
    cdSize = u64(end64 + 40);
    cdOffset = u64(end64 + 48);
  }
  at(cdOffset, cdSize);

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (u32(p) !== SIG.central) bad(`central directory entry ${i} at byte ${p} has no signature`);
    const flags = u16(p + 8);
    const method = u16(p + 10);
    const crc = u32(p + 16);
    let compressed = u32(p + 20);
    let size = u32(p + 24);
    const nameLength = u16(p + 28), extraLength = u16(p + 30), commentLength = u16(p + 32);
    let localOffset = u32(p + 42);
    at(p + 46, nameLength + extraLength);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength));
    // ZIP64 extended information (id 1): the 64-bit values of the fields that read 0xffffffff, in order.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength;) {
      const id = u16(e), length = u16(e + 2);
      if (id === 1) {
        let q = e + 4;
        if (size === 0xffffffff) size = u64(q), q += 8;
        if (compressed === 0xffffffff) compressed = u64(q), q += 8;
        if (localOffset === 0xffffffff) localOffset = u64(q), q += 8;
      }
      e += 4 + length;
    }
    if (flags & 1) bad(`${name} is encrypted`);
    if (method !== 0) {
      bad(`${name} is compressed (method ${method}); only stored entries (as torch.save writes) are read`);
    }
    if (compressed !== size) bad(`${name} is stored but its sizes differ (${compressed} vs ${size})`);
    if (u32(localOffset) !== SIG.local) bad(`${name}'s local header at byte ${localOffset} has no signature`);
    const dataStart = localOffset + 30 + u16(localOffset + 26) + u16(localOffset + 28);
    at(dataStart, size);
    const data = bytes.subarray(dataStart, dataStart + size);
    if (crc32(data) !== crc) bad(`${name}'s CRC-32 does not match its bytes`);
    entries.push({ name, data });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
