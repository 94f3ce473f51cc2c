/**
 * Rerunning a sweep from a notebook: `deno task ablate <file>` as a subprocess of the same Deno
 * binary, from the project root, its output streamed line by line to the caller (a notebook
 * cell shows `console.log` output; a child's inherited stdout would go to the kernel's log).
 *
 * @module
 */

import { join } from "node:path";
import { UserError } from "../../errors.ts";
import { PROJECT_ROOT } from "./paths.ts";

/** Options of {@linkcode rerunSweep}. */
export interface RerunOptions {
  /** Parent folder of the sweep's results (`--results`). Default: the runner's default (`results`). */
  results?: string;
  /** Further arguments, e.g. `["--data", "/data/mvtec"]`. */
  args?: string[];
  /** Receives each output line. Default `console.log`. */
  onLine?: (line: string) => void;
}

async function pump(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  let pending = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (pending + chunk).split(/\r?\n|\r/);
    pending = parts.pop() ?? "";
    for (const line of parts) if (line.trim()) onLine(line);
  }
  if (pending.trim()) onLine(pending);
}

/**
 * Run (or resume) a sweep with `deno task ablate`: finished cells are skipped, so this continues
 * an interrupted sweep, and the tables are rebuilt at the end.
 *
 * @param sweepFile the sweep file, relative to the project root (e.g. `experiments/losses_100steps.json`)
 * @param options results folder, extra arguments, output sink
 * @throws {UserError} when the runner exits with an error (its exit code in the message)
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: runs a whole sweep (minutes)
 * import { rerunSweep } from "./rerun.ts";
 * await rerunSweep("experiments/smoke.json", { results: "/tmp/results" });
 * ```
 */
export async function rerunSweep(sweepFile: string, options: RerunOptions = {}): Promise<void> {
  const onLine = options.onLine ?? ((line: string) => console.log(line));
  const args = ["run", "-A", join(PROJECT_ROOT, "src/cli/ablate.ts"), sweepFile];
  if (options.results) args.push("--results", options.results);
  args.push(...(options.args ?? []));
  const child = new Deno.Command(Deno.execPath(), { args, cwd: PROJECT_ROOT, stdout: "piped", stderr: "piped" })
    .spawn();
  await Promise.all([pump(child.stdout, onLine), pump(child.stderr, onLine)]);
  const status = await child.status;
  if (!status.success) {
    throw new UserError(`deno task ablate ${sweepFile} exited with code ${status.code}; see its output above`);
  }
}
