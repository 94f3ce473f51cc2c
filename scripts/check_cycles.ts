/**
 * Import-cycle check of `src/` (`deno task check-cycles`, part of `deno task ok`).
 *
 * Builds the static import graph of every `.ts` file under `src/` (`import` and `export ... from`,
 * type-only imports included, dynamic `import()` left out), with Deno's own parser (`deno info
 * --json`), and looks for cycles at two grains:
 *
 * - files: `a.ts` imports `b.ts` which imports `a.ts` again;
 * - folders: a file of `src/cli/` imports `src/lab/ablate/` while a file of `src/lab/ablate/` imports
 *   `src/cli/` (each top-level file of `src/`, such as `config.ts`, is a unit of its own, and
 *   `src/mod.ts`, which re-exports everything, is left out of the folder graph).
 *
 * A file of `src/lab/` counts in the folder graph as its lab folder (`lab/plot/figure.ts` ->
 * `lab/plot`). It also checks the layering of the lab: the method library (everything in `src/` but
 * `lab/`, `cli/`, `jobs/` and `mod.ts`) never imports `src/lab/` (see {@linkcode labImports}).
 *
 * Prints each cycle and each library import of the lab and exits 1 when there is one, 0 otherwise.
 *
 * Usage: `deno run --allow-read --allow-run --allow-write --allow-env scripts/check_cycles.ts [SRC_DIR]`
 *
 * @module
 */

import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** An import graph: each node's sorted list of the nodes it imports. */
export type Graph = Map<string, string[]>;

/** A file-level import: `from` imports `to` (paths relative to the source folder). */
export interface ImportEdge {
  /** The importing file. */
  from: string;
  /** The imported file. */
  to: string;
}

/**
 * The strongly connected components of a graph that hold a cycle (two or more nodes, or one
 * node importing itself), each sorted, in a stable order (Tarjan's algorithm).
 *
 * @param graph node -> imported nodes
 * @returns the cyclic components
 * @example
 * ```ts
 * import { cyclicComponents } from "./check_cycles.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * const g = new Map([["a", ["b"]], ["b", ["a", "c"]], ["c", []]]);
 * deepStrictEqual(cyclicComponents(g), [["a", "b"]]);
 * ```
 */
export function cyclicComponents(graph: Graph): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/**
 * One shortest cycle through the first node of a component, as a closed path (first node repeated at
 * the end), following only edges inside the component.
 *
 * @param graph node -> imported nodes
 * @param component a cyclic component from {@linkcode cyclicComponents}
 * @returns e.g. ["a", "b", "a"]
 */
export function cycleThrough(graph: Graph, component: string[]): string[] {
  const inside = new Set(component), start = component[0];
  const parent = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i];
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = parent.get(u)!) path.push(u);
        return [start, ...path.slice(1).reverse(), start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/**
 * The folder (unit) of a file of the source tree: its first folder (`cli/common.ts` -> `cli`), its
 * first two inside the lab (`lab/plot/figure.ts` -> `lab/plot`), or the file itself for a top-level
 * file (`config.ts`).
 *
 * @param file path relative to the source folder, with `/` separators
 * @returns the unit
 */
export function unitOf(file: string): string {
  const parts = file.split("/");
  if (parts.length === 1) return file;
  return parts[0] === "lab" && parts.length > 2 ? `lab/${parts[1]}` : parts[0];
}

/** Where the lab (`src/lab/`: plot, figures, bench, ablate, report) may be imported from. */
export const LAB_USERS: readonly string[] = ["lab/", "cli/", "jobs/", "mod.ts"];

/**
 * Imports of the lab from the method library: the lab (`src/lab/`) depends on the library, never the
 * other way round. Only the lab itself, the command-line entries (`cli/`), the jobs that run the
 * library and write the lab's outputs (`jobs/`: overlays and the run report of an evaluation) and the
 * re-exporting `mod.ts` may import it.
 *
 * @param edges file-level imports
 * @returns the imports that break the rule
 * @example
 * ```ts
 * import { labImports } from "./check_cycles.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * const edges = [
 *   { from: "cli/figures.ts", to: "lab/figures/build.ts" },
 *   { from: "train/loop.ts", to: "lab/plot/figure.ts" },
 * ];
 * deepStrictEqual(labImports(edges), [{ from: "train/loop.ts", to: "lab/plot/figure.ts" }]);
 * ```
 */
export function labImports(edges: ImportEdge[]): ImportEdge[] {
  return edges.filter((e) =>
    e.to.startsWith("lab/") && !LAB_USERS.some((u) => u.endsWith("/") ? e.from.startsWith(u) : e.from === u)
  );
}

/**
 * Collapse file-level imports to a folder graph (see {@linkcode unitOf}), dropping imports inside one
 * folder and the files in `skip`.
 *
 * @param edges file-level imports
 * @param skip files left out (the top-level `mod.ts`)
 * @returns folder -> imported folders
 */
export function folderGraph(edges: ImportEdge[], skip: ReadonlySet<string> = new Set()): Graph {
  const graph: Graph = new Map();
  for (const { from, to } of edges) {
    if (skip.has(from) || skip.has(to)) continue;
    const [a, b] = [unitOf(from), unitOf(to)];
    if (!graph.has(a)) graph.set(a, []);
    if (!graph.has(b)) graph.set(b, []);
    if (a !== b && !graph.get(a)!.includes(b)) graph.get(a)!.push(b);
  }
  for (const targets of graph.values()) targets.sort();
  return graph;
}

/**
 * File-level graph of the edges.
 *
 * @param edges file-level imports
 * @returns file -> imported files
 */
export function fileGraph(edges: ImportEdge[]): Graph {
  const graph: Graph = new Map();
  for (const { from, to } of edges) {
    if (!graph.has(from)) graph.set(from, []);
    if (!graph.has(to)) graph.set(to, []);
    if (!graph.get(from)!.includes(to)) graph.get(from)!.push(to);
  }
  for (const targets of graph.values()) targets.sort();
  return graph;
}

/**
 * Describe every cycle of both grains, one block per cycle; for a folder cycle, the file imports
 * between its folders.
 *
 * @param edges file-level imports
 * @param skip files left out of the folder graph
 * @returns report lines (empty when there is no cycle)
 * @example
 * ```ts
 * import { describeCycles } from "./check_cycles.ts";
 * import { deepStrictEqual } from "node:assert/strict";
 * const lines = describeCycles([{ from: "train/a.ts", to: "model/b.ts" }, { from: "model/b.ts", to: "train/c.ts" }]);
 * deepStrictEqual(lines, [
 *   "folder cycle: model -> train -> model",
 *   "  model -> train: model/b.ts imports train/c.ts",
 *   "  train -> model: train/a.ts imports model/b.ts",
 * ]);
 * ```
 */
export function describeCycles(edges: ImportEdge[], skip: ReadonlySet<string> = new Set()): string[] {
  const lines: string[] = [];
  const files = fileGraph(edges);
  for (const component of cyclicComponents(files)) {
    lines.push(`file cycle: ${cycleThrough(files, component).join(" -> ")}`);
    if (component.length > 2) lines.push(`  (one of the cycles among ${component.join(", ")})`);
  }
  const folders = folderGraph(edges, skip);
  for (const component of cyclicComponents(folders)) {
    const inside = new Set(component);
    const cycle = cycleThrough(folders, component).join(" -> ");
    lines.push(
      component.length > 2
        ? `folder cycle among ${component.join(", ")} (e.g. ${cycle}); the imports between them:`
        : `folder cycle: ${cycle}`,
    );
    for (const a of component) {
      for (const b of folders.get(a)!.filter((f) => inside.has(f))) {
        const files = edges.filter((e) =>
          !skip.has(e.from) && !skip.has(e.to) && unitOf(e.from) === a && unitOf(e.to) === b
        );
        lines.push(`  ${a} -> ${b}: ${files.map((e) => `${e.from} imports ${e.to}`).join(", ")}`);
        if (b === "cli") {
          lines.push(
            "    (cli/ is the entry layer: import its shared helpers from src/util/, which cli/common.ts re-exports)",
          );
        }
      }
    }
  }
  return lines;
}

/** Shape of the part of `deno info --json` that we read. */
interface DenoInfo {
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; type?: { specifier: string }; isDynamic?: boolean }[];
  }[];
}

/**
 * The static imports between `.ts` files of a source folder, read with `deno info --json` (Deno's
 * own parser: comments, strings and JSDoc examples are not mistaken for imports).
 *
 * @param srcDir the source folder
 * @param configPath the deno.json that maps bare specifiers
 * @returns the imports, paths relative to `srcDir`, sorted
 */
export async function importEdges(srcDir: string, configPath: string): Promise<ImportEdge[]> {
  const root = resolve(srcDir);
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
    }
  };
  await walk(root);
  files.sort();
  const entry = await Deno.makeTempFile({ prefix: "check_cycles_", suffix: ".ts" });
  try {
    await Deno.writeTextFile(entry, files.map((f) => `import ${JSON.stringify(pathToFileURL(f).href)};\n`).join(""));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", resolve(configPath), entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`deno info failed: ${new TextDecoder().decode(out.stderr).trim()}`);
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as DenoInfo;
    const rootUrl = pathToFileURL(root).href + "/";
    const inside = (url: string) => url.startsWith(rootUrl) && url.endsWith(".ts");
    const edges: ImportEdge[] = [];
    for (const m of info.modules) {
      if (!inside(m.specifier)) continue;
      const from = relative(root, fileURLToPath(m.specifier)).replaceAll("\\", "/");
      const seen = new Set<string>();
      for (const d of m.dependencies ?? []) {
        if (d.isDynamic) continue;
        const target = d.code?.specifier ?? d.type?.specifier;
        if (!target || !inside(target)) continue;
        const to = relative(root, fileURLToPath(target)).replaceAll("\\", "/");
        if (!seen.has(to)) edges.push({ from, to });
        seen.add(to);
      }
    }
    return edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  } finally {
    await Deno.remove(entry);
  }
}

if (import.meta.main) {
  const srcDir = Deno.args[0] ?? "src";
  const edges = await importEdges(srcDir, "deno.json");
  const lines = describeCycles(edges, new Set(["mod.ts"]));
  const layering = labImports(edges);
  if (lines.length === 0 && layering.length === 0) {
    console.log(
      `No import cycles in ${srcDir}/ (${edges.length} imports between its files), and the library imports no lab/.`,
    );
  } else {
    if (lines.length) {
      console.error(lines.join("\n"));
      console.error(`${srcDir}/ has import cycles (above); move the shared part into a module that both sides import.`);
    }
    for (const e of layering) console.error(`library imports the lab: ${e.from} imports ${e.to}`);
    if (layering.length) {
      console.error(
        `${srcDir}/lab/ may be imported only from ${LAB_USERS.join(", ")}: move the shared part into the library`,
      );
    }
    Deno.exit(1);
  }
}
