/**
 * The probe observer: it probes a new run's initial weights (step 0) and every `every` steps after,
 * one `{step, levels}` line each; a resumed run whose log has step 0 is not probed there again; 0
 * turns it off (the log is still created, empty); pinned codes are named through the warning sink,
 * and once they have stayed pinned for the lasting steps it returns a stop fact from the probe.
 */

import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../src/backend/mod.ts";
import { assert, assertEquals } from "../../assert.ts";
import { createEncoder, disposeEncoder } from "../../../src/model/encoder.ts";
import { ACTIVATION_LOG_FILE, ProbeObserver } from "../../../src/train/observers/probe.ts";
import { warningLine } from "../../../src/cli/advice.ts";
import { Rng } from "../../../src/util/rng.ts";
import { tempDir } from "../../reliability/_helpers.ts";

await selectBackend("native");
const tmp = await tempDir("probe-observer");
const rng = new Rng(3);
const data = { images: new Float32Array(2 * 48 * 48 * 3).map(() => rng.next() - 0.5), count: 2, size: 48 };
const report = (step: number) => ({ step, values: { total: 1 }, lr: 1e-4, seconds: step });

async function probedSteps(dir: string): Promise<number[]> {
  const text = await Deno.readTextFile(join(dir, ACTIVATION_LOG_FILE));
  return text.trim() ? text.trim().split("\n").map((l) => JSON.parse(l).step) : [];
}

async function folder(name: string): Promise<string> {
  const dir = join(tmp, name);
  await Deno.mkdir(dir);
  return dir;
}

Deno.test("ProbeObserver: step 0 and every N steps; not step 0 again on resume; 0 turns it off", async () => {
  const encoder = createEncoder({ encoder: "hier", patchSize: 32, embeddingDim: 8 }, 1);
  const warn = (m: string) => assert(false, `unexpected warning: ${m}`);
  const runDir = await folder("every");
  const probe = await ProbeObserver.open({ runDir, resumeAt: null, every: 2, encoder, data, seed: 0, warn });
  await probe.start(0);
  for (let step = 1; step <= 5; step++) assertEquals(await probe.afterStep(report(step)), undefined);
  probe.close();
  assertEquals(await probedSteps(runDir), [0, 2, 4]);
  // resumed at step 4: the log keeps 0, 2, 4 and step 0 is not probed again
  const resumed = await ProbeObserver.open({ runDir, resumeAt: 4, every: 2, encoder, data, seed: 0, warn });
  await resumed.start(4);
  await resumed.afterStep(report(6));
  resumed.close();
  assertEquals(await probedSteps(runDir), [0, 2, 4, 6]);
  // off
  const offDir = await folder("off");
  const off = await ProbeObserver.open({ runDir: offDir, resumeAt: null, every: 0, encoder, data, seed: 0, warn });
  await off.start(0);
  await off.afterStep(report(100));
  off.close();
  assertEquals(await Deno.readTextFile(join(offDir, ACTIVATION_LOG_FILE)), "");
  disposeEncoder(encoder);
});

Deno.test("ProbeObserver: pinned codes warn once; a stop fact once pinned for the lasting steps", async () => {
  const encoder = createEncoder({ encoder: "hier", patchSize: 32, embeddingDim: 8 }, 1);
  // a huge bias on the last conv saturates every tanh output the same way: the codes are pinned
  encoder.params.get("conv8.bias")!.assign(tf.fill([8], 50));
  const warnings: string[] = [];
  const probe = await ProbeObserver.open({
    runDir: await folder("pinned"),
    resumeAt: null,
    every: 10,
    encoder,
    data,
    seed: 0,
    warn: (m, kind) => warnings.push(warningLine(m, kind)),
    criteria: { saturated: 0.9, spread: 5e-3, lastingSteps: 20 },
  });
  await probe.start(0);
  const facts = [];
  for (let step = 1; step <= 30; step++) facts.push(await probe.afterStep(report(step)));
  probe.close();
  assertEquals(probe.pinnedAt, 0);
  assertEquals(warnings.length, 1);
  assert(warnings[0].startsWith("at step 0 the K=32 codes are pinned to one corner: 100% "), warnings[0]);
  assert(warnings[0].endsWith("a lower --lr or another --seed"), warnings[0]);
  assertEquals(facts.map((f, i) => f ? [i + 1, f] : null).filter(Boolean), [[20, {
    at: 0,
    by: "probe",
    term: "codes32",
  }], [30, {
    at: 0,
    by: "probe",
    term: "codes32",
  }]]);
  disposeEncoder(encoder);
});
