import { assert, assertEquals, assertThrows } from "../assert.ts";
import { skippedLine, table1AurocRows, table1Csv, table1Markdown, table1Mean } from "../../src/jobs/table1_table.ts";
import { planTable1, table1Order } from "../../src/jobs/table1_job.ts";

const bottle = { category: "bottle", det: 0.973, seg: 0.9784, aupro: 0.8653, seconds: 128.4 };
const transistor = { category: "transistor", det: 0.927, seg: 0.971, aupro: 0.8, seconds: 300 };

Deno.test("table1Markdown() puts the paper's numbers and ours - paper beside each category, then the mean and the skipped", () => {
  const md = table1Markdown([bottle, transistor], { noData: ["cable"], noCheckpoint: ["foo"] }, ["# T"]);
  assert(md.startsWith("# T\n\n| category |"), md);
  assert(md.includes("| bottle | 0.973 | 0.986 | -0.013 | 0.978 | 0.981 | -0.003 | 0.865 | 128 |"), md);
  assert(md.includes("| transistor | 0.927 | 0.915 | +0.012 | 0.971 | 0.970 | +0.001 | 0.800 | 300 |"), md);
  // mean of ours (0.950, 0.9747) against the paper's mean over the same two categories (0.9505, 0.9755)
  assert(md.includes("| **mean of 2** | 0.950 | 0.951 | -0.001 | 0.975 | 0.976 | -0.001 | 0.833 | 428 |"), md);
  assert(md.trimEnd().endsWith("Skipped: no data for cable; no checkpoint for foo."), md);
});

Deno.test("table1Markdown() and table1Csv() leave the paper's columns empty for a category the paper lacks", () => {
  const own = { category: "synthetic_texture", det: 0.5, seg: null, aupro: null, seconds: 2 };
  assert(table1Markdown([own], { noData: [], noCheckpoint: [] }).includes("| synthetic_texture | 0.500 | – | – | – |"));
  assertEquals(table1Csv([own]).split("\n")[1], "synthetic_texture,0.5,,,,,2.0");
  assertEquals(table1AurocRows([own], "m"), []);
});

Deno.test("table1Csv() has one line per category and a mean line with the paper's mean over the same categories", () => {
  const lines = table1Csv([bottle, transistor]).trim().split("\n");
  assertEquals(lines[0], "category,det,det_paper,seg,seg_paper,aupro,seconds");
  assertEquals(lines[1], "bottle,0.973,0.986,0.9784,0.981,0.8653,128.4");
  assertEquals(lines.length, 4);
  const mean = lines[3].split(",");
  assertEquals(mean[0], "mean");
  assert(Math.abs(Number(mean[2]) - (0.986 + 0.915) / 2) < 1e-12);
});

Deno.test("table1Mean() refuses an empty table and gives null seg when any category lacks it", () => {
  assertThrows(() => table1Mean([]), RangeError);
  assertEquals(table1Mean([bottle, { ...transistor, seg: null }]).seg, null);
});

Deno.test("table1AurocRows() adds a mean row only for two or more categories", () => {
  assertEquals(table1AurocRows([bottle], "m").map((r) => r.category), ["bottle"]);
  assertEquals(table1AurocRows([bottle, transistor], "m").map((r) => r.category), ["bottle", "transistor", "mean"]);
});

Deno.test("skippedLine() is empty when nothing was skipped", () => {
  assertEquals(skippedLine({ noData: [], noCheckpoint: [] }), "");
});

Deno.test("planTable1() runs categories with a checkpoint and data, in the paper's order, and names the rest", () => {
  const plan = planTable1(["zipper", "bottle", "carpet", "transistor"], ["transistor", "bottle", "mine"]);
  assertEquals(plan.run, ["bottle", "transistor"]);
  assertEquals(plan.skipped.noData, ["carpet", "zipper"]);
  assertEquals(plan.skipped.noCheckpoint, ["mine"]);
  const asked = planTable1(["bottle", "transistor"], ["bottle", "transistor"], ["transistor", "nope"]);
  assertEquals(asked.run, ["transistor"]);
  assertEquals(asked.skipped.noCheckpoint, ["nope"]);
});

Deno.test("table1Order() keeps Table 1's order (textures first) and sorts other names after it", () => {
  assertEquals(table1Order(["zeta", "bottle", "carpet", "alpha"]), ["carpet", "bottle", "alpha", "zeta"]);
});
