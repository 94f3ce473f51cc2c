/**
 * The Slurm recipe of docs/ablations.md on a real Slurm (scripts/slurm/slurm_test.ts). Skipped,
 * with the reason printed, where `sbatch` is absent or no controller answers: most machines.
 */

import { assert } from "../../assert.ts";
import { checkSlurmArray, slurmUnavailable } from "../../../scripts/slurm/slurm_test.ts";

const why = await slurmUnavailable();
if (why) console.log(`skipping the Slurm array test: ${why}`);

Deno.test({
  name: "a 2-task Slurm array of ablate.sbatch over smoke.json, merged, gives the local run's tables",
  ignore: why !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "patchsvdd-slurm-test-" });
    try {
      const r = await checkSlurmArray({ dir });
      assert(r.jobs[0] !== r.jobs[1] && /^\d+$/.test(r.jobs[0]), `job ids ${r.jobs}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
