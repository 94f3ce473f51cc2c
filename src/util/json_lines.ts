/**
 * Tolerant readers of JSON-lines files (`train_log.jsonl`, `activations.jsonl`): a missing file
 * reads as empty, blank lines and a last line cut by a killed process are skipped.
 *
 * @module
 */

/**
 * Read a JSON-lines file, skipping empty lines and lines cut by a killed process.
 *
 * @param path the file
 * @returns its parsed lines (none when the file is absent)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { readJsonLines } from "./json_lines.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, '{"step":1}\n\n{"step":2}\n{"st');
 * assert.deepEqual(await readJsonLines(path), [{ step: 1 }, { step: 2 }]);
 * ```
 */
export async function readJsonLines(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return text.split("\n").flatMap((line) => {
    if (!line.trim()) return [];
    try {
      return [JSON.parse(line)];
    } catch {
      return []; // a line cut by a killed process
    }
  });
}

/**
 * Read a JSON-lines training log (`train_log.jsonl`): one object per line, numeric fields kept.
 *
 * @param path the log file
 * @returns one record per line (blank or unparsable lines skipped; none when the file is absent)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { readLossLog } from "./json_lines.ts";
 * assert.deepEqual(await readLossLog("/nonexistent/train_log.jsonl"), []);
 * ```
 */
export async function readLossLog(path: string): Promise<Record<string, number>[]> {
  const records = (await readJsonLines(path)).filter((r) => r !== null && typeof r === "object");
  return records.map((record) =>
    Object.fromEntries(Object.entries(record as Record<string, unknown>).filter(([, v]) => typeof v === "number"))
  ) as Record<string, number>[];
}
