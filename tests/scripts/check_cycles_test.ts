import { assertEquals } from "../assert.ts";
import {
  cycleThrough,
  cyclicComponents,
  describeCycles,
  folderGraph,
  importEdges,
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
