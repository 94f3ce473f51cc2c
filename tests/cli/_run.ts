/** Helpers to run the kit's CLI entry points as a user would (a subprocess). */

const root = new URL("../../", import.meta.url).pathname;

/** Result of a CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `deno run -A src/cli/<name>.ts ...args` from the project root.
 *
 * @param name entry point (train, eval, demo, ...)
 * @param args arguments
 * @param env extra environment
 * @returns exit code and output
 */
export async function runCli(name: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}src/cli/${name}.ts`, ...args],
    cwd: root,
    env: { PATCHSVDD_CACHE: `${root}.cache/test-decoded`, ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** The error line of a failed run (the last non-empty stderr line). */
export function errorLine(r: CliResult): string {
  return r.stderr.trim().split("\n").filter(Boolean).pop() ?? "";
}
