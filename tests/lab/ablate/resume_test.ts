/**
 * `deno task ablate experiments/smoke.json` end to end: killed mid-sweep and rerun, it
 * completes without redoing finished cells; a cell interrupted at any stage is recovered.
 */
import { assert, assertEquals } from "../../assert.ts";
import { expandGrid } from "../../../src/lab/ablate/grid.ts";
import { type CellRecord, runSweep, SWEEP_FILES } from "../../../src/lab/ablate/run.ts";
import { loadSweep } from "../../../src/lab/ablate/schema.ts";

const root = new URL("../../../", import.meta.url).pathname;
const smokeFile = `${root}experiments/smoke.json`;
const env = { PATCHSVDD_CACHE: `${root}.cache/test-decoded` };

async function smokeCells() {
  const sweep = await loadSweep(smokeFile);
  return expandGrid(sweep, { kind: "synthetic", spec: sweep.synthetic! });
}

function ablate(results: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/cli/ablate.ts`, smokeFile, "--results", results],
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function mtime(path: string): Promise<number | null> {
  try {
    return (await Deno.stat(path)).mtime!.getTime();
  } catch {
    return null;
  }
}

Deno.test("ablate killed (SIGKILL) mid-sweep and rerun completes without redoing finished cells", async () => {
  const results = await Deno.makeTempDir({ prefix: "patchsvdd-ablate-" });
  const cells = await smokeCells();
  const runs = `${results}/smoke/runs`;
  const first = `${runs}/${cells[0].id}/metrics.json`;

  const child = ablate(results);
  const drained = [child.stdout.pipeTo(new WritableStream()), child.stderr.pipeTo(new WritableStream())];
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const deadline = Date.now() + 120_000;
  while ((await mtime(first)) === null && !exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (!exited) child.kill("SIGKILL");
  await status;
  await Promise.all(drained);
  const firstTime = await mtime(first);
  assert(firstTime !== null, "the first cell finished before the kill");
  const finishedBefore =
    (await Promise.all(cells.map((c) => mtime(`${runs}/${c.id}/metrics.json`)))).filter((t) => t !== null).length;
  assert(finishedBefore < cells.length, "killed mid-sweep, not after it");

  const rerun = await ablate(results).output();
  const out = new TextDecoder().decode(rerun.stdout), err = new TextDecoder().decode(rerun.stderr);
  assertEquals(rerun.code, 0, err);
  assert(out.includes(`${finishedBefore} finished, 0 failed before, ${cells.length - finishedBefore} to run`), out);
  assert(!out.includes(cells[0].id), `the first cell was not run again:\n${out}`);
  for (const c of cells) {
    assert((await mtime(`${runs}/${c.id}/metrics.json`)) !== null, `${c.id} finished`);
    const record = JSON.parse(await Deno.readTextFile(`${runs}/${c.id}/${SWEEP_FILES.cell}`)) as CellRecord;
    assertEquals(record.status, "finished");
    assertEquals(record.axes.seed, c.seed);
  }
  assertEquals(await mtime(first), firstTime, "the first cell's metrics.json is untouched");
  const table = await Deno.readTextFile(`${results}/smoke/${SWEEP_FILES.markdown}`);
  assert(table.includes(`cells finished: ${cells.length} of ${cells.length}`), table);
  assert((await Deno.readTextFile(`${results}/smoke/.gitignore`)).includes("checkpoint.safetensors"));
  await Deno.remove(results, { recursive: true });
});

Deno.test("runSweep() recovers a cell stopped before evaluation, mid-training, or before its first checkpoint", async () => {
  const results = await Deno.makeTempDir({ prefix: "patchsvdd-ablate-" });
  const quiet = { file: smokeFile, results, log: () => {} };
  const first = await runSweep({ ...quiet, shard: { index: 0, count: 2 } });
  assertEquals(first.ran.length, 2);
  assertEquals(first.finished, 2);
  const [a, b] = first.ran.map((id) => `${results}/smoke/runs/${id}`);
  await Deno.remove(`${a}/metrics.json`); // trained, killed before evaluation
  await Deno.remove(`${b}/metrics.json`); // killed mid-training: checkpoint, no summary
  await Deno.remove(`${b}/train_summary.json`);
  const cells = await smokeCells();
  const c = `${results}/smoke/runs/${cells[1].id}`; // killed before the first checkpoint: config.json only
  await Deno.mkdir(c, { recursive: true });
  await Deno.writeTextFile(`${c}/config.json`, "{}");

  const second = await runSweep({ ...quiet, shard: { index: 1, count: 2 } }); // cells 1 and 3
  const third = await runSweep(quiet); // the rest
  assertEquals(second.ran.length, 2);
  assertEquals(third.skipped.length, 2);
  assertEquals(third.finished, 4);
  const mode = async (dir: string) => (JSON.parse(await Deno.readTextFile(`${dir}/cell.json`)) as CellRecord).mode;
  assertEquals(await mode(a), "eval");
  assertEquals(await mode(b), "resume");
  assertEquals(await mode(c), "fresh");
  const summary = JSON.parse(await Deno.readTextFile(`${b}/train_summary.json`));
  assertEquals(summary.steps, 3, "the resumed cell ends at the budget's step");
  await Deno.remove(results, { recursive: true });
});

Deno.test("runSweep() skips a diverged cell unless asked to retry it, and lists it in the table", async () => {
  const results = await Deno.makeTempDir({ prefix: "patchsvdd-ablate-" });
  const cells = await smokeCells();
  const dir = `${results}/smoke/runs/${cells[0].id}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/cell.json`, JSON.stringify({ status: "failed", error: "Loss ssl became NaN" }));
  const lines: string[] = [];
  const r = await runSweep({ file: smokeFile, results, shard: { index: 0, count: 4 }, log: (l) => lines.push(l) });
  assertEquals([r.ran, r.failed], [[], [cells[0].id]]);
  assert(lines[0].includes("0 finished, 1 failed before, 0 to run"), lines[0]);
  const table = await Deno.readTextFile(`${results}/smoke/table.md`);
  assert(table.includes(`failed (diverged or collapsed): ${cells[0].id}`), table);
  const dry: string[] = [];
  await runSweep({ file: smokeFile, results, dryRun: true, log: (l) => dry.push(l) });
  assert(dry[1].endsWith(`${cells[0].id}  failed`) && dry[2].endsWith("new"), dry.join("\n"));
  await Deno.remove(results, { recursive: true });
});

Deno.test("runSweep() with stopOnCollapse: a cell that collapses stops early and is marked failed", async () => {
  const results = await Deno.makeTempDir({ prefix: "patchsvdd-ablate-" });
  const file = `${results}/collapsing.json`;
  // --lr 0.1 collapses f_small within a few steps; the losses confirm it about 50 steps later
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      description: "a cell that collapses",
      data: "synthetic",
      synthetic: { kinds: ["texture"], size: 64, numTrain: 4, numTestGood: 2, numTestDefect: 1 },
      base: { imageSize: 64, train: { patchSize: 32, embeddingDim: 8, batchSize: 4, learningRate: 0.1 } },
      budget: { steps: 400 },
      nn: "exact",
      stopOnCollapse: true,
    }),
  );
  const lines: string[] = [];
  const r = await runSweep({ file, results, backend: "native", log: (l) => lines.push(l) });
  assertEquals([r.ran.length, r.failed.length], [0, 1], lines.join("\n"));
  const record: CellRecord = JSON.parse(
    await Deno.readTextFile(`${results}/collapsing/runs/${r.failed[0]}/${SWEEP_FILES.cell}`),
  );
  assertEquals(record.status, "failed");
  assert(/Training collapsed at step \d+ and was stopped/.test(record.error ?? ""), record.error);
  const step = Number(record.error!.match(/step (\d+) and/)![1]);
  assert(step <= 100, `stopped at step ${step}, long before the budget's 400`);
  await Deno.remove(results, { recursive: true });
});
