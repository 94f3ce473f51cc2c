import {
  buildNative,
  missingCpuFlags,
  NATIVE_LIBRARY,
  nativeBuildPlan,
  nativeLibraryPath,
} from "../../native/build.mjs";
import { nativeLibraryFile } from "../../src/backend/native.ts";
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

Deno.test("nativeBuildPlan() keeps the default build's flags and library (-march=native, libpatchsvdd.so)", () => {
  for (const arch of ["x64", "arm64"]) {
    const plan = nativeBuildPlan({ arch });
    assert(!("error" in plan), JSON.stringify(plan));
    assertEquals(plan.library, NATIVE_LIBRARY);
    assertEquals(plan.flags, ["-O3", "-march=native", "-pthread", "-fPIC", "-shared", "-std=c++17", "-Wl,-z,nodelete"]);
  }
});

Deno.test("nativeBuildPlan() builds an explicit instruction set into its own library file", () => {
  const avx2 = nativeBuildPlan({ isa: "avx2", arch: "x64" });
  assert(!("error" in avx2), JSON.stringify(avx2));
  assert(avx2.library.endsWith("/native/build/libpatchsvdd-avx2.so"), avx2.library);
  assertEquals(avx2.flags.slice(0, 3), ["-O3", "-march=haswell", "-mtune=znver3"]);
  assert(!avx2.flags.some((f) => /native|avx512/.test(f)), avx2.flags.join(" "));
  assertEquals(avx2.needs, ["avx2", "fma", "bmi2"]);
  const avx512 = nativeBuildPlan({ isa: "avx512", arch: "x64" });
  assert(!("error" in avx512) && avx512.flags.includes("-march=x86-64-v4"), JSON.stringify(avx512));
  const neon = nativeBuildPlan({ isa: "neon", arch: "arm64" });
  assert(!("error" in neon) && neon.flags.includes("-march=armv8-a"), JSON.stringify(neon));
  assert(neon.library.endsWith("libpatchsvdd-neon.so"), neon.library);
});

Deno.test("nativeBuildPlan() refuses an instruction set of another architecture, naming the valid ones", () => {
  const plan = nativeBuildPlan({ isa: "avx2", arch: "arm64" });
  assert("error" in plan);
  assertEquals(plan.error, "PATCHSVDD_NATIVE_ISA=avx2 is not a target on this arm64 machine; use one of: native, neon");
  const typo = nativeBuildPlan({ isa: "avx3", arch: "x64" });
  assert("error" in typo && /native, avx512, avx2, generic/.test(typo.error), JSON.stringify(typo));
});

Deno.test("nativeBuildPlan() lets PATCHSVDD_CXXFLAGS replace every flag", () => {
  const plan = nativeBuildPlan({ isa: "avx2", arch: "x64", cxxflags: " -O1  -march=znver2 " });
  assert(!("error" in plan));
  assertEquals(plan.flags, ["-O1", "-march=znver2"]);
});

Deno.test("build.mjs and src/backend/native.ts agree on each instruction set's library file", () => {
  for (const isa of [undefined, "native", "avx2", "avx512", "generic", "neon"]) {
    assert(nativeLibraryPath(isa).endsWith(`/native/build/${nativeLibraryFile(isa)}`), `${isa}`);
  }
});

Deno.test("missingCpuFlags() lists the flags a /proc/cpuinfo text lacks (none when it is unreadable)", () => {
  const zen3 = "processor\t: 0\nflags\t\t: fpu sse2 avx fma avx2 bmi2\n";
  assertEquals(missingCpuFlags(["avx2", "fma", "bmi2"], zen3), []);
  assertEquals(missingCpuFlags(["avx512f", "avx512bw"], zen3), ["avx512f", "avx512bw"]);
  assertEquals(missingCpuFlags(["asimd"], "Features\t: fp asimd evtstrm\n"), []);
  assertEquals(missingCpuFlags(["avx2"], ""), []);
});

Deno.test("buildNative() with an unknown PATCHSVDD_NATIVE_ISA warns and compiles nothing", () => {
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (msg: string) => warnings.push(msg);
  try {
    const r = buildNative({ isa: "avx3", quiet: true });
    assertEquals([r.ok, r.built], [false, false]);
    assert(/PATCHSVDD_NATIVE_ISA=avx3 is not a target/.test(r.reason), r.reason);
    assert(warnings.some((w) => w.includes("avx3")), "expected a printed warning");
  } finally {
    console.warn = warn;
  }
});
