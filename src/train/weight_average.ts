/**
 * Exponential moving average of the encoder's weights (Polyak averaging), a named
 * deviation from the reference (`--ema DECAY`, off by default). After every step,
 * `avg = decay * avg + (1 - decay) * w`, starting from the initial weights; inspection
 * then uses the averaged encoder. It smooths the step-to-step noise of Adam at a fixed
 * learning rate, which moves the anomaly-detection AUROC of short runs by several points
 * from one checkpoint to the next.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";

/** Checkpoint name prefix of the averaged copy of a parameter. */
export const AVERAGE_PREFIX = "ema.";

/** Averaged copies of a set of named variables. */
export class WeightAverage {
  /** Averaged value per parameter name. */
  readonly values: Map<string, tf.Variable>;
  /** Weight of the old average in each update, in (0, 1). */
  readonly decay: number;

  /**
   * Start the average at the parameters' current values, or at saved values.
   *
   * @param params the trained variables, by name
   * @param decay weight of the old average per update, in (0, 1)
   * @param saved averaged values to resume from (name -> tensor; each one copied)
   */
  constructor(params: Map<string, tf.Variable>, decay: number, saved?: Map<string, tf.Tensor>) {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`Expected EMA decay in (0, 1) but found ${decay}`);
    this.decay = decay;
    this.values = new Map();
    for (const [name, v] of params) {
      const start = saved?.get(name) ?? v;
      this.values.set(name, tf.variable(start, false, `${AVERAGE_PREFIX}${name}`));
    }
  }

  /**
   * Fold the current parameter values into the average.
   *
   * @param params the trained variables, by name (the names given to the constructor)
   */
  update(params: Map<string, tf.Variable>): void {
    tf.tidy(() => {
      const keep = tf.scalar(this.decay), take = tf.scalar(1 - this.decay);
      for (const [name, avg] of this.values) avg.assign(tf.add(tf.mul(avg, keep), tf.mul(params.get(name)!, take)));
    });
  }

  /** Free the averaged copies. */
  dispose(): void {
    for (const v of this.values.values()) v.dispose();
    this.values.clear();
  }
}
