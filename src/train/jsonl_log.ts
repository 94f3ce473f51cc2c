/**
 * A run's append-only JSON-lines log (one `{step, ...}` object per line), as the loss log and the
 * activation log are kept: a new run starts it empty; a resumed run keeps the lines of steps up to
 * its checkpoint's step (a killed run may have logged steps after its last checkpoint, and its last
 * line may be torn) and appends from there, so the log of a run finished through kills and resumes
 * equals that of an uninterrupted one.
 *
 * @module
 */

import { writeFileAtomic } from "../util/atomic.ts";

/** An open run log. */
export class JsonLinesLog<Row extends { step: number }> {
  /** Rows kept from before this invocation (a resumed run's), parsed; empty for a new run. */
  readonly kept: Row[];
  #file: Deno.FsFile;
  #encoder = new TextEncoder();

  private constructor(file: Deno.FsFile, kept: Row[]) {
    this.#file = file;
    this.kept = kept;
  }

  /**
   * Open a run log: empty it for a new run, or cut it at a resumed run's checkpoint step.
   *
   * @param path the log file
   * @param resumeAt a resumed run's checkpoint step, or null for a new run
   * @returns the log, open for appending
   * @example
   * ```ts
   * import { JsonLinesLog } from "./jsonl_log.ts";
   * const path = await Deno.makeTempFile();
   * await Deno.writeTextFile(path, '{"step":1}\n{"step":2}\n{"step":3,"lo');
   * const log = await JsonLinesLog.open<{ step: number }>(path, 2);
   * log.kept.length; // 2: step 3 came after the checkpoint, and its line is torn
   * await log.append({ step: 3 });
   * log.close();
   * ```
   */
  static async open<Row extends { step: number }>(path: string, resumeAt: number | null): Promise<JsonLinesLog<Row>> {
    const kept = resumeAt === null ? (await Deno.writeTextFile(path, ""), []) : await truncate<Row>(path, resumeAt);
    return new JsonLinesLog(await Deno.open(path, { append: true, create: true }), kept);
  }

  /**
   * Append one row.
   *
   * @param row the row (one line of JSON)
   */
  async append(row: Row): Promise<void> {
    await this.#file.write(this.#encoder.encode(JSON.stringify(row) + "\n"));
  }

  /** Close the file. */
  close(): void {
    this.#file.close();
  }
}

/** Keep the lines of steps up to `step`, dropping torn ones; the kept rows, parsed (none when unreadable). */
async function truncate<Row extends { step: number }>(path: string, step: number): Promise<Row[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return [];
  }
  const kept: { line: string; row: Row }[] = [];
  for (const line of text.split("\n")) {
    try {
      const row = JSON.parse(line);
      if (row.step <= step) kept.push({ line, row });
    } catch {
      // an empty or torn line
    }
  }
  await writeFileAtomic(path, new TextEncoder().encode(kept.map((k) => k.line + "\n").join("")));
  return kept.map((k) => k.row);
}
