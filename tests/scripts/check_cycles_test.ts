import { assertEquals } from "../assert.ts";
import {
  cycleThrough,
  cyclicComponents,
  describeCycles,
  folderGraph,
  importEdges,
  labImports,
  unitOf,
} from "../../scripts/check_cycles.ts";

Deno.test("cyclicComponents() finds a two-file cycle and leaves acyclic files out", () => {
  const g = new Map([["a.ts", ["b.ts"]], ["b.ts", ["a.ts", "c.ts"]], ["c.ts", []]]);
  assertEquals(cyclicComponents(g), [["a.ts", "b.ts"]]);
});

Deno.test("cyclicComponents() reports a file that imports itself, and nothing for a chain", () => {
  assertEquals(cyclicComponents(new Map([["a", ["a"]]])), [["a"]]);
  assertEquals(cyclicComponents(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]])), []);
});

Deno.test("cycleThrough() returns a closed shortest path inside the component", () => {
  const g = new Map([["a", ["b", "x"]], ["b", ["c"]], ["c", ["a"]], ["x", []]]);
  assertEquals(cycleThrough(g, ["a", "b", "c"]), ["a", "b", "c", "a"]);
});

Deno.test("folderGraph() joins files by first folder, keeps top-level files apart and skips mod.ts", () => {
  assertEquals(unitOf("cli/common.ts"), "cli");
  assertEquals(unitOf("config.ts"), "config.ts");
  const g = folderGraph([
    { from: "cli/a.ts", to: "cli/b.ts" },
    { from: "cli/a.ts", to: "config.ts" },
    { from: "mod.ts", to: "cli/a.ts" },
    { from: "jobs/j.ts", to: "mod.ts" },
  ], new Set(["mod.ts"]));
  assertEquals(g, new Map([["cli", ["config.ts"]], ["config.ts", []]]));
});

Deno.test("describeCycles() names a folder cycle made of acyclic files, with the imports that close it", () => {
  const lines = describeCycles([
    { from: "ablate/run.ts", to: "cli/common.ts" },
    { from: "cli/ablate.ts", to: "ablate/run.ts" },
  ]);
  assertEquals(lines[0], "folder cycle: ablate -> cli -> ablate");
  assertEquals(lines.slice(1).filter((l) => l.includes(" imports ")), [
    "  ablate -> cli: ablate/run.ts imports cli/common.ts",
    "  cli -> ablate: cli/ablate.ts imports ablate/run.ts",
  ]);
});

Deno.test("describeCycles() is empty for a layered tree", () => {
  assertEquals(describeCycles([{ from: "cli/a.ts", to: "train/b.ts" }, { from: "train/b.ts", to: "util/c.ts" }]), []);
});

Deno.test("importEdges() counts type-only imports and re-exports, not imports in comments or dynamic ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/x`);
    await Deno.writeTextFile(`${dir}/x/a.ts`, 'import type { B } from "./b.ts";\nexport type A = B;\n');
    await Deno.writeTextFile(`${dir}/x/b.ts`, 'export * from "../c.ts";\nexport type B = number;\n');
    await Deno.writeTextFile(
      `${dir}/c.ts`,
      '/**\n * ```ts\n * import { A } from "./x/a.ts";\n * ```\n */\nexport const c = () => import("./x/a.ts");\n',
    );
    const edges = await importEdges(dir, "deno.json");
    assertEquals(edges, [{ from: "x/a.ts", to: "x/b.ts" }, { from: "x/b.ts", to: "c.ts" }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unitOf() counts a lab file as its lab folder, so lab/ablate -> jobs -> lab/plot is no cycle", () => {
  assertEquals([unitOf("lab/plot/figure.ts"), unitOf("lab/mod.ts"), unitOf("jobs/eval_job.ts")], [
    "lab/plot",
    "lab",
    "jobs",
  ]);
  const layered = [
    { from: "lab/ablate/run.ts", to: "jobs/eval_job.ts" },
    { from: "jobs/eval_job.ts", to: "lab/plot/overlay.ts" },
  ];
  assertEquals(describeCycles(layered), []);
});

Deno.test("labImports() names library files that import src/lab/, and allows lab/, cli/, jobs/ and mod.ts", () => {
  const edges = [
    { from: "lab/figures/build.ts", to: "lab/plot/figure.ts" },
    { from: "cli/figures.ts", to: "lab/figures/build.ts" },
    { from: "jobs/eval_job.ts", to: "lab/report/write.ts" },
    { from: "mod.ts", to: "lab/plot/mod.ts" },
    { from: "train/loop.ts", to: "lab/plot/figure.ts" },
    { from: "metrics/auroc.ts", to: "lab/bench/host.ts" },
    { from: "lab/plot/figure.ts", to: "metrics/auroc.ts" },
    { from: "labels.ts", to: "lab/plot/figure.ts" },
  ];
  assertEquals(labImports(edges), [
    { from: "train/loop.ts", to: "lab/plot/figure.ts" },
    { from: "metrics/auroc.ts", to: "lab/bench/host.ts" },
    { from: "labels.ts", to: "lab/plot/figure.ts" },
  ]);
});

Deno.test("src/: no library file imports src/lab/", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  const edges = await importEdges(`${root}src`, `${root}deno.json`);
  assertEquals(labImports(edges), []);
  assertEquals(edges.some((e) => e.to.startsWith("lab/")), true, "the lab exists and is imported");
});
