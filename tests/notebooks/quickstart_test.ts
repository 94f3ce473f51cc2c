/**
 * CI runs `01-quickstart` headless (`deno task notebooks --only 01-quickstart`) on tiny synthetic
 * data and checks the files it writes (a figure and a metrics file), not the notebook's outputs.
 * A fresh machine has no Jupyter: the test runs `deno task setup-notebooks` (apt-get) first, and is
 * ignored, saying why, when that is impossible (not root, no network, no apt-get).
 */

import { assert, assertEquals } from "../assert.ts";
import { runCli } from "../cli/_run.ts";

const root = new URL("../../", import.meta.url).pathname;

async function jupyterReady(): Promise<boolean> {
  try {
    const out = await new Deno.Command("/usr/bin/jupyter", {
      args: ["nbconvert", "--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return out.success;
  } catch {
    return false;
  }
}

/** Null when notebooks can run, else why not. */
async function prepare(): Promise<string | null> {
  if (Deno.build.os !== "linux") return `headless notebooks need Debian's jupyter; this is ${Deno.build.os}`;
  const setup = await runCli("notebooks", ["--setup"]);
  if (setup.code !== 0) return `deno task setup-notebooks failed: ${setup.stderr.trim().split("\n").pop()}`;
  return (await jupyterReady()) ? null : "jupyter nbconvert still does not run after the setup";
}

const problem = await prepare();
if (problem) console.error(`tests/notebooks/quickstart_test.ts ignored: ${problem}`);

Deno.test({
  name: "notebooks --only 01-quickstart runs headless and writes a figure and metrics.json",
  ignore: problem !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const tmp = await Deno.makeTempDir({ prefix: "patchsvdd-notebook-" });
    const committed = await Deno.readTextFile(`${root}notebooks/01-quickstart.ipynb`);
    const r = await runCli("notebooks", ["--only", "01-quickstart", "--out", `${tmp}/executed`], {
      PATCHSVDD_NOTEBOOK_OUT: `${tmp}/out`,
      PATCHSVDD_NOTEBOOK_STEPS: "2",
      PATCHSVDD_NOTEBOOK_IMAGE_SIZE: "80",
      PATCHSVDD_NOTEBOOK_BATCH: "4",
      PATCHSVDD_NOTEBOOK_NUM_TRAIN: "4",
    });
    assertEquals(r.code, 0, `${r.stdout}\n${r.stderr}`);

    const svg = await Deno.readTextFile(`${tmp}/out/anomaly_map.svg`);
    assert(svg.startsWith("<svg") && svg.includes("Anomaly map"), svg.slice(0, 200));
    const png = await Deno.readFile(`${tmp}/out/anomaly_map.png`);
    assertEquals([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const metrics = JSON.parse(await Deno.readTextFile(`${tmp}/out/metrics.json`));
    assertEquals(metrics.category, "synthetic_texture");
    assertEquals(metrics.main, "mult");
    for (const key of ["k64", "k32", "sum", "mult"]) {
      assert(metrics.image_auroc[key] >= 0 && metrics.image_auroc[key] <= 1, JSON.stringify(metrics.image_auroc));
      assert(metrics.pixel_auroc[key] >= 0 && metrics.pixel_auroc[key] <= 1, JSON.stringify(metrics.pixel_auroc));
    }
    assertEquals(metrics.config.step, 2);

    // The executed copy went to --out; the committed notebook is untouched.
    await Deno.stat(`${tmp}/executed/01-quickstart.ipynb`);
    assertEquals(await Deno.readTextFile(`${root}notebooks/01-quickstart.ipynb`), committed);
    await Deno.remove(tmp, { recursive: true });
  },
});

Deno.test("notebooks --only names an unknown notebook in a one-line error", async () => {
  const r = await runCli("notebooks", ["--only", "99-nope", "--list"]);
  assertEquals(r.code, 2, r.stderr);
  assert(/No notebook 99-nope\.ipynb in notebooks\/; the notebooks are 01-quickstart\.ipynb/.test(r.stderr), r.stderr);
});

Deno.test("notebooks --list lists the six notebooks in order", async () => {
  const r = await runCli("notebooks", ["--list"]);
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout.trim().split("\n"), [
    "01-quickstart",
    "02-losses-ablation",
    "03-hierarchy",
    "04-lambda",
    "05-anomaly-maps",
    "06-paper-table",
  ]);
});
