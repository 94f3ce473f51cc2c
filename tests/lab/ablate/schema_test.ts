import { assert, assertEquals, assertRejects, assertThrows } from "../../assert.ts";
import { expandGrid, sweepCategories } from "../../../src/lab/ablate/grid.ts";
import { loadSweep, parseSweep, SweepError } from "../../../src/lab/ablate/schema.ts";
import { UserError } from "../../../src/errors.ts";
import { DEFAULT_CONFIG } from "../../../src/config.ts";
import { PRESETS } from "../../../src/presets.ts";

const minimal = { categories: ["bottle"], budget: { steps: 10 } };

/** Assert parseSweep fails with a SweepError whose one-line message matches every pattern. */
function assertSweepError(json: unknown, ...patterns: RegExp[]): void {
  assertThrows(() => parseSweep(json, "experiments/x.json"), (e: unknown) => {
    assert(e instanceof SweepError && e instanceof UserError, String(e));
    assert(!e.message.includes("\n"), `not one line: ${e.message}`);
    assert(e.message.startsWith("experiments/x.json: "), e.message);
    for (const p of patterns) assert(p.test(e.message), `${e.message} !~ ${p}`);
    return true;
  });
}

Deno.test("parseSweep() rejects an unknown axis, naming it and the known axes", () => {
  assertSweepError({ ...minimal, lamda: [1e-3] }, /lamda: unknown axis or setting/, /axes are lambda, losses, encoder/);
});

Deno.test("parseSweep() rejects a negative or non-numeric lambda with its index", () => {
  assertSweepError(
    { ...minimal, lambda: [1e-3, -1] },
    /lambda\[1\]: expected a number >= 0 but found -1/,
    /use values/,
  );
  assertSweepError({ ...minimal, lambda: ["1e-3"] }, /lambda\[0\]: expected a number >= 0 but found "1e-3"/);
  assertSweepError({ ...minimal, lambda: [] }, /lambda: expected a non-empty list but found \[\]/);
  assertSweepError({ ...minimal, lambda: [1e-3, 1e-3] }, /lambda\[1\]: expected distinct values/);
});

Deno.test("parseSweep() rejects empty, negative or fractional seeds", () => {
  assertSweepError({ ...minimal, seeds: [] }, /seeds: expected a non-empty list but found \[\]/, /"seeds": \[0, 1\]/);
  assertSweepError({ ...minimal, seeds: [0, -1] }, /seeds\[1\]: expected a non-negative integer but found -1/);
  assertSweepError({ ...minimal, seeds: [0.5] }, /seeds\[0\]/);
});

Deno.test("parseSweep() rejects bad losses, encoder and maps values with the accepted spellings", () => {
  assertSweepError(
    { ...minimal, losses: ["svdd+svdd"] },
    /losses\[0\]: expected terms svdd, svdd-prime, ssl joined by \+/,
  );
  assertSweepError({ ...minimal, losses: ["ssl+l2"] }, /losses\[0\]/);
  assertSweepError({ ...minimal, encoder: ["hier"] }, /encoder\[0\]: expected <hier\|flat>-<K>/, /"flat-64"/);
  assertSweepError({ ...minimal, maps: ["k48"] }, /maps\[0\]: expected k32, k64, k128, sum, mult or main/);
});

Deno.test("parseSweep() takes denseCrops as an axis of positive integers and applies it", () => {
  assertSweepError({ ...minimal, denseCrops: [2, 0] }, /denseCrops\[1\]: expected a positive integer but found 0/);
  const sweep = parseSweep({ ...minimal, base: { train: { sampling: "dense" } }, denseCrops: [2, 8] }, "c.json");
  assertEquals(expandGrid(sweep, { kind: "folder" }).map((c) => c.config.train.denseCrops), [2, 8]);
});

Deno.test("parseSweep() requires a budget and categories (unless synthetic)", () => {
  assertSweepError(
    { categories: ["bottle"] },
    /budget: expected a non-empty object but found undefined/,
    /"steps": 1000/,
  );
  assertSweepError({ ...minimal, budget: { iterations: 3 } }, /budget\.iterations: unknown field/);
  assertSweepError({ ...minimal, budget: { steps: -1 } }, /budget\.steps: expected an integer >= 0/);
  assertSweepError({ budget: { steps: 1 } }, /categories: missing/);
  const s = parseSweep(
    { data: "synthetic", budget: { steps: 1 }, synthetic: { kinds: ["texture", "object"] } },
    "s.json",
  );
  assertEquals(sweepCategories(s), ["synthetic_texture", "synthetic_object"]);
});

Deno.test("parseSweep() checks base against the config's fields and types", () => {
  assertSweepError({ ...minimal, base: { train: { lamda: 1 } } }, /base\.train\.lamda: unknown field/, /lambda/);
  assertSweepError({ ...minimal, base: { imageSize: "256" } }, /base\.imageSize: expected a number but found "256"/);
  assertSweepError({ ...minimal, base: { train: { seed: 3 } } }, /base\.train\.seed/, /"seeds"/);
});

Deno.test("a sweep's base may set the optional training deviations; their types and ranges are checked", () => {
  const train = {
    sampling: "dense",
    denseCrops: 2,
    learningRate: 3e-4,
    lrWarmupSteps: 300,
    lrSchedule: { kind: "linear", steps: 4800 },
  };
  const [cell] = expandGrid(parseSweep({ ...minimal, base: { train } }, "o.json"), { kind: "folder" });
  assertEquals({ ...cell.config.train, seed: 0 }, { ...DEFAULT_CONFIG.train, ...train, seed: 0 });
  assertSweepError(
    { ...minimal, base: { train: { lrWarmupSteps: "300" } } },
    /base\.train\.lrWarmupSteps: expected a number but found "300"/,
    /e\.g\. 300 \(absent by default\)/,
  );
  assertThrows(
    () => expandGrid(parseSweep({ ...minimal, base: { train: { lrWarmupSteps: 0.5 } } }, "w.json"), { kind: "folder" }),
    /w\.json: base: Expected the learning-rate warm-up to be a positive whole number of steps but found 0\.5/,
  );
});

Deno.test("a sweep setting a retired option (fp32Steps, base.train.emaDecay) is refused, saying it was retired", () => {
  assertSweepError(
    { ...minimal, precision: "bf16", fp32Steps: 500 },
    /^experiments\/x\.json: fp32Steps: the float32 warm-up of bf16 runs \(train --fp32-steps\) was retired; remove the field/,
  );
  assertSweepError(
    { ...minimal, base: { train: { emaDecay: 0.999 } } },
    /^experiments\/x\.json: base\.train\.emaDecay: the moving average of the weights \(train --ema\) was retired; remove/,
  );
});

Deno.test("stopOnCollapse: off by default, a boolean, and not part of the cell id", () => {
  const plain = parseSweep(minimal, "p.json");
  const stopping = parseSweep({ ...minimal, stopOnCollapse: true }, "p.json");
  assertEquals([plain.stopOnCollapse, stopping.stopOnCollapse], [false, true]);
  const ids = [plain, stopping].map((sweep) => expandGrid(sweep, { kind: "folder" })[0].id);
  assertEquals(ids[0], ids[1], "stopping a collapsed cell changes no finished cell's result");
  assertSweepError({ ...minimal, stopOnCollapse: "yes" }, /stopOnCollapse: expected true or false but found "yes"/);
});

Deno.test("untrained: off by default, a boolean", () => {
  assertEquals(parseSweep(minimal, "m.json").untrained, false);
  assertEquals(parseSweep({ ...minimal, untrained: true }, "m.json").untrained, true);
  assertSweepError({ ...minimal, untrained: "yes" }, /untrained: expected true or false but found "yes"/);
});

Deno.test("parseSweep() rejects synthetic options without data 'synthetic' and bad synthetic fields", () => {
  assertSweepError({ ...minimal, synthetic: { size: 64 } }, /synthetic: synthetic options need "data": "synthetic"/);
  assertSweepError(
    { data: "synthetic", budget: { steps: 1 }, synthetic: { size: 32 } },
    /synthetic\.size: expected an integer >= 64/,
  );
  assertSweepError(
    { data: "synthetic", budget: { steps: 1 }, categories: ["bottle"] },
    /categories\[0\]: expected one of the synthetic categories synthetic_texture/,
  );
});

Deno.test("expandGrid() names the cell whose config is invalid", () => {
  const sweep = parseSweep({ ...minimal, base: { imageSize: 64 }, encoder: ["hier-64", "hier-128"] }, "e.json");
  assertThrows(() => expandGrid(sweep, { kind: "folder" }), (e: unknown) => {
    assert(e instanceof SweepError, String(e));
    assert(
      /^e\.json: cell encoder=hier-64_seed=0_bottle: (expected imageSize > patch size K|Expected image size > K=64)/
        .test(e.message),
      e.message,
    );
    return true;
  });
  const flat = parseSweep({ ...minimal, encoder: ["flat-128"] }, "f.json");
  assertThrows(
    () => expandGrid(flat, { kind: "folder" }),
    /f\.json: cell encoder=flat-128_seed=0_bottle: The flat encoder/,
  );
});

Deno.test("loadSweep() names a missing file and a syntax error", async () => {
  await assertRejects(
    () => loadSweep("experiments/nope.json"),
    /experiments\/nope\.json does not exist; pass a sweep file/,
  );
  const tmp = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(tmp, "{ lambda: [1] }");
  await assertRejects(() => loadSweep(tmp), (e: Error) => e instanceof SweepError && /not valid JSON/.test(e.message));
  await Deno.remove(tmp);
});

Deno.test("the shipped sweep files validate and expand to the grids they promise", async () => {
  const expect: Record<string, { cells: number; axis: string; values: number; seeds?: number; maps?: string[] }> = {
    losses_100steps: { cells: 6, axis: "losses", values: 3 },
    hierarchy_100steps: { cells: 4, axis: "encoder", values: 2, maps: ["k64", "k32", "mult"] },
    lambda_100steps: { cells: 8, axis: "lambda", values: 4 },
    smoke: { cells: 4, axis: "losses", values: 2 },
    // 4 values x 2 categories x 3 seeds, plus one untrained cell per category and seed.
    losses_2400: { cells: 30, axis: "losses", values: 4, seeds: 3 },
    lambda_2400: { cells: 30, axis: "lambda", values: 4, seeds: 3 },
    hierarchy_2400: { cells: 30, axis: "encoder", values: 4, seeds: 3, maps: ["k128", "k64", "k32", "mult"] },
    hier32_crops_2400: { cells: 12, axis: "denseCrops", values: 2, maps: ["k32"] },
  };
  for (const [name, e] of Object.entries(expect)) {
    const sweep = await loadSweep(new URL(`../../../experiments/${name}.json`, import.meta.url).pathname);
    assertEquals(sweep.name, name);
    assertEquals(sweep.axes.map((a) => a.name), [e.axis]);
    assertEquals(sweep.axes[0].values.length, e.values);
    if (name !== "smoke") assertEquals(sweep.seeds.length, e.seeds ?? 2);
    if (e.maps) assertEquals(sweep.maps, e.maps);
    const data = sweep.synthetic ? { kind: "synthetic" as const, spec: sweep.synthetic } : { kind: "folder" as const };
    const cells = expandGrid(sweep, data);
    assertEquals(cells.length, e.cells);
    if (name.endsWith("_2400")) {
      assertEquals([sweep.categories, sweep.budget, sweep.nn, sweep.untrained], [
        ["bottle", "transistor"],
        { steps: 2400 },
        "exact",
        true,
      ]);
      assertEquals(cells.filter((c) => c.untrained).length, 2 * sweep.seeds.length);
    } else assertEquals(sweep.untrained, false);
  }
  // The preset's sweeps share their untrained cells and the lambda 1e-3 = L_SVDD' + L_SSL cells.
  const ids = async (name: string) =>
    expandGrid(
      await loadSweep(new URL(`../../../experiments/${name}.json`, import.meta.url).pathname),
      { kind: "folder" },
    ).map((c) => c.hash);
  const [losses, lambda] = [await ids("losses_2400"), await ids("lambda_2400")];
  const preset = await loadSweep(new URL("../../../experiments/losses_2400.json", import.meta.url).pathname);
  // The preset's first form: everything but the pre-activation bound, added after the losses sweep ran.
  const { preactBound: _bound, ...firstForm } = PRESETS.fast.override.train!;
  assertEquals(preset.base.train, firstForm);
  assertEquals(losses.filter((h) => lambda.includes(h)).length, 12); // per category and seed: untrained and lambda 1e-3
  // The crops check's 2-crop cells are the hierarchy sweep's hier-32 cells.
  const [hierarchy, crops] = [await ids("hierarchy_2400"), await ids("hier32_crops_2400")];
  assertEquals(crops.filter((h) => hierarchy.includes(h)).length, 4);
  // The speed issue's 20-minute recipe: no axis, five seeds, the named deviations set in base.
  const twenty = await loadSweep(new URL("../../../experiments/twenty_minutes.json", import.meta.url).pathname);
  assertEquals([twenty.axes.length, twenty.seeds, twenty.precision], [0, [0, 1, 2, 3, 4], "bf16"]);
  const cells = expandGrid(twenty, { kind: "folder" });
  assertEquals(cells.length, 5);
  assertEquals(cells[0].config.train.lrWarmupSteps, 500);
  assertEquals(cells[0].config.train.denseCrops, 2);
});
