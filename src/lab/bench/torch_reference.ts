/**
 * A same-machine, same-minute measurement of the reference training step in PyTorch
 * (`scripts/reference_step_time.py`), when a Python with torch is installed. This 2-core machine's
 * speed drifts by +-20% over minutes, so the quoted 1.81 s alone cannot tell a 10%
 * difference; timing PyTorch right after our steps can.
 *
 * @module
 */

/** PyTorch's step timing, as the script reports it. */
export interface TorchStepTiming {
  /** torch version. */
  torch: string;
  /** Intra-op threads. */
  threads: number;
  /** Timed steps (after 3 untimed). */
  steps: number;
  /** Median step, s. */
  median_step_seconds: number;
  /** Fastest step, s. */
  min_step_seconds: number;
  /** Slowest step, s. */
  max_step_seconds: number;
  /** Every timed step, s. */
  step_seconds: number[];
  /** The Python interpreter that ran it. */
  python: string;
}

/** Path of the timing script. */
export const TORCH_SCRIPT: string = new URL("../../../scripts/reference_step_time.py", import.meta.url).pathname;

/**
 * The Python to use: `$PATCHSVDD_PYTHON`, else Debian's `/usr/bin/python3` when present (a pyenv
 * shim may shadow `python3` on PATH), else `python3`.
 *
 * @returns an interpreter path or name
 */
export function defaultPython(): string {
  const env = Deno.env.get("PATCHSVDD_PYTHON");
  if (env) return env;
  try {
    Deno.statSync("/usr/bin/python3");
    return "/usr/bin/python3";
  } catch {
    return "python3";
  }
}

/**
 * Time the reference step in PyTorch.
 *
 * @param options interpreter, threads and timed steps
 * @returns the timing, or `{ skipped }` with a one-line reason (no Python, no torch, script failed)
 */
export async function timeTorchReference(
  options: { python?: string; threads: number; steps: number },
): Promise<TorchStepTiming | { skipped: string }> {
  const python = options.python ?? defaultPython();
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(python, {
      args: [TORCH_SCRIPT, String(options.threads), String(options.steps)],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (e) {
    return { skipped: `${python} could not be started (${(e as Error).message})` };
  }
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) {
    const why = /No module named '?torch/.test(stderr) ? "torch is not installed" : stderr.trim().split("\n").at(-1);
    return { skipped: `${python}: ${why}` };
  }
  const last = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  try {
    const r = JSON.parse(last) as Omit<TorchStepTiming, "python">;
    if (!(r.median_step_seconds > 0)) throw new Error("no median");
    return { ...r, python };
  } catch {
    return { skipped: `${python} printed no timing (${last.slice(0, 80)})` };
  }
}
