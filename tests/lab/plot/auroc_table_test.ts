import { aurocTable, aurocTableMarkdown, PAPER_TABLE1 } from "../../../src/lab/plot/mod.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";
import { syntheticAurocRows } from "./_synthetic.ts";

Deno.test("aurocTable() shows every class, both metrics, ours and the paper's numbers with a legend", async () => {
  const rows = syntheticAurocRows();
  const figure = aurocTable(rows, { title: "Table 1 reproduced" });
  await assertFigure(figure, [
    "Table 1 reproduced",
    "detection AUROC",
    "segmentation AUROC",
    "AUROC (%)",
    "Patch SVDD (ours)",
    "paper (Yi & Yoon 2020, Table 1)",
    ">capsule<",
    ">mean<",
    `${(100 * rows[0].ours.det).toFixed(1)} (`,
  ]);
});

Deno.test("aurocTable() draws several methods, with and without paper numbers", async () => {
  const figure = aurocTable([
    { category: "bottle", method: "hierarchical", ours: { det: 0.97, seg: 0.96 }, paper: PAPER_TABLE1.bottle },
    { category: "bottle", method: "flat", ours: { det: 0.91, seg: 0.9 } },
  ]);
  await assertFigure(figure, ["hierarchical", "flat", "paper"]);
});

Deno.test("aurocTable() rejects AUROCs given in percent and empty input", () => {
  assertThrows(() => aurocTable([{ category: "a", method: "m", ours: { det: 92.1, seg: 0.9 } }]), RangeError);
  assertThrows(() => aurocTable([]), RangeError);
});

Deno.test("aurocTableMarkdown() prints %, the paper's value and the difference, – where absent", () => {
  const md = aurocTableMarkdown([
    { category: "bottle", method: "ours", ours: { det: 0.99, seg: 0.97 }, paper: { det: 0.986, seg: 0.981 } },
    { category: "grid", method: "ours", ours: { det: 0.9, seg: 0.95 } },
  ]);
  const lines = md.trimEnd().split("\n");
  assertEquals(lines.length, 4);
  assert(lines[0].startsWith("| class | method | det | det (paper) | Δ det |"));
  assertEquals(lines[2], "| bottle | ours | 99.0 | 98.6 | +0.4 | 97.0 | 98.1 | -1.1 |");
  assertEquals(lines[3], "| grid | ours | 90.0 | – | – | 95.0 | – | – |");
});
