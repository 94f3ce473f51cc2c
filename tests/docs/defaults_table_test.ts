/**
 * docs/defaults.md's table of defaults is the code's: every default of `DEFAULT_CONFIG` and
 * `DEFAULT_RUN_OPTIONS` (src/config.ts) has one row, written as the help text writes it
 * (`defaultText`), every row names a real field, and every flag it names is one that `train` accepts.
 */

import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { DEFAULT_CONFIG, DEFAULT_RUN_OPTIONS } from "../../src/config.ts";
import { CONFIG_OPTIONS, defaultText } from "../../src/cli/config_flags.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Rows of the markdown table whose header is `| flag | field | default |`. */
function defaultsTable(markdown: string): { flag: string; field: string; value: string }[] {
  const lines = markdown.split("\n");
  const head = lines.findIndex((l) => /^\|\s*flag\s*\|\s*field\s*\|\s*default\s*\|$/.test(l.trim()));
  assert(head >= 0, "docs/defaults.md has no | flag | field | default | table");
  const rows = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith("|")) break;
    const [flag, field, value] = line.split("|").slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, ""));
    rows.push({ flag, field, value });
  }
  return rows;
}

/** Every default, keyed as the table names it: `train.lambda`, `imageSize`, `options.probeEvery`. */
function codeDefaults(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [section, values] of Object.entries(DEFAULT_CONFIG)) {
    if (typeof values !== "object") out.set(section, defaultText(values));
    else for (const [key, v] of Object.entries(values)) out.set(`${section}.${key}`, defaultText(v as number | string));
  }
  for (const [key, v] of Object.entries(DEFAULT_RUN_OPTIONS)) out.set(`options.${key}`, defaultText(v));
  return out;
}

Deno.test("docs/defaults.md: the table of defaults lists every default of src/config.ts with its value", async () => {
  const rows = defaultsTable(await Deno.readTextFile(join(root, "docs/defaults.md")));
  const documented = new Map(rows.map((r) => [r.field, r.value]));
  assertEquals(documented.size, rows.length, "a field listed twice");
  assertEquals(Object.fromEntries(documented), Object.fromEntries(codeDefaults()));
});

Deno.test("docs/defaults.md: every flag of the table of defaults is one train accepts", async () => {
  const rows = defaultsTable(await Deno.readTextFile(join(root, "docs/defaults.md")));
  const trainCli = await Deno.readTextFile(join(root, "src/cli/train.ts"));
  for (const { flag } of rows.filter((r) => r.flag.startsWith("--"))) {
    const name = flag.slice(2);
    assert(name in CONFIG_OPTIONS || trainCli.includes(`"${name}": {`), `${flag} is not a flag of train`);
  }
});

Deno.test("defaultText: what the table and the help text write for a default", () => {
  assertEquals(
    [defaultText(1e-3), defaultText(1e-4), defaultText(0.02), defaultText(0), defaultText(false), defaultText("hier")],
    ["1e-3", "1e-4", "0.02", "0", "false", "hier"],
  );
});
