/**
 * A cell already finished in another sweep (same configuration, budget and data, hence the
 * same hash) is copied, not retrained: the losses sweep's default cell is the hierarchy
 * sweep's hier-64 cell and the lambda sweep's 1e-3 cell.
 */
import { assert, assertEquals } from "../../assert.ts";
import { type CellRecord, runSweep, SWEEP_FILES } from "../../../src/lab/ablate/run.ts";

const root = new URL("../../../", import.meta.url).pathname;

Deno.test("a sweep reuses an identical finished cell of another sweep instead of training it again", async () => {
  const dir = await Deno.makeTempDir({ prefix: "patchsvdd-reuse-" });
  Deno.env.set("PATCHSVDD_CACHE", `${root}.cache/test-decoded`);
  const smoke = JSON.parse(await Deno.readTextFile(`${root}experiments/smoke.json`));
  const twin = { ...smoke, description: "one axis value of smoke.json", seeds: [0], losses: ["ssl"] };
  const twinFile = `${dir}/twin.json`;
  await Deno.writeTextFile(twinFile, JSON.stringify(twin));
  const results = `${dir}/results`;
  const lines: string[] = [];
  const first = await runSweep({ file: `${root}experiments/smoke.json`, results, log: () => {} });
  assertEquals(first.finished, first.cells.length);
  const second = await runSweep({ file: twinFile, results, log: (l) => lines.push(l) });
  assertEquals(second.cells.length, 1);
  const id = second.cells[0].id;
  assert(lines.some((l) => l.includes(id) && l.includes("reused from")), lines.join("\n"));
  const record = JSON.parse(await Deno.readTextFile(`${results}/twin/runs/${id}/${SWEEP_FILES.cell}`)) as CellRecord;
  assert(record.reused_from?.includes("/smoke/runs/"), `reused_from: ${record.reused_from}`);
  assertEquals(record.sweep, twinFile);
  const source = `${record.reused_from}/metrics.json`;
  assertEquals(
    await Deno.readTextFile(`${results}/twin/runs/${id}/metrics.json`),
    await Deno.readTextFile(source),
  );
  await Deno.remove(dir, { recursive: true });
});
