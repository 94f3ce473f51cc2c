/**
 * `deno task setup`: check (and repair) what `npm install` sets up — the native
 * kernels, the bundled tfjs gradients, hnswlib-node's addon, sharp — and report which
 * compute backends work here. Idempotent; exits 1 if a required piece is missing.
 *
 * @module
 */

import { runMain } from "./common.ts";

const root = new URL("../..", import.meta.url).pathname;

async function run(cmd: string, args: string[]): Promise<boolean> {
  const out = await new Deno.Command(cmd, { args, cwd: root, stdout: "inherit", stderr: "inherit" }).output();
  return out.success;
}

await runMain(async () => {
  const problems: string[] = [];
  // 1. The native kernels and the gradient bundle (both normally built by npm's postinstall).
  if (!(await run("node", ["native/build.mjs"]))) problems.push("native kernels failed to build (wasm still works)");
  if (!(await run("node", ["scripts/bundle_gradients.mjs"]))) {
    problems.push("tfjs gradient bundle failed: rerun npm install");
  }
  // 2. Native npm addons.
  try {
    const hnsw = (await import("hnswlib-node")).default;
    new hnsw.HierarchicalNSW("l2", 2).initIndex(1);
    console.log("ok   hnswlib-node addon loads");
  } catch (e) {
    problems.push(
      `hnswlib-node addon does not load (${(e as Error).message.split("\n")[0]}): run npm rebuild hnswlib-node`,
    );
  }
  try {
    const sharp = (await import("sharp")).default;
    await sharp({ create: { width: 2, height: 2, channels: 3, background: "#000" } }).png().toBuffer();
    console.log("ok   sharp decodes and encodes images");
  } catch (e) {
    problems.push(`sharp does not work (${(e as Error).message.split("\n")[0]}): run npm rebuild sharp`);
  }
  // 3. Backends.
  const { selectBackend } = await import("../backend/mod.ts");
  for (const name of ["native", "wasm", "webgpu", "tensorflow"] as const) {
    try {
      const b = await selectBackend(name);
      console.log(`ok   backend ${name}: ${b.note}`);
    } catch (e) {
      console.log(`--   backend ${name}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const auto = await selectBackend("auto");
  console.log(`auto backend: ${auto.note}`);
  if (problems.length) {
    for (const p of problems) console.error(`error: ${p}`);
    Deno.exit(1);
  }
  console.log("setup complete");
});
