import { assert, assertEquals } from "../../assert.ts";
import { type Cell, expandGrid } from "../../../src/lab/ablate/grid.ts";
import { parseSweep } from "../../../src/lab/ablate/schema.ts";
import {
  buildTable,
  type CellMetrics,
  mapKeysOf,
  meanStd,
  tableCsv,
  tableMarkdown,
} from "../../../src/lab/ablate/table.ts";
import { DEFAULT_CONFIG, mergeConfig } from "../../../src/config.ts";

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

Deno.test("meanStd() is the mean and the sample (n - 1) standard deviation", () => {
  const s = meanStd([0.9, 0.8, 0.7, 0.6]);
  assert(close(s.mean, 0.75));
  assert(close(s.std!, Math.sqrt((0.15 ** 2 * 2 + 0.05 ** 2 * 2) / 3)));
  assertEquals(s.n, 4);
  assertEquals(meanStd([0.5]), { mean: 0.5, std: null, n: 1 });
  const none = meanStd([]);
  assert(Number.isNaN(none.mean) && none.std === null && none.n === 0);
});

Deno.test("mapKeysOf() lists the maps each encoder produces", () => {
  const cfg = (encoder: "hier" | "flat", patchSize: number) =>
    mergeConfig(DEFAULT_CONFIG, { train: { encoder, patchSize } });
  assertEquals(mapKeysOf(cfg("hier", 64)), ["k64", "k32", "sum", "mult"]);
  assertEquals(mapKeysOf(cfg("hier", 128)), ["k128", "k64", "k32", "sum", "mult"]);
  assertEquals(mapKeysOf(cfg("hier", 32)), ["k32"]);
  assertEquals(mapKeysOf(cfg("flat", 64)), ["k64"]);
});

function metricsFor(
  cells: Cell[],
  f: (c: Cell) => Partial<Record<string, [number, number]>>,
): Map<string, CellMetrics> {
  const out = new Map<string, CellMetrics>();
  for (const c of cells) {
    const values = f(c);
    const image_auroc: Record<string, number> = {}, pixel_auroc: Record<string, number> = {};
    for (const [k, v] of Object.entries(values)) [image_auroc[k], pixel_auroc[k]] = v!;
    out.set(c.id, { image_auroc, pixel_auroc, main: "mult" });
  }
  return out;
}

Deno.test("buildTable() gives mean and std over seeds per category, and a mean row averaged per seed first", () => {
  const sweep = parseSweep({
    categories: ["bottle", "carpet"],
    seeds: [0, 1],
    budget: { steps: 1 },
    maps: ["mult"],
    losses: ["svdd", "svdd-prime+ssl"],
  }, "t.json");
  const cells = expandGrid(sweep, { kind: "folder" });
  // det = 0.5 + 0.1 * seed (+0.2 for carpet), seg = det / 2.
  const metrics = metricsFor(cells, (c) => {
    const det = 0.5 + 0.1 * c.seed + (c.category === "carpet" ? 0.2 : 0);
    return { k64: [0, 0], k32: [0, 0], sum: [0, 0], mult: [det, det / 2] };
  });
  const rows = buildTable(cells, metrics, sweep.maps, ["bottle", "carpet"]);
  assertEquals(rows.map((r) => `${r.axes.losses}/${r.category}/${r.map}`), [
    "svdd/bottle/mult",
    "svdd/carpet/mult",
    "svdd/mean/mult",
    "svdd-prime+ssl/bottle/mult",
    "svdd-prime+ssl/carpet/mult",
    "svdd-prime+ssl/mean/mult",
  ]);
  const [bottle, carpet, mean] = rows;
  assert(close(bottle.det.mean, 0.55) && close(bottle.det.std!, Math.SQRT1_2 * 0.1), JSON.stringify(bottle));
  assert(close(carpet.det.mean, 0.75) && close(carpet.seg.mean, 0.375));
  // per seed: (0.5 + 0.7) / 2 = 0.6 and (0.6 + 0.8) / 2 = 0.7 -> mean 0.65, std 0.0707
  assert(close(mean.det.mean, 0.65) && close(mean.det.std!, Math.SQRT1_2 * 0.1) && mean.det.n === 2);
});

Deno.test("buildTable() counts only finished cells, and the mean row only seeds with every category", () => {
  const sweep = parseSweep(
    { categories: ["bottle", "carpet"], seeds: [0, 1], budget: { steps: 1 }, maps: ["main"] },
    "t.json",
  );
  const cells = expandGrid(sweep, { kind: "folder" });
  const finished = cells.filter((c) => !(c.seed === 1 && c.category === "carpet"));
  const metrics = metricsFor(finished, (c) => ({ mult: [0.6 + 0.2 * c.seed, 0.9] }));
  const rows = buildTable(cells, metrics, sweep.maps, ["bottle", "carpet"]);
  assertEquals(rows.map((r) => [r.category, r.map, r.det.n]), [["bottle", "mult", 2], ["carpet", "mult", 1], [
    "mean",
    "mult",
    1,
  ]]);
  assert(close(rows[2].det.mean, 0.6) && rows[2].det.std === null);
  const empty = buildTable(cells, new Map(), sweep.maps, ["bottle", "carpet"]);
  assert(empty.every((r) => r.det.n === 0 && Number.isNaN(r.det.mean)));
});

Deno.test("buildTable() shows a map only where the encoder has it, with the paper's hierarchy numbers", () => {
  const sweep = parseSweep({
    categories: ["bottle"],
    seeds: [0],
    budget: { steps: 1 },
    maps: ["k64", "k32", "mult"],
    encoder: ["flat-64", "hier-64"],
  }, "h.json");
  const cells = expandGrid(sweep, { kind: "folder" });
  const rows = buildTable(cells, new Map(), sweep.maps, ["bottle"]);
  const key = (r: (typeof rows)[number]) => `${r.axes.encoder}/${r.category}/${r.map}`;
  assertEquals(rows.map(key), [
    "flat-64/bottle/k64",
    "flat-64/mean/k64",
    "hier-64/bottle/k64",
    "hier-64/bottle/k32",
    "hier-64/bottle/mult",
    "hier-64/mean/k64",
    "hier-64/mean/k32",
    "hier-64/mean/mult",
  ]);
  const paper = Object.fromEntries(rows.map((r) => [key(r), r.paper]));
  assertEquals(paper["flat-64/mean/k64"]?.det, 0.81);
  assertEquals(paper["hier-64/mean/k64"]?.seg, 0.93);
  assertEquals(paper["hier-64/mean/k32"]?.det, 0.90);
  assertEquals([paper["hier-64/mean/mult"]?.det, paper["hier-64/mean/mult"]?.seg], [0.921, 0.957]);
  assertEquals([paper["hier-64/bottle/mult"]?.det, paper["hier-64/bottle/mult"]?.source], [0.986, "Table 1"]);
  assertEquals(paper["hier-64/bottle/k64"], null);
});

Deno.test("buildTable() puts the losses ablation beside the mean rows, and nothing off the paper's setting", () => {
  const sweep = parseSweep({
    categories: ["bottle"],
    budget: { steps: 1 },
    maps: ["mult"],
    losses: ["svdd", "svdd-prime", "ssl"],
  }, "l.json");
  const rows = buildTable(expandGrid(sweep, { kind: "folder" }), new Map(), sweep.maps, ["bottle"]);
  const means = rows.filter((r) => r.category === "mean").map((r) => r.paper && [r.paper.det, r.paper.seg]);
  assertEquals(means, [[0.703, 0.832], [0.739, 0.880], null]);
  const off = parseSweep({
    categories: ["bottle"],
    budget: { steps: 1 },
    maps: ["mult"],
    base: { train: { embeddingDim: 8 } },
  }, "o.json");
  assert(
    buildTable(expandGrid(off, { kind: "folder" }), new Map(), off.maps, ["bottle"]).every((r) => r.paper === null),
  );
  const syn = parseSweep({ data: "synthetic", budget: { steps: 1 }, maps: ["mult"] }, "s.json");
  const synRows = buildTable(expandGrid(syn, { kind: "synthetic", spec: syn.synthetic! }), new Map(), syn.maps, [
    "synthetic_texture",
  ]);
  assert(synRows.every((r) => r.paper === null), "synthetic categories get no paper numbers");
});

Deno.test("tableCsv() and tableMarkdown() write one line per row, quoting CSV fields with commas", () => {
  const sweep = parseSweep({
    categories: ["bottle"],
    seeds: [0, 1],
    budget: { steps: 1 },
    maps: ["mult"],
    lambda: [1e-3, 1],
  }, "l.json");
  const cells = expandGrid(sweep, { kind: "folder" });
  const metrics = metricsFor(cells, (c) => ({ mult: [0.9 + 0.02 * c.seed, 0.95] }));
  const rows = buildTable(cells, metrics, sweep.maps, ["bottle"]);
  const csv = tableCsv(rows, ["lambda"]).trim().split("\n");
  assertEquals(csv[0], "lambda,category,map,n,det_mean,det_std,seg_mean,seg_std,paper_det,paper_seg,paper_source");
  assertEquals(csv[1], "0.001,bottle,mult,2,0.91,0.0141,0.95,0,0.986,0.981,Table 1");
  assertEquals(csv[2], '0.001,mean,mult,2,0.91,0.0141,0.95,0,0.921,0.957,"Table 1, mean of 15 classes"');
  assertEquals(csv[3], "1,bottle,mult,2,0.91,0.0141,0.95,0,,,");
  const md = tableMarkdown(rows, ["lambda"], {
    name: "l",
    file: "l.json",
    description: "why",
    budget: "1 steps",
    seeds: [0, 1],
    categories: ["bottle"],
    finished: 4,
    total: 4,
    failed: [],
    stale: ["old-1234abcd"],
  });
  assert(md.includes("| 0.001 | bottle | mult | 2 | 0.910 ± 0.014 | 0.950 ± 0.000 | 0.986 | 0.981 | Table 1 |"), md);
  assert(md.includes("cells finished: 4 of 4") && md.includes("old-1234abcd"), md);
  assertEquals(md.split("\n").filter((l) => l.startsWith("| ")).length, 1 + rows.length);
});

/** Two categories, two seeds, an untrained cell per category and seed, and two lambda values. */
function untrainedFixture() {
  const sweep = parseSweep({
    categories: ["bottle", "carpet"],
    seeds: [0, 1],
    budget: { steps: 1 },
    maps: ["mult"],
    untrained: true,
    lambda: [1e-3, 1],
  }, "u.json");
  const cells = expandGrid(sweep, { kind: "folder" });
  // Fabricated AUROCs, [det, seg], per (untrained | lambda, seed, category):
  const values: Record<string, [number, number]> = {
    "u/0/bottle": [0.90, 0.80],
    "u/1/bottle": [0.92, 0.84],
    "u/0/carpet": [0.60, 0.70],
    "u/1/carpet": [0.50, 0.60],
    "0.001/0/bottle": [0.95, 0.85],
    "0.001/1/bottle": [0.93, 0.90],
    "0.001/0/carpet": [0.70, 0.70],
    "0.001/1/carpet": [0.80, 0.62],
    "1/0/bottle": [0.85, 0.80],
    "1/1/bottle": [0.90, 0.84],
    "1/0/carpet": [0.60, 0.71],
    "1/1/carpet": [0.50, 0.60],
  };
  const key = (c: Cell) => `${c.untrained ? "u" : c.axes.lambda}/${c.seed}/${c.category}`;
  const metrics = metricsFor(cells, (c) => ({ mult: values[key(c)] }));
  return { sweep, cells, metrics, rows: buildTable(cells, metrics, sweep.maps, ["bottle", "carpet"]) };
}

Deno.test("buildTable() puts the untrained encoder's rows first, with no paper number and no gain", () => {
  const { rows } = untrainedFixture();
  assertEquals(rows.map((r) => `${r.untrained ? "untrained" : r.axes.lambda}/${r.category}`), [
    "untrained/bottle",
    "untrained/carpet",
    "untrained/mean",
    "0.001/bottle",
    "0.001/carpet",
    "0.001/mean",
    "1/bottle",
    "1/carpet",
    "1/mean",
  ]);
  const [bottle, , mean] = rows;
  assert(close(bottle.det.mean, 0.91) && close(bottle.det.std!, Math.SQRT1_2 * 0.02) && bottle.det.n === 2);
  // per seed: (0.90 + 0.60) / 2 = 0.75 and (0.92 + 0.50) / 2 = 0.71
  assert(close(mean.det.mean, 0.73) && close(mean.det.std!, Math.SQRT1_2 * 0.04));
  assert(rows.slice(0, 3).every((r) => r.paper === null && r.gain === undefined && Object.keys(r.axes).length === 0));
  assert(rows.slice(3).every((r) => !r.untrained && r.gain !== undefined));
});

Deno.test("the gain is, per seed, the trained AUROC minus the untrained one of the same seed, then mean ± std", () => {
  const { rows } = untrainedFixture();
  const row = (lambda: number, category: string) =>
    rows.find((r) => r.axes.lambda === lambda && r.category === category)!;
  // lambda 1e-3, bottle: det 0.95 - 0.90 = 0.05 and 0.93 - 0.92 = 0.01; seg 0.05 and 0.06.
  const b = row(1e-3, "bottle").gain!;
  assert(close(b.det.mean, 0.03) && close(b.det.std!, Math.SQRT1_2 * 0.04) && b.det.n === 2, JSON.stringify(b));
  assert(close(b.seg.mean, 0.055) && close(b.seg.std!, Math.SQRT1_2 * 0.01));
  // carpet: 0.10 and 0.30 (not the difference of the means over seeds paired across seeds).
  const c = row(1e-3, "carpet").gain!;
  assert(close(c.det.mean, 0.2) && close(c.det.std!, Math.SQRT1_2 * 0.2));
  // mean over categories per seed: seed 0 (0.05 + 0.10) / 2 = 0.075, seed 1 (0.01 + 0.30) / 2 = 0.155.
  const m = row(1e-3, "mean").gain!;
  assert(close(m.det.mean, 0.115) && close(m.det.std!, Math.SQRT1_2 * 0.08));
  // lambda 1, bottle: -0.05 and -0.02: a loss shows as a negative gain.
  assert(close(row(1, "bottle").gain!.det.mean, -0.035));
  // carpet seg: 0.01 and 0.00.
  assert(close(row(1, "carpet").gain!.seg.mean, 0.005));
});

Deno.test("the gain counts only seeds where both the trained and the untrained cell are finished", () => {
  const { sweep, cells, metrics } = untrainedFixture();
  const partial = new Map(metrics);
  partial.delete(cells.find((c) => c.untrained && c.seed === 1 && c.category === "bottle")!.id);
  const rows = buildTable(cells, partial, sweep.maps, ["bottle", "carpet"]);
  const bottle = rows.find((r) => r.axes.lambda === 1e-3 && r.category === "bottle")!;
  assertEquals([bottle.det.n, bottle.gain!.det.n, bottle.gain!.det.std], [2, 1, null]);
  assert(close(bottle.gain!.det.mean, 0.05));
  const mean = rows.find((r) => r.axes.lambda === 1e-3 && r.category === "mean")!;
  assertEquals(mean.gain!.det.n, 1); // seed 1's untrained mean over categories is incomplete
  const info = { name: "u", file: "u.json", description: "", budget: "1 steps", seeds: [0, 1] };
  const md = tableMarkdown(rows, ["lambda"], {
    ...info,
    categories: ["bottle", "carpet"],
    finished: 11,
    total: 12,
    failed: [],
    stale: [],
  });
  assert(
    md.includes(
      "| trained | 0.001 | bottle | mult | 2 | 0.940 ± 0.014 | 0.875 ± 0.035 | 0.986 | 0.981 | Table 1 | " +
        "+0.050 (n = 1) | +0.050 (n = 1) |",
    ),
    md,
  );
  const none = buildTable(cells, new Map(), sweep.maps, ["bottle", "carpet"]);
  assert(none.filter((r) => !r.untrained).every((r) => r.gain!.det.n === 0 && Number.isNaN(r.gain!.det.mean)));
});

Deno.test("tables with the untrained encoder get a training column and signed gain columns", () => {
  const { rows } = untrainedFixture();
  const csv = tableCsv(rows, ["lambda"]).trim().split("\n");
  assertEquals(
    csv[0],
    "training,lambda,category,map,n,det_mean,det_std,seg_mean,seg_std,paper_det,paper_seg,paper_source," +
      "gain_n,gain_det_mean,gain_det_std,gain_seg_mean,gain_seg_std",
  );
  assertEquals(csv[1], "untrained,,bottle,mult,2,0.91,0.0141,0.82,0.0283,,,,,,,,");
  assertEquals(
    csv[4],
    "trained,0.001,bottle,mult,2,0.94,0.0141,0.875,0.0354,0.986,0.981,Table 1,2,0.03,0.0283,0.055,0.0071",
  );
  const md = tableMarkdown(rows, ["lambda"], {
    name: "u",
    file: "u.json",
    description: "",
    budget: "1 steps",
    seeds: [0, 1],
    categories: ["bottle", "carpet"],
    finished: 12,
    total: 12,
    failed: [],
    stale: [],
  });
  assert(md.includes("| training | lambda | category | map | n |") && md.includes("| gain det | gain seg |"), md);
  assert(md.includes("| untrained |  | bottle | mult | 2 | 0.910 ± 0.014 | 0.820 ± 0.028 |  |  |  |  |  |"), md);
  assert(
    md.includes("| trained | 1 | bottle | mult | 2 | 0.875 ± 0.035 | 0.820 ± 0.028 |  |  |  | -0.035 ± 0.021 |"),
    md,
  );
  assert(md.includes("untrained: the base configuration trained for 0 steps"), md);
  // Without the untrained cells the columns are the old ones.
  assert(!tableCsv(rows.filter((r) => r.gain === undefined && !r.untrained), ["lambda"]).includes("training"));
});
