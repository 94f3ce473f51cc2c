/**
 * The kit's git commit, recorded in every run folder so that a result names the code that made it.
 *
 * @module
 */

/**
 * The current git commit of the kit.
 *
 * @returns the short commit hash, or "unknown" (no git, or not a checkout)
 * @example
 * ```ts
 * import { gitCommit } from "./git_commit.ts";
 * import { match } from "node:assert/strict";
 * match(await gitCommit(), /^([0-9a-f]{4,}|unknown)$/);
 * ```
 */
export async function gitCommit(): Promise<string> {
  try {
    const out = await new Deno.Command("git", {
      args: ["rev-parse", "--short", "HEAD"],
      cwd: new URL("../..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : "unknown";
  } catch {
    return "unknown";
  }
}
