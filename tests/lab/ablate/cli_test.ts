import { assert, assertEquals } from "../../assert.ts";
import { errorLine, runCli } from "../../cli/_run.ts";

const tmp = await Deno.makeTempDir({ prefix: "patchsvdd-ablate-cli-" });

function assertUserError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp) {
  assertEquals(r.code, 2, r.stderr);
  const line = errorLine(r);
  assert(line.startsWith("error: ") && pattern.test(line), `${line} !~ ${pattern}`);
  assert(!/^\s+at /m.test(r.stderr), `stack trace printed:\n${r.stderr}`);
}

Deno.test("ablate names the sweep file, the field and the fix for a bad sweep, in one line", async () => {
  const file = `${tmp}/bad.json`;
  await Deno.writeTextFile(file, JSON.stringify({ categories: ["bottle"], budget: { steps: 1 }, seeds: [] }));
  assertUserError(await runCli("ablate", [file, "--dry-run"]), new RegExp(`${file}: seeds: expected a non-empty list`));
  assertUserError(await runCli("ablate", [`${tmp}/none.json`]), /none\.json does not exist/);
  assertUserError(await runCli("ablate", ["experiments/smoke.json", "--shard", "2/2"]), /--shard i\/n/);
  assertUserError(await runCli("ablate", []), /Expected one sweep file but found 0/);
});

Deno.test("ablate --dry-run lists a shard's cells with ids and states, running nothing", async () => {
  const r = await runCli("ablate", ["experiments/smoke.json", "--dry-run", "--shard", "1/2", "--results", tmp]);
  assertEquals(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assertEquals(lines.length, 3, r.stdout);
  assert(lines[0].includes("4 cells, 2 to run here (shard 1/2)"), lines[0]);
  assert(/^\s+1 {2}losses=ssl_seed=0_synthetic_texture-[0-9a-f]{8} {2}new$/.test(lines[1]), lines[1]);
  assert(/^\s+3 {2}losses=ssl_seed=1_synthetic_texture-[0-9a-f]{8} {2}new$/.test(lines[2]), lines[2]);
  assert(!(await Deno.stat(`${tmp}/smoke`).then(() => true, () => false)), "dry run wrote nothing");
});
