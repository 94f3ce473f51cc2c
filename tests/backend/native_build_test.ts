import { buildNative, NATIVE_LIBRARY } from "../../native/build.mjs";
import { assert, assertEquals } from "../assert.ts";

Deno.test("buildNative() leaves an up-to-date library alone (and builds one when needed)", () => {
  const first = buildNative({ quiet: true });
  if (!first.ok) return; // no compiler here: covered by the next test
  const again = buildNative({ quiet: true });
  assertEquals([again.ok, again.built, again.path], [true, false, NATIVE_LIBRARY]);
});

Deno.test("buildNative() without a compiler warns and reports instead of throwing", () => {
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (msg: string) => warnings.push(msg);
  try {
    const r = buildNative({ force: true, quiet: true, cxx: "no-such-compiler-for-patchsvdd" });
    assertEquals(r.ok, false);
    assert(/no C\+\+ compiler/.test(r.reason) && /wasm/.test(r.reason), r.reason);
    assert(warnings.some((w) => w.includes("WARNING")), "expected a printed warning");
  } finally {
    console.warn = warn;
  }
});
