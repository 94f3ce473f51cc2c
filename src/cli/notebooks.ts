/**
 * `deno task notebooks`: execute every notebook in `notebooks/` headless, top to bottom, with
 * Debian's `jupyter nbconvert --to notebook --execute` and the Deno kernel, failing on the first
 * cell error. Executed copies go to a temporary folder (or `--out DIR`); the committed notebooks
 * are rewritten only with `--in-place`. `--only 01-quickstart` runs one.
 *
 * `deno task setup-notebooks` (`--setup`): install the Debian packages nbconvert needs
 * (`apt-get install -y jupyter-nbconvert python3-nbclient jupyter-core python3-jupyter-client`,
 * after `apt-get update` when the first attempt fails) and the Deno kernelspec.
 *
 * The kernelspec: `deno jupyter --install` with the project's pinned Deno writes
 * `<jupyter data dir>/kernels/<name>/kernel.json`; the notebooks name the kernel `deno` (what a
 * user's own `deno jupyter --install` registers), and headless runs use a kernel of their own,
 * `patchsvdd-deno`, checked to point at a Deno binary that exists (a stale spec is reinstalled).
 *
 * @module
 */

import { basename, join, resolve } from "node:path";
import { UserError } from "../errors.ts";
import { PROJECT_ROOT } from "../lab/figures/paths.ts";
import { numberFlag, parseCli, runMain } from "./common.ts";

const USAGE = "deno task notebooks [--only NAME[,NAME]] [--in-place] [--out DIR] [--timeout S] [--list] | --setup";

/** Debian's jupyter launcher (a pyenv shim may shadow `python3`/`jupyter` on PATH). */
export const JUPYTER = "/usr/bin/jupyter";

/** Debian packages `jupyter nbconvert --execute` needs. */
export const APT_PACKAGES: readonly string[] = [
  "jupyter-nbconvert",
  "python3-nbclient",
  "jupyter-core",
  "python3-jupyter-client",
];

/** Name of the kernelspec headless runs use (always pointing at the project's Deno). */
export const HEADLESS_KERNEL = "patchsvdd-deno";

/** The notebooks folder. */
export const NOTEBOOKS_DIR: string = join(PROJECT_ROOT, "notebooks");

/** Result of a subprocess. */
interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...options }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) } as Output;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { code: 127, stdout: "", stderr: `${cmd}: not found` } as Output;
    throw e;
  }
}

/** Run a command with its output shown as it comes (the caller's stdout/stderr). */
async function runShown(cmd: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  try {
    return (await new Deno.Command(cmd, { args, stdout: "inherit", stderr: "inherit", ...options }).output()).code;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return 127;
    throw e;
  }
}

/**
 * Whether `jupyter nbconvert` can execute notebooks: Debian's `jupyter` runs and the `nbclient`
 * module imports in Debian's Python.
 *
 * @returns null when ready, else what is missing
 */
export async function missingJupyter(): Promise<string | null> {
  const version = await run(JUPYTER, ["nbconvert", "--version"]);
  if (version.code !== 0) return `${JUPYTER} nbconvert does not run (${version.stderr.trim().split("\n").pop()})`;
  const nbclient = await run("/usr/bin/python3", ["-c", "import nbclient, jupyter_client"]);
  if (nbclient.code !== 0) return "the Python modules nbclient / jupyter_client are missing";
  return null;
}

/**
 * Install the Debian packages with apt-get (as root, non-interactive), running `apt-get update`
 * and retrying once when the first attempt fails.
 *
 * @throws {UserError} when the installation fails (not root, no network, no apt-get)
 */
export async function installJupyter(): Promise<void> {
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const install = ["install", "-y", "--no-install-recommends", ...APT_PACKAGES];
  console.error(`apt-get ${install.join(" ")}`);
  if ((await runShown("apt-get", install, { env })) === 0) return;
  console.error("apt-get install failed; running apt-get update and retrying");
  await runShown("apt-get", ["update"], { env });
  if ((await runShown("apt-get", install, { env })) !== 0) {
    throw new UserError(
      `Could not install ${APT_PACKAGES.join(" ")} with apt-get (root and network needed); install them yourself`,
    );
  }
}

/** Where `deno jupyter --install` writes kernelspecs: the user's Jupyter data folder. */
export function kernelsDir(): string {
  const home = Deno.env.get("HOME") ?? "/root";
  if (Deno.build.os === "darwin") return join(home, "Library", "Jupyter", "kernels");
  const xdg = Deno.env.get("XDG_DATA_HOME");
  return join(xdg || join(home, ".local", "share"), "jupyter", "kernels");
}

/** A kernelspec's `kernel.json`, the part we check. */
interface KernelSpec {
  argv: string[];
  display_name?: string;
}

/**
 * Read a kernelspec and say whether it launches an existing Deno.
 *
 * @param name kernel name
 * @returns the spec and the Deno binary it names, or null when there is no spec
 */
export async function readKernelSpec(name: string): Promise<{ spec: KernelSpec; deno: string; ok: boolean } | null> {
  let spec: KernelSpec;
  try {
    spec = JSON.parse(await Deno.readTextFile(join(kernelsDir(), name, "kernel.json")));
  } catch {
    return null;
  }
  const deno = spec.argv?.[0] ?? "";
  let ok = false;
  try {
    ok = (await Deno.stat(deno)).isFile && spec.argv.includes("--kernel");
  } catch {
    ok = false;
  }
  return { spec, deno, ok };
}

/**
 * Make sure a Deno kernelspec exists and launches an existing Deno: install it with
 * `deno jupyter --install` (this process's Deno binary, i.e. the pinned `node_modules/deno/deno`)
 * when it is missing or points at a Deno that is gone, or always when `force`.
 *
 * @param name kernel name
 * @param options `force`: reinstall even when the spec is fine; `ours`: reinstall unless it runs this
 *   process's Deno (another checkout's may differ); `display`: display name
 * @returns the Deno binary the kernelspec runs
 * @throws {UserError} when the installation fails or the written spec is unusable
 */
export async function ensureKernel(
  name: string,
  options: { force?: boolean; display?: string; ours?: boolean } = {},
): Promise<string> {
  const current = await readKernelSpec(name);
  const mine = !options.ours || current?.deno === Deno.execPath();
  if (current?.ok && mine && !options.force) return current.deno;
  const args = ["jupyter", "--install", "--force", "--name", name, "--display", options.display ?? "Deno"];
  const out = await run(Deno.execPath(), args);
  if (out.code !== 0) throw new UserError(`deno ${args.join(" ")} failed: ${out.stderr.trim()}`);
  const written = await readKernelSpec(name);
  if (!written?.ok) {
    throw new UserError(
      `The kernelspec ${join(kernelsDir(), name)} does not launch an existing Deno (${written?.deno ?? "no spec"})`,
    );
  }
  return written.deno;
}

/**
 * The notebooks to run: every `notebooks/*.ipynb` in name order, or those named by `only`
 * (with or without `.ipynb`).
 *
 * @param only names to keep, or null for all
 * @returns absolute paths
 * @throws {UserError} when a name matches no notebook
 */
export async function listNotebooks(only: string[] | null = null): Promise<string[]> {
  const all: string[] = [];
  for await (const e of Deno.readDir(NOTEBOOKS_DIR)) {
    if (e.isFile && e.name.endsWith(".ipynb") && !e.name.startsWith(".")) all.push(e.name);
  }
  all.sort();
  if (!only) return all.map((n) => join(NOTEBOOKS_DIR, n));
  return only.map((name) => {
    const file = name.endsWith(".ipynb") ? basename(name) : `${basename(name)}.ipynb`;
    if (!all.includes(file)) {
      throw new UserError(`No notebook ${file} in notebooks/; the notebooks are ${all.join(", ")}`);
    }
    return join(NOTEBOOKS_DIR, file);
  });
}

/** Options of {@linkcode executeNotebook}. */
export interface ExecuteOptions {
  /** Folder for the executed copy (ignored with `inPlace`). */
  outDir: string;
  /** Overwrite the notebook itself with its outputs. */
  inPlace?: boolean;
  /** Per-cell timeout in seconds (-1: none). Default -1. */
  timeout?: number;
  /** Kernel to run. Default {@linkcode HEADLESS_KERNEL}. */
  kernel?: string;
}

/**
 * Execute one notebook headless. The kernel's working directory is the notebook's folder (as
 * in Jupyter), so its relative imports (`../src/...`) resolve.
 *
 * @param path the notebook
 * @param options output folder, in-place, timeout, kernel
 * @returns exit code, seconds taken and nbconvert's output
 */
export async function executeNotebook(
  path: string,
  options: ExecuteOptions,
): Promise<{ code: number; seconds: number; output: string; executed: string }> {
  const args = [
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    `--ExecutePreprocessor.kernel_name=${options.kernel ?? HEADLESS_KERNEL}`,
    `--ExecutePreprocessor.timeout=${options.timeout ?? -1}`,
    ...(options.inPlace ? ["--inplace"] : ["--output-dir", options.outDir]),
    path,
  ];
  const t0 = performance.now();
  const out = await run(JUPYTER, args, { cwd: NOTEBOOKS_DIR, env: { PYDEVD_DISABLE_FILE_VALIDATION: "1" } });
  return {
    code: out.code,
    seconds: (performance.now() - t0) / 1000,
    output: (out.stdout + out.stderr).trim(),
    executed: options.inPlace ? path : join(options.outDir, basename(path)),
  };
}

/** The part of nbconvert's output that says which cell failed and why. */
function cellError(output: string): string {
  const at = output.indexOf("CellExecutionError");
  const text = at >= 0 ? output.slice(at) : output;
  return text.split("\n").slice(0, 40).join("\n");
}

async function setup(): Promise<void> {
  const missing = await missingJupyter();
  if (missing) {
    console.error(`jupyter: ${missing}; installing`);
    await installJupyter();
    const still = await missingJupyter();
    if (still) throw new UserError(`jupyter still unusable after installing: ${still}`);
  } else console.error(`jupyter: ${JUPYTER} nbconvert is installed`);
  const deno = await ensureKernel(HEADLESS_KERNEL, { force: true, display: "Deno (patchsvdd)" });
  console.error(`kernel ${HEADLESS_KERNEL}: ${join(kernelsDir(), HEADLESS_KERNEL)} -> ${deno}`);
  // The kernel the notebooks name: install it only when missing or broken (a user's own stays).
  const user = await ensureKernel("deno");
  console.error(`kernel deno: ${join(kernelsDir(), "deno")} -> ${user}`);
}

if (import.meta.main) {
  await runMain(async () => {
    const { values: v } = parseCli(Deno.args, {
      "setup": { type: "boolean" },
      "only": { type: "string", multiple: true },
      "in-place": { type: "boolean" },
      "out": { type: "string" },
      "timeout": { type: "string" },
      "list": { type: "boolean" },
      "help": { type: "boolean", short: "h" },
    }, USAGE);
    if (v.help) return console.log(USAGE);
    if (v.setup) return await setup();
    const onlyValues = (v.only as unknown as string[] | undefined) ?? [];
    const only = onlyValues.length
      ? onlyValues.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean)
      : null;
    const notebooks = await listNotebooks(only);
    if (v.list) return console.log(notebooks.map((n) => basename(n, ".ipynb")).join("\n"));
    const missing = await missingJupyter();
    if (missing) throw new UserError(`${missing}; run \`deno task setup-notebooks\` (apt-get install, needs root)`);
    await ensureKernel(HEADLESS_KERNEL, { display: "Deno (patchsvdd)", ours: true });
    // Resolved against the caller's directory: nbconvert runs in notebooks/, where a relative path would land.
    const outDir = typeof v.out === "string"
      ? resolve(v.out)
      : await Deno.makeTempDir({ prefix: "patchsvdd-notebooks-" });
    await Deno.mkdir(outDir, { recursive: true });
    const timeout = numberFlag(v.timeout, "timeout", "number") ?? -1;
    const times: string[] = [];
    for (const path of notebooks) {
      const name = basename(path, ".ipynb");
      console.error(`${name}: executing`);
      const result = await executeNotebook(path, { outDir, inPlace: Boolean(v["in-place"]), timeout });
      times.push(`${name} ${result.seconds.toFixed(0)} s`);
      if (result.code !== 0) {
        console.error(cellError(result.output));
        throw new UserError(`${name} failed after ${result.seconds.toFixed(0)} s: a cell raised the error shown above`);
      }
      console.error(`${name}: ok in ${result.seconds.toFixed(0)} s -> ${result.executed}`);
    }
    console.log(
      `${notebooks.length} notebook(s) ran without errors (${times.join(", ")}); executed copies in ${outDir}`,
    );
  });
}
