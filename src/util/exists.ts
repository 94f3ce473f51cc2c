/**
 * A path-exists test for run folders and checkpoints.
 *
 * @module
 */

/**
 * Whether a path exists.
 *
 * @param path file or folder
 * @returns true when it exists
 * @example
 * ```ts
 * import { exists } from "./exists.ts";
 * import { strictEqual } from "node:assert/strict";
 * strictEqual(await exists(Deno.cwd()), true);
 * strictEqual(await exists(`${Deno.cwd()}/no/such/file`), false);
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
