/**
 * The native kernels on 64-bit ARM, without an ARM machine: scripts/cross_check_aarch64.sh
 * cross-compiles native/kernels.cc with Debian's aarch64 toolchain and, where qemu-user is
 * installed, runs native/check_kernels.cc (every kernel against float64 loops) under emulation.
 * Skipped, with the reason printed, where `aarch64-linux-gnu-g++` is not on PATH
 * (apt-get install g++-aarch64-linux-gnu qemu-user). One compile, about 30 s on 2 cores.
 */

import { assert, assertEquals } from "../assert.ts";
import { NATIVE_SYMBOL_NAMES } from "../../src/backend/native.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CXX = Deno.env.get("AARCH64_CXX") ?? "aarch64-linux-gnu-g++";

/** True when `cmd` is an executable on PATH. */
async function onPath(cmd: string): Promise<boolean> {
  const r = await new Deno.Command("sh", { args: ["-c", 'command -v "$1"', "sh", cmd], stdout: "null", stderr: "null" })
    .output();
  return r.success;
}

const why = (await onPath(CXX))
  ? null
  : `${CXX} is not on PATH (apt-get install g++-aarch64-linux-gnu qemu-user to run it)`;
if (why) console.log(`skipping the aarch64 cross-compile test: ${why}`);
const haveQemu = await onPath(Deno.env.get("QEMU_AARCH64") ?? "qemu-aarch64");

Deno.test({
  name: "native/kernels.cc cross-compiles for aarch64 (neon), exports every bound symbol, and its kernels " +
    "match float64 loops under qemu-user",
  ignore: why !== null,
  fn: async () => {
    const out = await Deno.makeTempDir({ prefix: "patchsvdd-aarch64-" });
    try {
      const r = await new Deno.Command("nice", {
        args: ["-n", "5", `${ROOT}scripts/cross_check_aarch64.sh`, "--out", out],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(r.stdout) + new TextDecoder().decode(r.stderr);
      assertEquals(r.code, 0, text);
      assert(/\(AArch64\)/.test(text), `expected readelf to report an AArch64 library:\n${text}`);

      // Every function src/backend/native.ts binds must be exported by the aarch64 build too.
      const nm = CXX.replace(/g\+\+$/, "nm");
      const syms = await new Deno.Command(nm, { args: ["-D", "--defined-only", `${out}/libpatchsvdd.so`] }).output();
      assert(syms.success, `${nm} failed: ${new TextDecoder().decode(syms.stderr)}`);
      const exported = new Set(new TextDecoder().decode(syms.stdout).split("\n").map((l) => l.split(" ").pop()));
      const missing = NATIVE_SYMBOL_NAMES.filter((s) => !exported.has(s));
      assertEquals(missing, [], "symbols bound in src/backend/native.ts but absent from the aarch64 library");

      if (haveQemu) {
        const m = text.match(/passed: (\d+) of (\d+) checks passed \(isa neon/);
        assert(m && m[1] === m[2] && Number(m[1]) >= 20, `expected every kernel check to pass under qemu:\n${text}`);
      } else {
        console.log("qemu-aarch64 not found: compiled and linked only (apt-get install qemu-user to run the checks)");
        assert(/compiled only/.test(text), text);
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
