/**
 * A run folder and the files it holds: the checkpoint, the loss and activation logs (written by the
 * loop's observers), and the config, summary and metrics the jobs write. It owns what it means to
 * claim a folder for training: a new run refuses a folder that holds one, `--resume` needs its
 * checkpoint, `--force` clears the run's files (and only those) before training starts.
 *
 * @module
 */

import { UserError } from "../errors.ts";
import { exists } from "../util/exists.ts";
import { CHECKPOINT_FILE } from "./checkpoint.ts";
import { LOSS_LOG_FILE } from "./observers/loss_log.ts";
import { ACTIVATION_LOG_FILE } from "./observers/probe.ts";

/** Names of the files a run folder holds. */
export const RUN_FILES = {
  /** Weights, optimizer state, config, step and random state (src/train/checkpoint.ts). */
  checkpoint: CHECKPOINT_FILE,
  /** One line per step (src/train/observers/loss_log.ts). */
  lossLog: LOSS_LOG_FILE,
  /** One line per activation probe (src/train/observers/probe.ts). */
  activationLog: ACTIVATION_LOG_FILE,
  /** The run's settings as given, with its data, backend and commit. */
  config: "config.json",
  /** `train_summary.json`: steps, time, last losses, collapse and position-task findings. */
  summary: "train_summary.json",
  /** `metrics.json`: the evaluation. */
  metrics: "metrics.json",
} as const;

/** How a training invocation treats a folder that may hold a run. */
export interface ClaimOptions {
  /** Continue the run in the folder (its checkpoint must exist). */
  resume?: boolean;
  /** Clear a run in the folder and start a new one. */
  force?: boolean;
}

/** The paths of one run folder. */
export class RunFolder {
  /** The folder. */
  readonly dir: string;

  /**
   * @param dir the run folder (need not exist yet)
   * @example
   * ```ts
   * import { RunFolder } from "./run_folder.ts";
   * new RunFolder("runs/bottle").checkpoint; // "runs/bottle/checkpoint.safetensors"
   * ```
   */
  constructor(dir: string) {
    this.dir = dir;
  }

  /** `DIR/checkpoint.safetensors`. */
  get checkpoint(): string {
    return this.#path("checkpoint");
  }
  /** `DIR/train_log.jsonl`. */
  get lossLog(): string {
    return this.#path("lossLog");
  }
  /** `DIR/activations.jsonl`. */
  get activationLog(): string {
    return this.#path("activationLog");
  }
  /** `DIR/config.json`. */
  get config(): string {
    return this.#path("config");
  }
  /** `DIR/train_summary.json`. */
  get summary(): string {
    return this.#path("summary");
  }
  /** `DIR/metrics.json`. */
  get metrics(): string {
    return this.#path("metrics");
  }

  /**
   * Claim a folder for a training invocation: refuse to resume without a checkpoint, refuse to
   * overwrite a run without `force`, and with `force` (and no `resume`) remove the run's files.
   * Creates nothing: {@linkcode create} does, once the data has loaded.
   *
   * @param dir the run folder
   * @param options resume or force
   * @returns the folder
   * @throws {UserError} one line naming the folder and the flag that fixes it
   */
  static async claim(dir: string, { resume = false, force = false }: ClaimOptions = {}): Promise<RunFolder> {
    const folder = new RunFolder(dir);
    const hasCheckpoint = await exists(folder.checkpoint), hasConfig = await exists(folder.config);
    if (resume && !hasCheckpoint) {
      throw new UserError(
        hasConfig
          ? `Cannot resume: ${folder.checkpoint} does not exist (the run stopped before its first ` +
            `checkpoint); start it again with --force instead of --resume`
          : `Cannot resume: ${folder.checkpoint} does not exist; drop --resume to start a new run`,
      );
    }
    const occupied = hasCheckpoint || hasConfig;
    if (occupied && !resume && !force) {
      throw new UserError(`${dir} already holds a run; pass --resume to continue it or --force to overwrite it`);
    }
    if (occupied && force && !resume) {
      for (const name of Object.values(RUN_FILES)) await Deno.remove(`${dir}/${name}`).catch(() => {});
    }
    return folder;
  }

  /** Create the folder (and its parents) and remove temporary checkpoint files a killed process left. */
  async create(): Promise<void> {
    await Deno.mkdir(this.dir, { recursive: true });
    try {
      for await (const entry of Deno.readDir(this.dir)) {
        if (entry.isFile && entry.name.startsWith(`${CHECKPOINT_FILE}.tmp-`)) {
          await Deno.remove(`${this.dir}/${entry.name}`).catch(() => {});
        }
      }
    } catch {
      // an unreadable folder fails later with a clearer message
    }
  }

  #path(file: keyof typeof RUN_FILES): string {
    return `${this.dir}/${RUN_FILES[file]}`;
  }
}
