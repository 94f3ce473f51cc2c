/**
 * The code path most other x86 machines run, checked on this one: the AVX2 build (16 vector
 * registers, 8-wide kernels: most laptops and AMD Zen 2/3), compiled with native/build.mjs's own
 * PATCHSVDD_NATIVE_ISA flags into a temporary folder (native/build/ is left alone) and run through
 * native/check_kernels.cc (every kernel against float64 loops). The 4-wide kernels of the generic
 * and NEON builds are checked by native_aarch64_test.ts. Skipped, with the reason printed, off
 * x86-64, without g++, or on a CPU without AVX2. Two compiles, about 25 s on 2 idle cores.
 */

import { assert, assertEquals } from "../assert.ts";
import { missingCpuFlags, nativeBuildPlan } from "../../native/build.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
const CXX = Deno.env.get("CXX") ?? "g++";

async function run(cmd: string, args: string[], env?: Record<string, string>): Promise<[boolean, string]> {
  try {
    const r = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
    return [r.success, new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr)];
  } catch (e) {
    return [false, String(e)];
  }
}

async function skipReason(): Promise<string | null> {
  if (Deno.build.arch !== "x86_64") return `not an x86-64 machine (${Deno.build.arch})`;
  if (!(await run(CXX, ["--version"]))[0]) return `no C++ compiler (${CXX})`;
  let cpuinfo = "";
  try {
    cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  } catch { /* unknown CPU: try anyway */ }
  const plan = nativeBuildPlan({ isa: "avx2", arch: "x64" });
  const missing = "error" in plan ? [plan.error] : missingCpuFlags(plan.needs, cpuinfo);
  return missing.length > 0 ? `this CPU cannot run the AVX2 build (lacks ${missing.join(", ")})` : null;
}

const why = await skipReason();
if (why) console.log(`skipping the AVX2 kernel build: ${why}`);

Deno.test({
  name: "the AVX2 build of PATCHSVDD_NATIVE_ISA reports its instruction set and matches float64 loops",
  ignore: why !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "patchsvdd-isa-" });
    try {
      for (const isa of ["avx2"]) {
        const plan = nativeBuildPlan({ isa, arch: "x64" });
        assert(!("error" in plan), JSON.stringify(plan));
        await Deno.mkdir(`${dir}/${isa}`);
        const [built, log] = await run("nice", [
          "-n",
          "5",
          CXX,
          ...plan.flags,
          "-o",
          `${dir}/${isa}/libpatchsvdd.so`,
          `${ROOT}native/kernels.cc`,
        ]);
        assert(built, `compiling the ${isa} build failed:\n${log}`);
      }
      const [linked, log] = await run(CXX, [
        "-O2",
        "-std=c++17",
        "-pthread",
        "-o",
        `${dir}/check_kernels`,
        `${ROOT}native/check_kernels.cc`,
        `-L${dir}/avx2`,
        "-l:libpatchsvdd.so",
      ]);
      assert(linked, `building check_kernels failed:\n${log}`);
      for (const isa of ["avx2"]) {
        const [ok, out] = await run(`${dir}/check_kernels`, ["--expect-isa", isa], {
          LD_LIBRARY_PATH: `${dir}/${isa}`,
        });
        const m = out.match(/passed: (\d+) of (\d+) checks passed \(isa (\w+)/);
        assert(ok && m !== null, `check_kernels on the ${isa} build:\n${out}`);
        assertEquals([m[1] === m[2], m[3]], [true, isa], out);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
