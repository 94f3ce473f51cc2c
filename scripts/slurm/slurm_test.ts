/**
 * `deno task slurm-test`: prove the Slurm recipe of docs/ablations.md on a real Slurm. It runs
 * `experiments/smoke.json` locally, submits the same sweep as a 2-task job array of
 * `scripts/slurm/ablate.sbatch` plus a merge job that waits for it (`--dependency=afterany`),
 * and checks that the merged tables equal the local run's byte for byte.
 *
 * Needs `sbatch` on PATH and a controller that answers (`sinfo`); on a single Debian machine,
 * `apt-get install -y slurm-wlm munge && scripts/slurm/local_cluster.sh` gives one. Costs a few
 * seconds of CPU (4 cells of 3 steps on 64 px images). Both sides use one native thread, so the
 * numbers are bit-identical, not merely close.
 *
 * @module
 */

import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const SWEEP = "experiments/smoke.json";

/** What the check found. */
export interface SlurmCheck {
  /** Ids of the Slurm jobs: the array, then the merge. */
  jobs: [string, string];
  /** The merged table.md (equal to the local one). */
  table: string;
  /** Where the two results folders are. */
  dir: string;
}

/**
 * Why Slurm cannot be used here, or null when `sbatch` exists and `sinfo` reaches a controller.
 *
 * @returns a one-line reason, or null
 * @example
 * ```ts ignore
 * const why = await slurmUnavailable(); // "sbatch not found on PATH ..." on most laptops
 * ```
 */
export async function slurmUnavailable(): Promise<string | null> {
  const probe = await exec(["sinfo", "-h", "-o", "%T"]).catch(() => null);
  if (probe === null) {
    return "sbatch/sinfo not found on PATH (install slurm-wlm and munge, then scripts/slurm/local_cluster.sh)";
  }
  if (probe.code !== 0) return `sinfo cannot reach a Slurm controller: ${probe.stderr.trim().split("\n")[0]}`;
  return null;
}

/**
 * Run the smoke sweep locally and as a Slurm job array, merge, and compare the tables.
 *
 * @param opts `dir`: a folder for both results (default: a fresh temporary one); `say`: progress lines
 * @returns the job ids and the table
 * @throws {Error} when a job fails, times out, or the tables differ
 * @example
 * ```ts ignore
 * const { jobs } = await checkSlurmArray({ say: console.error });
 * ```
 */
export async function checkSlurmArray(
  opts: { dir?: string; say?: (line: string) => void; timeoutMinutes?: number } = {},
): Promise<SlurmCheck> {
  const say = opts.say ?? (() => {});
  const dir = opts.dir ?? await Deno.makeTempDir({ prefix: "patchsvdd-slurm-" });
  const env = { PATCHSVDD_THREADS: "1", PATCHSVDD_CACHE: join(dir, "cache") };
  const deno = `${ROOT}node_modules/deno/deno`;

  say(`local run: ${SWEEP} --results ${dir}/local`);
  await must([deno, "task", "ablate", SWEEP, "--results", `${dir}/local`], env);

  const limit = String(opts.timeoutMinutes ?? 10);
  const common = ["--parsable", `--chdir=${ROOT}`, "--cpus-per-task=1", `--time=${limit}`, "--export=ALL"];
  const array = (await must([
    "sbatch",
    ...common,
    "--array=0-1",
    `--output=${dir}/slurm-%A_%a.out`,
    "scripts/slurm/ablate.sbatch",
    SWEEP,
    "--results",
    `${dir}/slurm`,
  ], env)).trim().split(";")[0];
  say(`submitted array job ${array} (2 tasks)`);
  const mergeCmd = `node_modules/deno/deno task ablate ${SWEEP} --results ${dir}/slurm --merge`;
  const merge = (await must(
    [
      "sbatch",
      ...common,
      `--dependency=afterany:${array}`,
      `--output=${dir}/slurm-merge-%j.out`,
      "--wait",
      "--wrap",
      mergeCmd,
    ],
    env,
    `see ${dir}/slurm-*.out`,
  )).trim().split(";")[0];
  say(`merge job ${merge} done`);

  const logs: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.startsWith("slurm-")) logs.push(e.name);
  const shardLogs = logs.filter((n) => n.startsWith(`slurm-${array}_`)).sort();
  if (shardLogs.length !== 2) throw new Error(`Expected 2 array task logs in ${dir} but found ${shardLogs.join(", ")}`);
  for (const [i, name] of shardLogs.entries()) {
    const text = await Deno.readTextFile(join(dir, name));
    if (!text.includes(`shard ${i}/2`)) throw new Error(`${dir}/${name} does not show shard ${i}/2:\n${text}`);
  }
  for (const file of ["table.md", "table.csv"]) {
    const local = await Deno.readTextFile(`${dir}/local/smoke/${file}`);
    const slurm = await Deno.readTextFile(`${dir}/slurm/smoke/${file}`);
    if (local !== slurm) {
      throw new Error(
        `${dir}/slurm/smoke/${file} differs from the local run's:\n--- local\n${local}\n--- slurm\n${slurm}`,
      );
    }
  }
  const table = await Deno.readTextFile(`${dir}/slurm/smoke/table.md`);
  if (!table.includes("cells finished: 4 of 4")) throw new Error(`Expected 4 of 4 cells finished:\n${table}`);
  return { jobs: [array, merge], table, dir };
}

async function exec(cmd: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd[0], { args: cmd.slice(1), cwd: ROOT, env, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function must(cmd: string[], env: Record<string, string>, hint = ""): Promise<string> {
  const r = await exec(cmd, env);
  if (r.code !== 0) {
    throw new Error(`${cmd.slice(0, 3).join(" ")} ... exited ${r.code}${hint ? ` (${hint})` : ""}:\n${r.stderr}`);
  }
  return r.stdout;
}

if (import.meta.main) {
  const why = await slurmUnavailable();
  if (why) {
    console.error(`error: ${why}`);
    Deno.exit(2);
  }
  try {
    const r = await checkSlurmArray({ say: (m) => console.error(m) });
    console.log(r.table);
    console.log(`ok: Slurm jobs ${r.jobs.join(" and ")} merged tables equal to the local run's (${r.dir})`);
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
