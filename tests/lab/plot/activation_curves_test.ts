import { assert, assertEquals, assertRejects, assertThrows } from "../../assert.ts";
import { activationCurves } from "../../../src/lab/plot/activation_curves.ts";
import { collapseFigure, readActivationLog, runActivationsFigure } from "../../../src/lab/figures/activations.ts";
import { assertFigure } from "./_helpers.ts";

const row = (step: number, last: number, saturated: number, spread: number) => ({
  step,
  levels: [
    { patchSize: 64, preact: [0.04, 0.05], saturated: 0, spread: 1e-4 },
    { patchSize: 32, preact: [0.08, last], saturated, spread },
  ],
});

Deno.test("activationCurves(): three panels for the chosen level, one line per run", async () => {
  const figure = activationCurves([
    { label: "collapsed run", rows: [row(0, 0.03, 0, 5e-5), row(100, 18, 1, 1e-6)] },
    { label: "healthy run", rows: [row(0, 0.03, 0, 5e-5), row(100, 0.7, 0.01, 0.1)] },
  ]);
  await assertFigure(figure, [
    "Encoder activations during training (K=32)",
    "collapsed run",
    "healthy run",
    "tanh outputs saturated",
    "spread of the codes",
    "1e-6",
  ]);
  assert(activationCurves([{ label: "a", rows: [row(0, 0.03, 0, 1e-4)] }], { patchSize: 64 }).svg.includes("K=64"));
  assertThrows(() => activationCurves([{ label: "a", rows: [row(0, 1, 0, 1)] }], { patchSize: 128 }), RangeError);
});

Deno.test("collapseFigure() reads results/collapse/*/activations.jsonl with labels, skipping torn lines", async () => {
  const dir = await Deno.makeTempDir({ prefix: "patchsvdd-collapse-" });
  assertEquals((await collapseFigure(dir)).figure, null, "nothing committed: no figure");
  await Deno.mkdir(`${dir}/collapse/a-run`, { recursive: true });
  const lines = [row(0, 0.03, 0, 5e-5), row(20, 5, 0.97, 4e-4)].map((r) => JSON.stringify(r));
  await Deno.writeTextFile(`${dir}/collapse/a-run/activations.jsonl`, lines.join("\n") + '\n{"step": 40, "lev');
  await Deno.writeTextFile(`${dir}/collapse/a-run/label.txt`, "seed 4, bf16, no warm-up\n");
  assertEquals((await readActivationLog(`${dir}/collapse/a-run/activations.jsonl`)).map((r) => r.step), [0, 20]);
  const outcome = await collapseFigure(dir);
  assertEquals(outcome.source, "results/collapse: 1 runs");
  await assertFigure(outcome.figure!, ["seed 4, bf16, no warm-up"]);
  const run = await runActivationsFigure(`${dir}/collapse/a-run`, { tag: "t", label: "a run" });
  assertEquals(run.name, "run-t-activations");
  assert(run.figure !== null);
  assertEquals((await runActivationsFigure(dir, { tag: "t", label: "none" })).figure, null);
  await Deno.remove(`${dir}/collapse/a-run/activations.jsonl`);
  await Deno.mkdir(`${dir}/collapse/a-run/activations.jsonl`);
  await assertRejects(() => readActivationLog(`${dir}/collapse/a-run/activations.jsonl`));
  await Deno.remove(dir, { recursive: true });
});
