/**
 * A run's JSON-lines log: a new run starts it empty, a resumed run keeps the lines up to its
 * checkpoint's step (byte for byte, torn lines dropped) and appends after them.
 */

import { join } from "node:path";
import { assertEquals } from "../assert.ts";
import { JsonLinesLog } from "../../src/train/jsonl_log.ts";
import { tempDir } from "../reliability/_helpers.ts";

const tmp = await tempDir("jsonl-log");

Deno.test("JsonLinesLog.open(path, null) empties an old log and appends one line per row", async () => {
  const path = join(tmp, "new.jsonl");
  await Deno.writeTextFile(path, '{"step":9}\n');
  const log = await JsonLinesLog.open<{ step: number; x?: number }>(path, null);
  assertEquals(log.kept, []);
  await log.append({ step: 1, x: 0.5 });
  await log.append({ step: 2 });
  log.close();
  assertEquals(await Deno.readTextFile(path), '{"step":1,"x":0.5}\n{"step":2}\n');
});

Deno.test("JsonLinesLog.open(path, step) keeps the lines up to step, drops later and torn ones, appends after", async () => {
  const path = join(tmp, "resumed.jsonl");
  const lines = ['{"step":1,"a":1.25}', '{"step":2,"a":1}', '{"step":3,"a":0.5}', '{"step":4,"a"'];
  await Deno.writeTextFile(path, lines.join("\n"));
  const log = await JsonLinesLog.open<{ step: number; a: number }>(path, 2);
  assertEquals(log.kept, [{ step: 1, a: 1.25 }, { step: 2, a: 1 }]);
  await log.append({ step: 3, a: 0.75 });
  log.close();
  assertEquals(await Deno.readTextFile(path), `${lines[0]}\n${lines[1]}\n{"step":3,"a":0.75}\n`);
});

Deno.test("JsonLinesLog.open(path, step) on a missing log keeps nothing and creates it", async () => {
  const path = join(tmp, "missing.jsonl");
  const log = await JsonLinesLog.open(path, 5);
  assertEquals(log.kept, []);
  await log.append({ step: 6 });
  log.close();
  assertEquals(await Deno.readTextFile(path), '{"step":6}\n');
});
