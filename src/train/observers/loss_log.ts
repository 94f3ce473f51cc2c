/**
 * The loss log, `RUN/train_log.jsonl`: one line per step, `{step, time_s, <term>: value, ..., lr?}`
 * (`time_s`: seconds since this invocation started; `lr` only when the rate is scheduled, a
 * constant rate is not logged). A resumed run keeps the lines up to its checkpoint's step.
 *
 * @module
 */

import { JsonLinesLog } from "../jsonl_log.ts";
import type { StepReport, TrainObserver } from "../observer.ts";
import type { LossValues } from "../step.ts";

/** File name of the per-step loss log inside the run folder. */
export const LOSS_LOG_FILE = "train_log.jsonl";

/** One line of the loss log, as parsed. */
export type LossLogRow = { step: number } & LossValues;

/** Writes the loss log. */
export class LossLog implements TrainObserver {
  #log: JsonLinesLog<LossLogRow>;
  #logRate: boolean;

  private constructor(log: JsonLinesLog<LossLogRow>, logRate: boolean) {
    this.#log = log;
    this.#logRate = logRate;
  }

  /**
   * Open the loss log of a run folder.
   *
   * @param runDir the run folder
   * @param resumeAt a resumed run's checkpoint step, or null for a new run (the log starts empty)
   * @param logRate log each step's learning rate (when it is scheduled)
   * @returns the observer
   * @example
   * ```ts
   * import { LossLog } from "./loss_log.ts";
   * const dir = await Deno.makeTempDir();
   * const log = await LossLog.open(dir, null, false);
   * await log.afterStep({ step: 1, values: { ssl64: 2.08 }, lr: 1e-4, seconds: 0.5 });
   * log.close();
   * await Deno.readTextFile(`${dir}/train_log.jsonl`); // '{"step":1,"time_s":0.5,"ssl64":2.08}\n'
   * ```
   */
  static async open(runDir: string, resumeAt: number | null, logRate: boolean): Promise<LossLog> {
    return new LossLog(await JsonLinesLog.open<LossLogRow>(`${runDir}/${LOSS_LOG_FILE}`, resumeAt), logRate);
  }

  /** The rows of the steps before this invocation (a resumed run's), for the watches that need the whole run. */
  get kept(): LossLogRow[] {
    return this.#log.kept;
  }

  /**
   * Log one step.
   *
   * @param report the step
   */
  async afterStep({ step, values, lr, seconds }: StepReport): Promise<void> {
    await this.#log.append({ step, time_s: +seconds.toFixed(3), ...values, ...(this.#logRate ? { lr } : {}) });
  }

  /** Close the file. */
  close(): void {
    this.#log.close();
  }
}
