/**
 * What every notebook does first: quiet tfjs (production mode, no banners) and keep the decoded
 * image cache in the project's `.cache/decoded` whatever the notebook's working directory.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import { join } from "node:path";
import type { Figure } from "../plot/figure.ts";
import { PROJECT_ROOT } from "./paths.ts";

/**
 * Prepare a notebook (or any script run outside the project root): tfjs production mode, and
 * `$PATCHSVDD_CACHE` set to `<root>/.cache/decoded` unless already set.
 *
 * @example
 * ```ts
 * import { setupNotebook } from "./notebook.ts";
 * import { notStrictEqual } from "node:assert/strict";
 * setupNotebook();
 * notStrictEqual(Deno.env.get("PATCHSVDD_CACHE"), undefined);
 * ```
 */
export function setupNotebook(): void {
  tf.env().set("PROD", true);
  if (!Deno.env.get("PATCHSVDD_CACHE")) Deno.env.set("PATCHSVDD_CACHE", join(PROJECT_ROOT, ".cache", "decoded"));
}

/** The part of Deno's `Deno.jupyter` namespace used here (present only inside the Jupyter kernel). */
interface JupyterApi {
  display(value: unknown, options?: { raw?: boolean }): Promise<void>;
}

/** `Deno.jupyter` inside the Jupyter kernel, else null (elsewhere reading it throws). */
function jupyterApi(): JupyterApi | null {
  try {
    return (Deno as unknown as { jupyter?: JupyterApi }).jupyter ?? null;
  } catch {
    return null;
  }
}

/**
 * Show results in a notebook: strings as markdown, anything else through Deno's Jupyter display
 * (a `Figure` shows as SVG). Outside a Jupyter kernel strings and other values are printed.
 *
 * Notebooks call this rather than ending a cell with an expression: Deno's kernel (2.x) sometimes
 * sends a cell's output after reporting the cell idle, and headless runs (`nbconvert --execute`)
 * then drop it (seen on a few outputs per run of the notebooks). Displays sent while the cell runs, with a
 * short pause after them, arrive.
 *
 * @param items markdown strings, figures or other values (null and undefined are skipped)
 * @example
 * ```ts
 * import { show } from "./notebook.ts";
 * await show("**AUROC** 0.97"); // markdown in a notebook, printed elsewhere
 * ```
 */
export async function show(...items: unknown[]): Promise<void> {
  const jupyter = jupyterApi();
  for (const item of items) {
    if (item === null || item === undefined) continue;
    if (!jupyter) {
      console.log(
        typeof item === "object" && "svg" in item
          ? `[figure ${(item as Figure).width} x ${(item as Figure).height} px]`
          : item,
      );
    } else if (typeof item === "string") await jupyter.display({ "text/markdown": item }, { raw: true });
    else await jupyter.display(item);
  }
  // Give the kernel time to send the displays before it reports the cell finished (see above).
  if (jupyter) await new Promise((resolve) => setTimeout(resolve, SHOW_SETTLE_MS));
}

/** Milliseconds {@linkcode show} waits after displaying, so that headless runs keep the output. */
export const SHOW_SETTLE_MS = 150;
