/** scripts/slurm/ablate.sbatch: what docs/ablations.md shows is the script as committed, and bash parses it. */

import { assertEquals } from "../../assert.ts";

const root = new URL("../../../", import.meta.url).pathname;

Deno.test("docs/ablations.md shows scripts/slurm/ablate.sbatch as committed, its header comment aside", async () => {
  const script = (await Deno.readTextFile(`${root}scripts/slurm/ablate.sbatch`)).trim().split("\n");
  const firstDirective = script.findIndex((l) => l.startsWith("#SBATCH"));
  const docs = await Deno.readTextFile(`${root}docs/ablations.md`);
  const shown = docs.match(/```bash\n([\s\S]*?)```/)?.[1].trim().split("\n");
  assertEquals(shown, [script[0], ...script.slice(firstDirective)]);
});

Deno.test("scripts/slurm/ablate.sbatch and local_cluster.sh parse as bash", async () => {
  for (const file of ["ablate.sbatch", "local_cluster.sh"]) {
    const out = await new Deno.Command("bash", { args: ["-n", `${root}scripts/slurm/${file}`], stderr: "piped" })
      .output();
    assertEquals(out.code, 0, `${file}: ${new TextDecoder().decode(out.stderr)}`);
  }
});
