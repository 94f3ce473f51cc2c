import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { seedSpread } from "../../../src/lab/plot/seed_spread.ts";
import { readSeedRuns, seedSpreadFigure } from "../../../src/lab/figures/time_to_quality.ts";

/** Write one committed time-to-quality run: its configuration, label and 20-minute metrics. */
async function writeRun(
  dir: string,
  folder: string,
  train: Record<string, unknown>,
  precision: string | undefined,
  label: string | null,
  auroc: { det: number; seg: number } | null,
): Promise<void> {
  const at = `${dir}/time_to_quality/${folder}`;
  await Deno.mkdir(at, { recursive: true });
  await Deno.writeTextFile(`${at}/config.json`, JSON.stringify({ precision, config: { train } }));
  if (label !== null) await Deno.writeTextFile(`${at}/label.txt`, `${label}\n`);
  if (auroc) {
    const metrics = { main: "mult", image_auroc: { mult: auroc.det }, pixel_auroc: { mult: auroc.seg } };
    await Deno.writeTextFile(`${at}/metrics_20min.json`, JSON.stringify(metrics));
  }
}

Deno.test("readSeedRuns() groups runs that differ only in their seeds; the figure adds the untrained encoder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "patchsvdd-seeds-" });
  const dense = { sampling: "dense", denseCrops: 2, losses: { ssl: true, svddPrime: true } };
  // the same recipe, keys in another order
  const denseReordered = { losses: { svddPrime: true, ssl: true }, denseCrops: 2, sampling: "dense" };
  await writeRun(dir, "crops2", { ...dense, seed: 0 }, "bf16", "dense, 2 crops", { det: 0.97, seg: 0.92 });
  await writeRun(dir, "crops2-seed1", { ...denseReordered, seed: 1 }, "bf16", "dense, 2 crops, seed 1", {
    det: 0.72,
    seg: 0.86,
  });
  await writeRun(dir, "crops2-init1", { ...dense, seed: 0, initSeed: 1 }, "bf16", "whatever", { det: 0.8, seg: 0.9 });
  await writeRun(dir, "crops2-fp32", { ...dense, seed: 0 }, undefined, "fp32 run", { det: 0.9, seg: 0.9 });
  await writeRun(dir, "crops2-seed2-unfinished", { ...dense, seed: 2 }, "bf16", null, null);
  await writeRun(dir, "reference", { sampling: "reference", seed: 0 }, undefined, null, { det: 0.95, seg: 0.85 });
  await writeRun(dir, "reference-seed1", { sampling: "reference", seed: 1 }, "fp32", null, { det: 0.93, seg: 0.84 });
  await writeRun(dir, "crops2-init1-seed2", { ...dense, seed: 2, initSeed: 1 }, "bf16", "init 1", {
    det: 0.7,
    seg: 0.8,
  });
  const runs = await readSeedRuns(`${dir}/time_to_quality`);
  assertEquals(runs.map((r) => [r.recipe, r.run, r.det]), [
    ["dense, 2 crops", "seed 0", 0.97],
    ["dense, 2 crops", "seed 1", 0.72],
    ["whatever", "sampling seed 0, init seed 1", 0.8],
    ["whatever", "sampling seed 2, init seed 1", 0.7],
    ["reference sampling", "seed 0", 0.95],
    ["reference sampling", "seed 1", 0.93],
  ]);
  await Deno.mkdir(`${dir}/random_encoder`);
  for (const [seed, det] of [[0, 0.93], [1, 0.91]]) {
    const metrics = { main: "mult", image_auroc: { mult: det }, pixel_auroc: { mult: 0.89 } };
    await Deno.writeTextFile(`${dir}/random_encoder/seed${seed}.metrics.json`, JSON.stringify(metrics));
  }
  const outcome = await seedSpreadFigure(dir);
  const svg = outcome.figure!.svg;
  for (
    const text of [
      "dense, 2 crops",
      "reference sampling",
      "0.845 (n=2)",
      "0.940 (n=2)",
      "0.920 (n=2)",
      "untrained encoder",
    ]
  ) {
    assert(svg.includes(text), `the figure shows "${text}"`);
  }
  assert(outcome.markdown!.includes("| dense, 2 crops | seed 1 | 0.720 | 0.860 |"));
  assert(
    outcome.markdown!.includes("| untrained encoder (train --steps 0) | seed 1 | 0.910 | 0.890 |"),
    "baseline row",
  );
  assertEquals((await seedSpreadFigure(`${dir}/nothing`)).figure, null);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("seedSpread() refuses an empty list and AUROCs outside [0, 1]", () => {
  assertThrows(() => seedSpread([]), RangeError);
  assertThrows(() => seedSpread([{ recipe: "r", run: "seed 0", det: 97, seg: 0.9 }]), RangeError, "r seed 0");
});
