/**
 * The front door stays a front door: README.md and every docs/*.md page link only to files that
 * exist (anchors are not checked), name only `deno task`s that deno.json defines, and README.md
 * stays short enough to read in five minutes.
 */

import { dirname, join, relative } from "node:path";
import { assert, assertEquals } from "../assert.ts";

const root = new URL("../../", import.meta.url).pathname;

async function pages(): Promise<string[]> {
  const docs = [];
  for await (const e of Deno.readDir(join(root, "docs"))) if (e.isFile && e.name.endsWith(".md")) docs.push(e.name);
  return ["README.md", ...docs.sort().map((n) => `docs/${n}`)];
}

/** Markdown link and image targets of a page: `[text](target)`, `![alt](target "title")`, `<img src="...">`. */
function linkTargets(markdown: string): string[] {
  const inline = [...markdown.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const reference = [...markdown.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]);
  const html = [...markdown.matchAll(/<(?:img|a)\s[^>]*(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  return [...inline, ...reference, ...html];
}

/** Relative targets that point at nothing. */
async function brokenLinks(page: string): Promise<string[]> {
  const text = await Deno.readTextFile(join(root, page));
  const broken = [];
  for (const target of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue; // URLs, in-page anchors
    const path = decodeURIComponent(target.split("#")[0]);
    const resolved = join(dirname(join(root, page)), path);
    const exists = await Deno.stat(resolved).then(() => true, () => false);
    if (!exists) broken.push(`${page}: ${target} (${relative(root, resolved)} does not exist)`);
  }
  return broken;
}

Deno.test("linkTargets() finds inline links, images with titles, reference links and html images", () => {
  const md = '[a](docs/a.md) ![b](x.png "t") [c](https://e.org) [d](#anchor)\n[e]: ref.md\n<img src="y.svg">';
  assertEquals(linkTargets(md), ["docs/a.md", "x.png", "https://e.org", "#anchor", "ref.md", "y.svg"]);
});

Deno.test("every relative link in README.md and docs/*.md points at a file that exists", async () => {
  const list = await pages();
  assert(list.length > 1, "docs/ holds pages");
  const broken = (await Promise.all(list.map(brokenLinks))).flat();
  assertEquals(broken, []);
});

Deno.test("every `deno task X` named in README.md and docs/*.md is a task of deno.json", async () => {
  const tasks = new Set(Object.keys(JSON.parse(await Deno.readTextFile(join(root, "deno.json"))).tasks));
  const unknown = [];
  for (const page of await pages()) {
    const text = await Deno.readTextFile(join(root, page));
    for (const m of text.matchAll(/deno task ([a-z0-9][a-z0-9-]*)/g)) {
      if (!tasks.has(m[1])) unknown.push(`${page}: deno task ${m[1]}`);
    }
  }
  assertEquals(unknown, []);
});

Deno.test("README.md is a front door: at most 150 lines, each docs page linked from it", async () => {
  const readme = await Deno.readTextFile(join(root, "README.md"));
  const lines = readme.trimEnd().split("\n").length;
  assert(lines <= 150, `README.md has ${lines} lines; move detail to docs/`);
  const linked = new Set(linkTargets(readme).map((t) => t.split("#")[0]));
  const missing = (await pages()).filter((p) => p.startsWith("docs/") && !linked.has(p));
  assertEquals(missing, [], "docs pages the README does not link");
});

Deno.test("each docs page opens with a title and a sentence (what the page answers), not a list or a table", async () => {
  for (const page of (await pages()).filter((p) => p.startsWith("docs/"))) {
    const [title, blank, first] = (await Deno.readTextFile(join(root, page))).split("\n");
    assert(title.startsWith("# ") && blank === "", `${page}: starts with '# Title' and a blank line`);
    assert(first && !/^(#|```|\||!\[|- |\* |\d+\. )/.test(first), `${page}: opens with '${first}', not a sentence`);
  }
});
