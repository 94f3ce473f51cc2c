/**
 * The loss log observer: one `{step, time_s, ...losses}` line per step, the learning rate only when
 * it is scheduled, and on resume the lines up to the checkpoint's step are kept (and handed on).
 */

import { join } from "node:path";
import { assertEquals } from "../../assert.ts";
import { LOSS_LOG_FILE, LossLog } from "../../../src/train/observers/loss_log.ts";
import { tempDir } from "../../reliability/_helpers.ts";

const tmp = await tempDir("loss-log");
const rows = async (dir: string) =>
  (await Deno.readTextFile(join(dir, LOSS_LOG_FILE))).trim().split("\n").map((l) => JSON.parse(l));

Deno.test("LossLog: a line per step; time_s rounded to ms; lr only when logRate", async () => {
  for (const logRate of [false, true]) {
    const dir = join(tmp, `rate-${logRate}`);
    await Deno.mkdir(dir);
    const log = await LossLog.open(dir, null, logRate);
    await log.afterStep({ step: 1, values: { ssl32: 2.1, total: 2.2 }, lr: 1e-5, seconds: 0.12345 });
    await log.afterStep({ step: 2, values: { ssl32: 2.0, total: 2.1 }, lr: 2e-5, seconds: 0.3 });
    log.close();
    const expected = [
      { step: 1, time_s: 0.123, ssl32: 2.1, total: 2.2, ...(logRate ? { lr: 1e-5 } : {}) },
      { step: 2, time_s: 0.3, ssl32: 2.0, total: 2.1, ...(logRate ? { lr: 2e-5 } : {}) },
    ];
    assertEquals(await rows(dir), expected);
    assertEquals(Object.keys((await rows(dir))[0]), Object.keys(expected[0]), "key order: step, time_s, losses, lr");
  }
});

Deno.test("LossLog: a resumed run keeps (and hands on) the lines up to its checkpoint's step", async () => {
  const dir = join(tmp, "resumed");
  await Deno.mkdir(dir);
  const first = await LossLog.open(dir, null, false);
  for (let step = 1; step <= 4; step++) {
    await first.afterStep({ step, values: { ssl32: 2 + step / 10 }, lr: 1e-4, seconds: step });
  }
  first.close();
  const resumed = await LossLog.open(dir, 2, false);
  assertEquals(resumed.kept.map((r) => [r.step, r.ssl32]), [[1, 2.1], [2, 2.2]]);
  await resumed.afterStep({ step: 3, values: { ssl32: 1.9 }, lr: 1e-4, seconds: 0.5 });
  resumed.close();
  assertEquals((await rows(dir)).map((r) => [r.step, r.ssl32]), [[1, 2.1], [2, 2.2], [3, 1.9]]);
});
