/**
 * A small seeded pseudo-random generator (mulberry32) whose whole state is one
 * 32-bit integer, so a run can store it in a checkpoint and resume the exact stream.
 *
 * Every random choice in the kit (synthetic data, pair sampling, initial weights)
 * draws from an {@linkcode Rng}; nothing uses `Math.random`.
 *
 * @module
 */

import { addZigguratNormals } from "./ziggurat.ts";

/** Seeded pseudo-random generator (mulberry32, period 2^32). */
export class Rng {
  #state: number;

  /**
   * @param seed any finite number; it is truncated to an unsigned 32-bit integer
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const a = new Rng(42), b = new Rng(42);
   * if (a.next() !== b.next()) throw new Error("same seed, same stream");
   * ```
   */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Expected a finite seed but found ${seed}`);
    this.#state = Math.trunc(seed) >>> 0;
  }

  /**
   * A uniform draw.
   *
   * @returns a number in [0, 1) with 32 bits of randomness
   */
  next(): number {
    return (this.int32() >>> 0) / 4294967296;
  }

  /**
   * A uniform signed 32-bit integer (the same step of the stream as {@linkcode Rng.next}).
   *
   * @returns an integer in [-2^31, 2^31)
   */
  int32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return t ^ (t >>> 14);
  }

  /**
   * A uniform integer.
   *
   * @param n number of possible values (a positive integer)
   * @returns an integer in 0..n-1
   */
  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`Expected a positive integer but found ${n}`);
    return Math.floor(this.next() * n);
  }

  /**
   * A uniform real number in [lo, hi).
   *
   * @param lo lower bound (inclusive)
   * @param hi upper bound (exclusive)
   * @returns lo + (hi - lo) * u with u uniform in [0, 1)
   */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * A standard normal draw (Box-Muller, two uniforms per draw, no cached spare so
   * that {@linkcode Rng.state} is the whole state).
   *
   * @returns a sample of N(0, 1)
   */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log is finite
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Add `std` times standard normal draws to `out[start .. start + count)`, in place, by the
   * ziggurat method (`ziggurat.ts`): several times faster than {@linkcode Rng.normal} per value,
   * for bulk noise such as the SSL perturbation.
   *
   * @param out values to perturb
   * @param start first index
   * @param count how many values
   * @param std standard deviation of the added noise
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const x = new Float32Array(4);
   * new Rng(1).addNormals(x, 0, 4, 0.5); // four draws of N(0, 0.25)
   * ```
   */
  addNormals(out: Float32Array, start: number, count: number, std: number): void {
    addZigguratNormals(this, out, start, count, std);
  }

  /**
   * An independent generator seeded from this one (advances this stream by one draw).
   *
   * @returns a new {@linkcode Rng}
   */
  split(): Rng {
    return new Rng(Math.floor(this.next() * 4294967296) ^ 0x9e3779b9);
  }

  /**
   * The whole generator state, for checkpoints.
   *
   * @returns an unsigned 32-bit integer; {@linkcode Rng.fromState} resumes from it
   */
  state(): number {
    return this.#state >>> 0;
  }

  /**
   * Resume a generator from {@linkcode Rng.state}.
   *
   * @param state a value returned by `state()`
   * @returns a generator that continues the saved stream exactly
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * const rng = new Rng(7);
   * rng.next();
   * const resumed = Rng.fromState(rng.state());
   * if (resumed.next() !== rng.next()) throw new Error("resume must continue the stream");
   * ```
   */
  static fromState(state: number): Rng {
    if (!(Number.isInteger(state) && state >= 0 && state <= 0xffffffff)) {
      throw new RangeError(`Expected an unsigned 32-bit state but found ${state}`);
    }
    return new Rng(state);
  }
}
