/**
 * The position-task watch: at the end of a run it names a level whose L_SSL ended above chance
 * (ln 8 = 2.079) by more than 0.02 over its last 100 steps, or (runs of 1000 steps or more) whose
 * lowest 100-step mean stayed within 0.05 of chance; healthy runs, short runs and levels without
 * an SSL term are not named. A resumed run's earlier steps count.
 */

import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import { POSITION_CHANCE, PositionWatch } from "../../../src/train/observers/position_watch.ts";
import { Rng } from "../../../src/util/rng.ts";
import { assertCliOk, runCli, tempDir, tinyDataset, trainArgs, warnings } from "../../reliability/_helpers.ts";

const LN8 = Math.log(8);

/** Replay per-step values through a watch; its findings and warnings. */
function replay(series: Record<string, number[]>, history: Record<string, number>[] = []) {
  const warnings: string[] = [];
  const watch = new PositionWatch(history, (m) => warnings.push(m));
  const n = Object.values(series)[0].length;
  for (let i = 0; i < n; i++) {
    const values = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v[i]]));
    watch.afterStep({ step: history.length + i + 1, values, lr: 1e-4, seconds: i });
  }
  watch.end({ step: history.length + n, seconds: n, last: null, stoppedBy: "steps" });
  return { findings: watch.findings, warnings };
}

/** n steps from `from` to `to` linearly, with uniform noise of +-noise (seeded). */
function ramp(n: number, from: number, to: number, noise = 0.05, seed = 1): number[] {
  const rng = new Rng(seed);
  return Array.from(
    { length: n },
    (_, i) => from + (to - from) * i / Math.max(1, n - 1) + (rng.next() - 0.5) * 2 * noise,
  );
}

Deno.test("POSITION_CHANCE is ln 8", () => assertEquals(POSITION_CHANCE, LN8));

Deno.test("PositionWatch: L_SSL(64) rising to 2.35 (MVTec screw) is named above chance, the healthy K=32 level not", () => {
  // rising from chance, then the last 100 steps around 2.35 (+-0.04)
  const ssl64 = [...ramp(2760, 2.08, 2.35), ...Array.from({ length: 100 }, (_, i) => 2.35 + (i % 2 ? 0.04 : -0.04))];
  const { findings, warnings } = replay({ ssl64, ssl32: ramp(2860, 2.09, 1.6) });
  assertEquals(findings.map((f) => [f.term, f.patchSize, f.finding, f.steps]), [["ssl64", 64, "above-chance", 2860]]);
  assert(Math.abs(findings[0].value - 2.35) < 1e-9, `${findings[0].value}`);
  assertEquals(warnings.length, 1);
  assert(
    warnings[0].startsWith(
      "L_SSL(64) ended at 2.35, above chance (2.08): the position classifier does worse than guessing",
    ),
    warnings[0],
  );
  assertEquals(warnings[0], findings[0].message);
});

Deno.test("PositionWatch: a level at chance for 1000+ steps never left it; below 1000 steps it is not judged", () => {
  const flat = (n: number) => ramp(n, LN8 - 0.01, LN8 - 0.01, 0.03, 2);
  const long = replay({ ssl64: ramp(1500, 2.08, 1.4), ssl32: flat(1500) });
  assertEquals(long.findings.map((f) => [f.term, f.finding]), [["ssl32", "never-left-chance"]]);
  assert(long.findings[0].value > LN8 - 0.05 && long.findings[0].value < LN8 + 0.02, `${long.findings[0].value}`);
  assert(long.warnings[0].startsWith("L_SSL(32) never left chance (2.08): its lowest 100-step mean in 1500 steps"));
  assertEquals(replay({ ssl32: flat(999) }).findings, [], "999 steps: too short to say");
  // dipping 0.06 below chance for one window is leaving it
  const dip = flat(1500);
  for (let i = 700; i < 800; i++) dip[i] = LN8 - 0.07;
  assertEquals(replay({ ssl32: dip }).findings, []);
});

Deno.test("PositionWatch: thresholds: 0.02 above chance, over the last 100 steps only, a full window needed", () => {
  const at = (v: number, n = 300) => Array.from({ length: n }, () => v);
  assertEquals(replay({ ssl64: at(LN8 + 0.019) }).findings, [], "within the margin");
  assertEquals(replay({ ssl64: at(LN8 + 0.021) }).findings.map((f) => f.finding), ["above-chance"]);
  assertEquals(replay({ ssl64: at(2.5, 99) }).findings, [], "fewer than 100 steps: no last mean yet");
  // above chance early, below at the end: fine
  assertEquals(replay({ ssl64: [...at(2.4, 200), ...at(1.9, 100)] }).findings, []);
  // below early, above in the last 100 steps: named
  assertEquals(replay({ ssl64: [...at(1.9, 200), ...at(2.4, 100)] }).findings.map((f) => f.term), ["ssl64"]);
  // runs without an SSL term: nothing to judge
  assertEquals(replay({ svddPrime64: at(1e-4), total: at(5) }).findings, []);
});

Deno.test("PositionWatch: a resumed run's earlier steps count toward the windows", () => {
  const history = Array.from({ length: 950 }, () => ({ ssl32: LN8, svddPrime32: 1e-4 }));
  const { findings } = replay({ ssl32: Array.from({ length: 60 }, () => LN8) }, history);
  assertEquals(findings.map((f) => [f.term, f.finding, f.steps]), [["ssl32", "never-left-chance", 1010]]);
});

Deno.test("train: a run whose L_SSL ended above chance warns on stderr and lists it in train_summary.json", async () => {
  const tmp = await tempDir("position-watch");
  const data = join(tmp, "data"), run = join(tmp, "run");
  const { category } = await tinyDataset(data, 4);
  assertCliOk(await runCli("train", trainArgs(data, category, run, "--steps", "100", "--probe-every", "0")), "train");
  /** Replace the run's log by one whose L_SSL(32) sat at `ssl32` (L_SVDD' steady: no collapse), and resume 1 step. */
  const resumeWith = async (ssl32: number, steps: number) => {
    const rows = Array.from({ length: steps - 1 }, (_, i) => ({ step: i + 1, ssl32, svddPrime32: 1e-3 }));
    await Deno.writeTextFile(join(run, "train_log.jsonl"), rows.map((r) => JSON.stringify(r) + "\n").join(""));
    const r = await runCli(
      "train",
      trainArgs(data, category, run, "--steps", `${steps}`, "--probe-every", "0", "--resume"),
    );
    assertCliOk(r, `resume to ${steps}`);
    return { r, summary: JSON.parse(await Deno.readTextFile(join(run, "train_summary.json"))) };
  };
  const healthy = await resumeWith(1.9, 101);
  assertEquals([warnings(healthy.r), healthy.summary.ssl_warnings], [[], []]);
  const above = await resumeWith(2.35, 102);
  assertEquals(warnings(above.r).length, 1, above.r.stderr);
  assert(warnings(above.r)[0].startsWith("warning: L_SSL(32) ended at 2.3"), warnings(above.r)[0]);
  const found = above.summary.ssl_warnings.map((w: { term: string; finding: string }) => `${w.term} ${w.finding}`);
  assertEquals(found, ["ssl32 above-chance"]);
});
