import { assert, assertEquals } from "../../assert.ts";
import { benchFileName } from "../../../src/lab/bench/file_name.ts";
import { benchFigure } from "../../../src/lab/figures/build.ts";

const base = { hostKind: "2core-amd-epyc", isa: "avx512", backend: "native", precision: "fp32", short: false };

Deno.test("benchFileName() puts the native kernels' instruction set between the host kind and the backend", () => {
  assertEquals(benchFileName(base), "2core-amd-epyc-avx512-native.json");
  assertEquals(benchFileName({ ...base, isa: "avx2" }), "2core-amd-epyc-avx2-native.json");
  assertEquals(
    benchFileName({ ...base, hostKind: "2core-arm-neoverse-n1", isa: "neon" }),
    "2core-arm-neoverse-n1-neon-native.json",
  );
  assertEquals(benchFileName({ ...base, backend: "wasm" }), "2core-amd-epyc-avx512-wasm.json");
});

Deno.test("benchFileName() names a non-default precision and short mode, and omits a missing native library", () => {
  assertEquals(benchFileName({ ...base, precision: "bf16" }), "2core-amd-epyc-avx512-native-bf16.json");
  assertEquals(benchFileName({ ...base, short: true }), "2core-amd-epyc-avx512-native-short.json");
  assertEquals(benchFileName({ ...base, isa: null, backend: "wasm" }), "2core-amd-epyc-wasm.json");
});

Deno.test("benchFileName() keeps one file per instruction set: AVX2 and AVX-512 records of one host differ", () => {
  const names = ["avx512", "avx2", "generic", "neon"].map((isa) => benchFileName({ ...base, isa }));
  assertEquals(new Set(names).size, names.length);
});

Deno.test("the bench figure reads a committed record under its old name beside one under the new name", async () => {
  const committed = new URL("../../../results/bench/2core-intel-xeon-processor-native.json", import.meta.url);
  const record = JSON.parse(await Deno.readTextFile(committed));
  const tmp = await Deno.makeTempDir({ prefix: "patchsvdd-bench-names-" });
  try {
    await Deno.mkdir(`${tmp}/bench`);
    await Deno.writeTextFile(`${tmp}/bench/2core-intel-xeon-processor-native.json`, JSON.stringify(record));
    const renamed = benchFileName({
      hostKind: record.host.kind,
      isa: "avx2",
      backend: "native",
      precision: "fp32",
      short: false,
    });
    await Deno.writeTextFile(`${tmp}/bench/${renamed}`, JSON.stringify(record));
    const outcome = await benchFigure(tmp);
    assert(outcome.figure !== null, outcome.note);
    assert(/2core-intel-xeon-processor-native[,)]/.test(outcome.source), outcome.source);
    assert(outcome.source.includes("2core-intel-xeon-processor-avx2-native"), outcome.source);
    assert(outcome.figure.svg.includes("avx2-native: training step"), "rows of the new file carry its instruction set");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
