/**
 * The activation probe as an observer: every `every` steps (and at step 0 of a new run) it measures
 * the encoder's activations on a fixed set of training patches (src/train/activation_probe.ts),
 * logs them to `RUN/activations.jsonl` (`{step, levels}` per probe), warns when a level's codes get
 * pinned (and notes a recovery), and reports a stop fact once they have stayed pinned long enough.
 * It reads the weights only and draws its patches from a generator of its own.
 *
 * @module
 */

import { DEFAULT_RUN_OPTIONS } from "../../config.ts";
import {
  DEFAULT_PINNED_CRITERIA,
  drawProbe,
  type LevelActivations,
  measureActivations,
  type PinnedCriteria,
  PinnedWatch,
  type Probe,
} from "../activation_probe.ts";
import type { Encoder } from "../../model/encoder.ts";
import { JsonLinesLog } from "../jsonl_log.ts";
import type { StepReport, StopFact, TrainObserver, WarningSink } from "../observer.ts";
import type { TrainImages } from "../step.ts";

/** File name of the activation log inside the run folder: one `{step, levels}` row per probe. */
export const ACTIVATION_LOG_FILE = "activations.jsonl";

/** Default steps between two activation probes: `DEFAULT_RUN_OPTIONS.probeEvery` of src/config.ts. */
export const DEFAULT_PROBE_EVERY: number = DEFAULT_RUN_OPTIONS.probeEvery;

/** One line of the activation log. */
export interface ActivationRow {
  /** The step measured (0: the initial weights). */
  step: number;
  /** Per level, top first. */
  levels: LevelActivations[];
}

/** Settings of {@linkcode ProbeObserver.open}. */
export interface ProbeOptions {
  /** The run folder (the log goes to `ACTIVATION_LOG_FILE` there). */
  runDir: string;
  /** A resumed run's checkpoint step, or null for a new run. */
  resumeAt: number | null;
  /** Steps between probes; 0 turns the probe off (the log is still created, empty). */
  every: number;
  /** The encoder measured (its weights change as the run trains). */
  encoder: Encoder;
  /** Training images the probe's patches are drawn from. */
  data: TrainImages;
  /** The run's seed (the probe draws its patches with a generator of its own seeded by it). */
  seed: number;
  /** Where warnings go (kinds "pinned" and "recovered"; the command line adds its advice). */
  warn: WarningSink;
  /** When codes count as pinned, and for how long before a stop. Default {@linkcode DEFAULT_PINNED_CRITERIA}. */
  criteria?: PinnedCriteria;
}

/** Measures and logs the encoder's activations during training. */
export class ProbeObserver implements TrainObserver {
  #log: JsonLinesLog<ActivationRow>;
  #options: ProbeOptions;
  #probe: Probe | null;
  #watch: PinnedWatch;
  #latest: ActivationRow | null;

  private constructor(log: JsonLinesLog<ActivationRow>, options: ProbeOptions) {
    this.#log = log;
    this.#options = options;
    this.#probe = options.every > 0 ? drawProbe(options.data, options.encoder.patchSize, options.seed) : null;
    this.#watch = new PinnedWatch(options.criteria ?? DEFAULT_PINNED_CRITERIA);
    this.#latest = log.kept.at(-1) ?? null;
  }

  /**
   * Open the activation log and draw the probe.
   *
   * @param options the run's folder, encoder, data and seed, and the probe's interval
   * @returns the observer
   */
  static async open(options: ProbeOptions): Promise<ProbeObserver> {
    const path = `${options.runDir}/${ACTIVATION_LOG_FILE}`;
    return new ProbeObserver(await JsonLinesLog.open<ActivationRow>(path, options.resumeAt), options);
  }

  /** First probe step of this invocation at which a level's codes were pinned, or null. */
  get pinnedAt(): number | null {
    return this.#watch.pinnedAt;
  }

  /** The last probe row of the run (a resumed run's kept one until this invocation measures), or null. */
  get latest(): ActivationRow | null {
    return this.#latest;
  }

  /**
   * Probe the initial weights of a run (step 0), unless a resumed run's log has them already.
   *
   * @param step steps already done
   */
  async start(step: number): Promise<void> {
    if (this.#probe && step === 0 && !this.#log.kept.some((row) => row.step === 0)) await this.#measure(0);
  }

  /**
   * @param report the step
   * @returns a stop fact when the codes have been pinned at every probe for the criteria's lasting steps
   */
  async afterStep({ step }: StepReport): Promise<StopFact | void> {
    if (!this.#probe || step % this.#options.every !== 0) return;
    if (await this.#measure(step)) {
      const level = this.#watch.pinnedPatchSize;
      return { at: this.#watch.since!, by: "probe", ...(level ? { term: `codes${level}` } : {}) };
    }
  }

  /** Close the log. */
  close(): void {
    this.#log.close();
  }

  /** Measure, log and judge; true when the codes have now been pinned long enough to call the run collapsed. */
  async #measure(step: number): Promise<boolean> {
    const levels = await measureActivations(this.#options.encoder, this.#probe!);
    await this.#log.append({ step, levels });
    this.#latest = { step, levels };
    const report = this.#watch.observe(step, levels);
    if (report.warning) this.#options.warn(`${report.warning}.`, "pinned");
    if (report.recovered) this.#options.warn(report.recovered, "recovered");
    return report.lasting;
  }
}
