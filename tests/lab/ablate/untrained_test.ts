/**
 * The untrained-encoder row end to end, on the smoke sweep's tiny synthetic data: the untrained
 * cell trains 0 steps and is evaluated, the tables show it and the trained cell's gain over it,
 * and a second sweep with the same base copies it instead of evaluating it again.
 */
import { assert, assertEquals } from "../../assert.ts";
import { runSweep, SWEEP_FILES } from "../../../src/lab/ablate/run.ts";

const root = new URL("../../../", import.meta.url).pathname;

Deno.test("an untrained cell trains 0 steps, shows as the untrained row with the gain, and is shared", async () => {
  const dir = await Deno.makeTempDir({ prefix: "patchsvdd-untrained-" });
  Deno.env.set("PATCHSVDD_CACHE", `${root}.cache/test-decoded`);
  const smoke = JSON.parse(await Deno.readTextFile(`${root}experiments/smoke.json`));
  const write = async (name: string, losses: string[]) => {
    const file = `${dir}/${name}.json`;
    await Deno.writeTextFile(file, JSON.stringify({ ...smoke, seeds: [0], untrained: true, losses }));
    return file;
  };
  const results = `${dir}/results`;
  const first = await runSweep({ file: await write("a", ["ssl"]), results, log: () => {}, onWarning: () => {} });
  assertEquals(first.cells.map((c) => c.prefix), [
    "untrained_seed=0_synthetic_texture",
    "losses=ssl_seed=0_synthetic_texture",
  ]);
  assertEquals(first.finished, 2);
  const [untrained, trained] = first.cells.map((c) => `${results}/a/runs/${c.id}`);
  assertEquals(JSON.parse(await Deno.readTextFile(`${untrained}/train_summary.json`)).steps, 0);
  assertEquals(JSON.parse(await Deno.readTextFile(`${trained}/train_summary.json`)).steps, 3);
  const det = async (run: string) => {
    const m = JSON.parse(await Deno.readTextFile(`${run}/metrics.json`));
    return m.image_auroc[m.main] as number;
  };
  const gain = (await det(trained)) - (await det(untrained));
  const csv = (await Deno.readTextFile(`${results}/a/${SWEEP_FILES.csv}`)).trim().split("\n");
  const header = csv[0].split(",");
  assertEquals(header[0], "training");
  const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i], v])));
  assertEquals(rows.map((r) => `${r.training}/${r.losses}/${r.category}`), [
    "untrained//synthetic_texture",
    "untrained//mean",
    "trained/ssl/synthetic_texture",
    "trained/ssl/mean",
  ]);
  assert(Math.abs(Number(rows[2].gain_det_mean) - gain) < 1e-4, `${rows[2].gain_det_mean} vs ${gain}`);
  assert((await Deno.readTextFile(`${results}/a/${SWEEP_FILES.markdown}`)).includes("| untrained |"));

  const lines: string[] = [];
  const second = await runSweep({
    file: await write("b", ["svdd-prime+ssl"]),
    results,
    log: (l) => lines.push(l),
    onWarning: () => {},
  });
  assertEquals(second.cells[0].id, first.cells[0].id);
  assert(lines.some((l) => l.includes(second.cells[0].id) && l.includes("reused from")), lines.join("\n"));
  await Deno.remove(dir, { recursive: true });
});
