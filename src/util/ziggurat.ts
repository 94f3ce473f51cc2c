/**
 * Standard normal draws by Marsaglia and Tsang's ziggurat (128 layers; "The Ziggurat Method for
 * Generating Random Variables", J. Stat. Softw. 5(8), 2000): one 32-bit integer and a table
 * lookup for ~99% of draws, no logarithm or trigonometry. Used where many normals are needed
 * per step (the SSL perturbation adds one to every pixel).
 *
 * @module
 */

const LAYERS = 128;
const R = 3.442619855899; // start of the tail
const M1 = 2147483648; // 2^31

/** Per layer: |int32| below k[i] accepts at once; w[i] scales int32 to x; f[i] = exp(-x_i^2 / 2). */
const K = new Float64Array(LAYERS), W = new Float64Array(LAYERS), F = new Float64Array(LAYERS);
{
  const v = 9.91256303526217e-3; // area of each layer
  let dn = R, tn = R;
  const q = v / Math.exp(-0.5 * dn * dn);
  K[0] = (dn / q) * M1;
  K[1] = 0;
  W[0] = q / M1;
  W[LAYERS - 1] = dn / M1;
  F[0] = 1;
  F[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(v / dn + Math.exp(-0.5 * dn * dn)));
    K[i + 1] = (dn / tn) * M1;
    tn = dn;
    F[i] = Math.exp(-0.5 * dn * dn);
    W[i] = dn / M1;
  }
}

/** A source of uniform draws: signed 32-bit integers and numbers in [0, 1). */
export interface UniformSource {
  /** A uniform integer in [-2^31, 2^31). */
  int32(): number;
  /** A uniform number in [0, 1). */
  next(): number;
}

/**
 * Add `std` times standard normal draws to `out[start .. start + count)`, in place.
 *
 * @param rng the uniform source
 * @param out values to perturb
 * @param start first index
 * @param count how many values
 * @param std standard deviation
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * import { addZigguratNormals } from "./ziggurat.ts";
 * addZigguratNormals(new Rng(1), new Float32Array(8), 0, 8, 1);
 * ```
 */
export function addZigguratNormals(
  rng: UniformSource,
  out: Float32Array,
  start: number,
  count: number,
  std: number,
): void {
  for (let i = start; i < start + count; i++) {
    const hz = rng.int32();
    const iz = hz & (LAYERS - 1);
    out[i] += std * (Math.abs(hz) < K[iz] ? hz * W[iz] : slow(rng, hz, iz));
  }
}

/** The rejected ~1%: the wedges and the tail. */
function slow(rng: UniformSource, hz: number, iz: number): number {
  const uniform = () => rng.next();
  for (;;) {
    const x = hz * W[iz];
    if (iz === 0) { // the tail beyond R
      let xt: number, yt: number;
      do {
        xt = -Math.log(1 - uniform()) / R;
        yt = -Math.log(1 - uniform());
      } while (yt + yt < xt * xt);
      return hz > 0 ? R + xt : -R - xt;
    }
    if (F[iz] + uniform() * (F[iz - 1] - F[iz]) < Math.exp(-0.5 * x * x)) return x;
    hz = rng.int32();
    iz = hz & (LAYERS - 1);
    if (Math.abs(hz) < K[iz]) return hz * W[iz];
  }
}
