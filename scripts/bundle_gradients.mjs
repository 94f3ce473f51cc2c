// Bundle tfjs-core's gradient registrations into one ES module Deno can load.
//
// tfjs-core ships its gradient functions only as extensionless ES modules
// (dist/gradients/*.js), which Deno's resolver rejects, and its Node build
// (dist/tf-core.node.js) leaves them out. `deno bundle` resolves them like Node and
// writes .build/tfjs_gradients.js; src/train/gradients.ts imports it. The bundle's
// private copy of tfjs-core internals talks to the same global engine and registries.
// Idempotent: skipped when the bundle is newer than tfjs-core's package.json.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, ".build", "tfjs_gradients.js");
const stamp = join(root, "node_modules", "@tensorflow", "tfjs-core", "package.json");
if (existsSync(out) && statSync(out).mtimeMs > statSync(stamp).mtimeMs) process.exit(0);
mkdirSync(dirname(out), { recursive: true });
const deno = join(root, "node_modules", ".bin", "deno");
execFileSync(deno, ["bundle", "--quiet", "-o", out, join(root, "scripts", "tfjs_gradients_entry.ts")], {
  cwd: root,
  stdio: "inherit",
});
console.log(`patchsvdd: bundled tfjs gradients into ${out}`);
