/**
 * Atomic file writes: a process killed at any moment leaves the previous file or the
 * new one, never a torn one (at most a stale temporary, which
 * {@linkcode removeStaleTemporaries} clears).
 *
 * @module
 */

/**
 * Write bytes to `path` atomically: a temporary file in the same folder, fsync, rename. A process
 * killed at any moment leaves the old file or the new one, never a partial one.
 *
 * @param path destination
 * @param bytes content
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}-${Date.now()}`; // removeStaleTemporaries() clears leftovers
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    let off = 0;
    while (off < bytes.length) off += await file.write(bytes.subarray(off));
    await file.sync();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, path);
}

/**
 * Write JSON atomically (see {@linkcode writeFileAtomic}), pretty-printed.
 *
 * @param path destination
 * @param value JSON-serialisable value
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(value, null, 2) + "\n"));
}

/**
 * Remove the temporaries `PATH.tmp-*` that a killed {@linkcode writeFileAtomic} left next to `path`.
 *
 * @param path the destination whose stale temporaries to remove
 */
export async function removeStaleTemporaries(path: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash >= 0 ? path.slice(0, slash) || "/" : ".";
  const prefix = `${path.slice(slash + 1)}.tmp-`;
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.startsWith(prefix)) await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
    }
  } catch {
    // a missing or unreadable folder: nothing to clean
  }
}
