import {
  benchFigure,
  benchPhases,
  categoryRows,
  committedTrainingCurvesFigure,
  csvToMarkdown,
  envFlag,
  envNumber,
  findSweep,
  fromRoot,
  hierarchyAblationRows,
  hierarchyFigure,
  hierarchyRowsFromTable,
  lambdaFigure,
  lambdaRowsFromTable,
  listSweeps,
  lossAblationRows,
  lossesFigure,
  lossRowsFromTable,
  paperLossName,
  paperTableFigure,
  parseCsv,
  patchLabels,
  PROJECT_ROOT,
  referenceWeightsMethod,
  runTraits,
  saveOutcome,
  selectCases,
  sweepTableRows,
} from "../../src/lab/figures/mod.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { metricsOf, writeResults } from "./_fixtures.ts";

const tmp = await Deno.makeTempDir({ prefix: "patchsvdd-figures-" });
const results = `${tmp}/results`;
await writeResults(results);
const sweeps = await listSweeps(results);

Deno.test("parseCsv() reads quoted fields, escaped quotes, CRLF and missing trailing fields", () => {
  const table = parseCsv('a,b,c\r\n"x, y","say ""hi""",1\r\nlast,2\n');
  assertEquals(table.columns, ["a", "b", "c"]);
  assertEquals(table.rows, [{ a: "x, y", b: 'say "hi"', c: "1" }, { a: "last", b: "2", c: "" }]);
  assertThrows(() => parseCsv('a\n"open'), SyntaxError);
  assert(csvToMarkdown(table).startsWith("| a | b | c |\n|---|---|---|\n| x, y |"));
});

Deno.test("sweepTableRows() keeps finished rows, reads blank stds as 0 and the paper's number", () => {
  const rows = sweepTableRows(findSweep(sweeps, "losses")!.table!);
  assertEquals(rows.length, 4); // the n = 0 row is dropped
  const mean = rows.find((r) => r.axes.losses === "svdd-prime+ssl" && r.category === "mean")!;
  assertEquals(mean.seg.std, 0);
  assertEquals(mean.paper, { det: 0.921, seg: 0.957, source: "Table 1, mean of 15 classes" });
  assertEquals(sweepTableRows(parseCsv("x,y\n1,2\n")), []);
});

Deno.test("paperLossName() maps sweep spellings to the paper's names", () => {
  assertEquals(paperLossName("svdd"), "L_SVDD");
  assertEquals(paperLossName("svdd-prime"), "L_SVDD'");
  assertEquals(paperLossName("svdd-prime+ssl"), "L_SVDD' + L_SSL");
  assertEquals(paperLossName("ssl"), "L_SSL");
  assertEquals(paperLossName("something else"), "something else");
});

Deno.test("lossRowsFromTable() uses the mean rows, the paper's order and the table's paper values", () => {
  const rows = lossRowsFromTable(sweepTableRows(findSweep(sweeps, "losses")!.table!));
  assertEquals(rows.map((r) => `${r.group}/${r.metric}`), [
    "L_SVDD/det",
    "L_SVDD/seg",
    "L_SVDD' + L_SSL/det",
    "L_SVDD' + L_SSL/seg",
  ]);
  assertEquals(rows[0].paper, 0.703);
  assertEquals(rows[0].n, 2);
});

Deno.test("hierarchyRowsFromTable() names encoder and map as the paper does", () => {
  const csv = "encoder,category,map,n,det_mean,det_std,seg_mean,seg_std,paper_det,paper_seg,paper_source\n" +
    "flat-64,mean,k64,2,0.8,0.01,0.85,0.01,0.81,0.88,x\nhier-64,mean,k64,2,0.9,0.01,0.9,0.01,,,\n" +
    "hier-64,mean,k32,2,0.92,0.01,0.95,0.01,,,\nhier-64,mean,mult,2,0.95,0.01,0.96,0.01,,,\n";
  const groups = [...new Set(hierarchyRowsFromTable(sweepTableRows(parseCsv(csv))).map((r) => r.group))];
  assertEquals(groups, ["non-hierarchical K=64", "hierarchical K=64", "hierarchical K=32", "fused (mult)"]);
});

Deno.test("lambdaRowsFromTable() sorts by lambda and gives det and seg per lambda", () => {
  const rows = lambdaRowsFromTable(sweepTableRows(findSweep(sweeps, "lambda")!.table!));
  assertEquals(rows.map((r) => r.lambda), [1e-4, 1e-4, 1e-3, 1e-3, 1, 1]);
  assertEquals(rows[4], { lambda: 1, metric: "det", mean: 0.5, std: 0.05, facet: "mean" });
});

Deno.test("runTraits() and the run summaries: mean over seeds, std, the axis each ablation varies", () => {
  const hierarchy = findSweep(sweeps, "hierarchy")!;
  assertEquals(hierarchy.runs.length, 4);
  const flat = hierarchy.runs.find((r) => r.cell === "flat-s0")!;
  assertEquals(flat.traits.differs, ["encoder"]);
  const rows = hierarchyAblationRows(hierarchy.runs);
  assertEquals([...new Set(rows.map((r) => r.group))], [
    "non-hierarchical K=64",
    "hierarchical K=64",
    "hierarchical K=32",
    "fused (mult)",
    "fused (sum)",
  ]);
  assertEquals(rows.find((r) => r.group === "fused (mult)" && r.metric === "det")!.paper, 0.921);
  const losses = lossAblationRows(findSweep(sweeps, "losses")!.runs);
  const det = losses.find((r) => r.metric === "det")!;
  assertEquals(det.n, 2);
  assert(Math.abs(det.mean - 0.955) < 1e-12 && Math.abs(det.std - Math.SQRT1_2 / 100) < 1e-12);
  // A synthetic category gets no paper value (the paper's ablations are MVTec means).
  const synthetic = runTraits(metricsOf("synthetic_texture", {}, { mult: [0.9, 0.9] }));
  assert(synthetic.reference);
});

Deno.test("categoryRows() groups reference runs by budget, adds the paper and a mean row", () => {
  const all = sweeps.flatMap((s) => s.runs);
  const rows = categoryRows(all);
  assertEquals(rows.map((r) => r.method), ["Patch SVDD (ours, 3,270 steps)", "Patch SVDD (ours, 100 steps)"]);
  assertEquals(rows[0].paper, { det: 0.986, seg: 0.981 });
  const ref = all.find((r) => r.traits.reference && r.traits.step === 100)!;
  const twoClasses = categoryRows([
    ...all,
    { ...ref, traits: { ...ref.traits, category: "carpet" }, metrics: { ...ref.metrics, category: "carpet" } },
  ]);
  assert(twoClasses.some((r) => r.category === "mean (2)" && r.paper !== undefined));
});

Deno.test("selectCases() ranks defects and good images by score", () => {
  const scores = [0.1, 0.9, 0.5, 0.3, 0.7, 0.2];
  const labels = [0, 1, 1, 0, 1, 0];
  assertEquals(selectCases(scores, labels, 2), {
    bestDefect: [1, 4],
    worstDefect: [2, 4],
    bestGood: [0, 5],
    worstGood: [3, 5],
  });
});

Deno.test("patchLabels() marks patches with a defect pixel in their central half", () => {
  const size = 8, mask = new Uint8Array(size * size);
  mask[0] = 1; // the corner of patch (0,0): its border only
  assertEquals([...patchLabels(mask, size, 4, 4, 2)], [0, 0, 0, 0]);
  mask[1 * size + 1] = 1; // inside the central 2x2 of patch (0,0)
  assertEquals([...patchLabels(mask, size, 4, 4, 2)], [1, 0, 0, 0]);
});

Deno.test("figure builders use tables, fall back to runs, and never throw without results", async () => {
  const losses = lossesFigure(sweeps);
  assert(losses.source.endsWith("losses/table.csv"), losses.source);
  assert(losses.figure!.svg.includes("ours vs. the paper"));
  const hierarchy = hierarchyFigure(sweeps);
  assert(hierarchy.source.includes("hierarchy/runs"), hierarchy.source);
  assert(lambdaFigure(sweeps).figure!.svg.includes("published λ"));
  const table = paperTableFigure(sweeps);
  assert(table.markdown!.includes("| bottle |"));
  const curves = await committedTrainingCurvesFigure(sweeps);
  assert(curves.figure && curves.source.endsWith("loss_curve.jsonl"), curves.source);

  const none = await listSweeps(`${tmp}/does-not-exist`);
  assertEquals(none, []);
  assert(lossesFigure(none).figure!.svg.includes("paper&apos;s numbers only"));
  assert(hierarchyFigure(none).note.includes("No hierarchy sweep"));
  assert(lambdaFigure(none).figure!.svg.includes("no results yet"));
  assert(paperTableFigure(none).figure!.svg.includes("Table 1 only"));
  assertEquals((await committedTrainingCurvesFigure(none)).figure, null);
  assertEquals(await referenceWeightsMethod(`${tmp}/does-not-exist`), null);

  const saved = await saveOutcome(table, `${tmp}/figures`);
  assertEquals(saved.files.map((f) => f.split("/").pop()), ["auroc-table.svg", "auroc-table.png", "auroc-table.md"]);
});

Deno.test("referenceWeightsMethod() reads the committed imported-weights metrics, exact search first", async () => {
  const dir = `${tmp}/ref/equivalence`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/bottle_reference_weights_hnsw.json`,
    JSON.stringify(metricsOf("bottle", {}, { mult: [0.5, 0.5] })),
  );
  await Deno.writeTextFile(
    `${dir}/bottle_reference_weights_exact.json`,
    JSON.stringify(metricsOf("bottle", {}, { mult: [0.97, 0.98] })),
  );
  const method = (await referenceWeightsMethod(`${tmp}/ref`))!;
  assertEquals(method.runs.length, 1);
  assertEquals(method.runs[0].metrics.image_auroc.mult, 0.97);
  const rows = paperTableFigure([], [method]).markdown!;
  assert(rows.includes("| bottle | authors' weights, our inspection | 97.0 | 98.6 | -1.6 |"), rows);
});

Deno.test("referenceWeightsMethod() takes results/table1/<category>/metrics.json before the equivalence file; table1 is no sweep", async () => {
  const root = `${tmp}/ref_table1`;
  await Deno.mkdir(`${root}/equivalence`, { recursive: true });
  await Deno.writeTextFile(
    `${root}/equivalence/bottle_reference_weights_exact.json`,
    JSON.stringify(metricsOf("bottle", {}, { mult: [0.5, 0.5] })),
  );
  for (const [category, det] of [["bottle", 0.973], ["transistor", 0.927]] as const) {
    await Deno.mkdir(`${root}/table1/${category}`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/table1/${category}/metrics.json`,
      JSON.stringify(metricsOf(category, {}, { mult: [det, 0.97] })),
    );
  }
  await Deno.writeTextFile(`${root}/table1/table.csv`, "category,det\nbottle,0.973\n");
  const method = (await referenceWeightsMethod(root))!;
  assertEquals(method.runs.map((r) => [r.traits.category, r.metrics.image_auroc.mult]), [
    ["bottle", 0.973],
    ["transistor", 0.927],
  ]);
  assertEquals((await listSweeps(root)).map((s) => s.name), []);
});

Deno.test("settings: paths resolve against the project root, env values parse or fail clearly", () => {
  assertEquals(fromRoot("results"), `${PROJECT_ROOT}/results`);
  assertEquals(fromRoot("/abs"), "/abs");
  assertEquals(envNumber("PATCHSVDD_TEST_UNSET_VARIABLE", 7), 7);
  assertEquals(envFlag("PATCHSVDD_TEST_UNSET_VARIABLE", true), true);
});

Deno.test("benchPhases() reads a bench file's phases, ours beside the reference's; benchFigure() draws them", async () => {
  const bench = {
    schema: "patchsvdd-bench/1",
    backend: { name: "native" },
    dataset: { category: "bottle", image_size: 256, num_train: 209, num_test: 83 },
    training: { pairs_per_step: 256, median_step_seconds: 5.6 },
    inspection: {
      shared: { load: { seconds: 2 }, embed_bank: { seconds: 45 }, embed_test: { seconds: 21 } },
      methods: { exact: { phases: { search: { seconds: 420 } }, total_seconds: 490 } },
    },
    reference: {
      training: { median_step_seconds: 1.8 },
      inspection_exact: { load: 63, embed_bank_k64: 159, embed_bank_k32: 1870, embed_test_k64: 97, total: 4080 },
    },
  };
  const phases = benchPhases("host-native", bench);
  assertEquals(phases.map((p) => [p.phase, p.ours, p.reference]), [
    ["training step (256 pairs)", 5.6, 1.8],
    ["load + decode images", 2, 63],
    ["embed memory bank", 45, 2029],
    ["embed test images", 21, null], // the reference's K=32 time is missing: no sum
    ["nearest neighbours (exact)", 420, null],
    ["inspection total (exact)", 490, 4080],
  ]);
  assertEquals(benchPhases("x", { schema: "something else" }), []);
  await Deno.mkdir(`${tmp}/bench-results/bench`, { recursive: true });
  await Deno.writeTextFile(`${tmp}/bench-results/bench/host-native.json`, JSON.stringify(bench));
  const figure = (await benchFigure(`${tmp}/bench-results`)).figure!;
  assert(figure.svg.includes("3.1× slower") && figure.svg.includes("8.3× faster"));
  // Two files: rows are labelled by backend (the host kind dropped), the subtitle names the files.
  const bf16 = { ...bench, host: { kind: "host" }, training: { pairs_per_step: 256, median_step_seconds: 0.9 } };
  await Deno.writeTextFile(`${tmp}/bench-results/bench/host-native-bf16.json`, JSON.stringify(bf16));
  const two = (await benchFigure(`${tmp}/bench-results`)).figure!.svg;
  assert(two.includes("native-bf16: training step (256 pairs)") && two.includes("host-native-bf16"), "labels");
  assert(two.includes("2.0× faster"), "the bf16 step against the reference");
  assertEquals((await benchFigure(`${tmp}/does-not-exist`)).figure, null);
});
