/**
 * Equivalence with the reference implementation: the authors' trained bottle encoder,
 * imported from PyTorch layout, must give the reference's own embeddings of one test image
 * (REFERENCE.md section 6: K=64 at stride 16, K=32 at stride 4), through the dense path and
 * patch by patch, on the cpu and wasm backends.
 *
 * Needs `shared/data/reference_weights` next to the project (or `$PATCHSVDD_REFERENCE_WEIGHTS`);
 * without it these tests are ignored.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { disposeEncoder, encodePatches, type Encoder, encoderLevels } from "../../src/model/encoder.ts";
import { embedLevels, gridSize } from "../../src/model/dense.ts";
import { readSafetensors, type SafetensorsTensor } from "../../src/model/safetensors.ts";
import { importReferenceEncoder } from "../../src/model/reference_weights.ts";

const WEIGHTS = "bottle_enchier.safetensors";
const OUTPUTS = "bottle_expected_outputs.safetensors";
const TOLERANCE = 1e-4;
/** Pixel stride of the reference's memory bank for each patch size. */
const STRIDES: Record<number, number> = { 64: 16, 32: 4 };
/** Expected embeddings of each patch size, [n, n, D] HWC. */
const EXPECTED: Record<number, string> = { 64: "emb_k64_s16", 32: "emb_k32_s4" };

/** Where the reference files are, and whether the user named that place explicitly. */
function referenceDir(): { dir: string; explicit: boolean; present: boolean } {
  let env: string | undefined;
  try {
    env = Deno.env.get("PATCHSVDD_REFERENCE_WEIGHTS");
  } catch { /* no env permission: use the default location */ }
  // The project root is two levels up from this file; the shared data lies beside it.
  const dir = env ?? fileURLToPath(new URL("../../../shared/data/reference_weights", import.meta.url));
  let present = false;
  try {
    present = Deno.statSync(join(dir, WEIGHTS)).isFile && Deno.statSync(join(dir, OUTPUTS)).isFile;
  } catch { /* absent */ }
  return { dir, explicit: env !== undefined, present };
}

const { dir, explicit, present } = referenceDir();
// Absent at the default location: skip. Absent where $PATCHSVDD_REFERENCE_WEIGHTS points: fail (setup says why).
const ignore = !present && !explicit;
let outputs: Promise<Map<string, SafetensorsTensor>> | undefined;
const expectedOutputs = () => (outputs ??= readSafetensors(join(dir, OUTPUTS)));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assertEquals(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Print measured differences when PATCHSVDD_TEST_VERBOSE is set (for reports). */
function report(what: string, diff: number): void {
  try {
    if (Deno.env.get("PATCHSVDD_TEST_VERBOSE")) console.log(`${what}: max |diff| ${diff.toExponential(3)}`);
  } catch { /* no env permission */ }
}

/** Switch backend and import the reference encoder onto it. */
async function setup(backend: string): Promise<{ encoder: Encoder; image: tf.Tensor4D }> {
  assert(present, `Expected ${WEIGHTS} and ${OUTPUTS} in $PATCHSVDD_REFERENCE_WEIGHTS=${dir} but found none`);
  assert(await tf.setBackend(backend), `backend ${backend} failed to initialise`);
  const encoder = await importReferenceEncoder(join(dir, WEIGHTS), { patchSize: 64, embeddingDim: 64 });
  const input = (await expectedOutputs()).get("input_broken_large_000")!;
  assertEquals(input.shape, [256, 256, 3]);
  return { encoder, image: tf.tensor4d(input.data, [1, 256, 256, 3]) };
}

/**
 * A spread-out subset of an n x n grid: every `step`-th position in raster order, plus the
 * last one. With `step` not a multiple of n the columns vary from row to row.
 */
function rasterSubset(n: number, step: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n * n; i += step) out.push([Math.floor(i / n), i % n]);
  if ((n * n - 1) % step !== 0) out.push([n - 1, n - 1]);
  return out;
}

/** How much of the image each backend checks (the cpu backend is ~50x slower than wasm). */
interface Plan {
  /** Dense path on the window [top, top + size) x [left, left + size); offsets multiples of 16. */
  window: { top: number; left: number; size: number };
  /** Patch-by-patch path on every `step`-th grid position (raster order) of each patch size. */
  steps: Record<number, number>;
}

const PLANS: Record<string, Plan> = {
  // 5x5 of the 13x13 K=64 positions and 25x25 of the 57x57 K=32 ones; 4 + 9 single patches.
  cpu: { window: { top: 48, left: 112, size: 128 }, steps: { 64: 61, 32: 406 } },
  // The whole image; 11 + 35 single patches.
  wasm: { window: { top: 0, left: 0, size: 256 }, steps: { 64: 17, 32: 97 } },
};

/** Rows [y0, y0 + n) and columns [x0, x0 + n) of an [N, N, D] HWC array. */
function subGrid(t: SafetensorsTensor, y0: number, x0: number, count: number): Float32Array {
  const [n, , d] = t.shape;
  const out = new Float32Array(count * count * d);
  for (let y = 0; y < count; y++) {
    out.set(t.data.subarray(((y0 + y) * n + x0) * d, ((y0 + y) * n + x0 + count) * d), y * count * d);
  }
  return out;
}

for (const [backend, plan] of Object.entries(PLANS)) {
  const { top, left, size } = plan.window;
  Deno.test({
    name: `embedLevels() on ${backend} reproduces the reference bottle embeddings (K=64 s16, K=32 s4, ` +
      `${size}x${size} window, max |diff| < 1e-4)`,
    ignore,
    fn: async () => {
      const { encoder, image } = await setup(backend);
      const expected = await expectedOutputs();
      // One scope for the dense maps and every intermediate tensor.
      tf.tidy(() => {
        const window = tf.slice(image, [0, top, left, 0], [1, size, size, 3]);
        const maps = embedLevels(encoder, window, (k) => STRIDES[k]);
        for (const level of encoderLevels(encoder)) {
          const k = level.patchSize;
          const stride = STRIDES[k];
          const count = gridSize(size, k, stride);
          const got = maps.get(k)!;
          assertEquals(got.shape, [1, count, count, encoder.embeddingDim]);
          const want = subGrid(expected.get(EXPECTED[k])!, top / stride, left / stride, count);
          const diff = maxAbsDiff(got.dataSync(), want);
          report(`dense ${backend} K=${k} (${count}x${count} positions)`, diff);
          assert(diff < TOLERANCE, `${backend} dense K=${k}: max |diff| ${diff}`);
        }
      });
      image.dispose();
      disposeEncoder(encoder);
    },
  });

  Deno.test({
    name:
      `encodePatches() on ${backend} reproduces the reference bottle embeddings patch by patch (subset of positions)`,
    ignore,
    fn: async () => {
      const { encoder, image } = await setup(backend);
      const expected = await expectedOutputs();
      for (const level of encoderLevels(encoder)) {
        const k = level.patchSize;
        const want = expected.get(EXPECTED[k])!;
        const [n, , d] = want.shape;
        const positions = rasterSubset(n, plan.steps[k]);
        const got = tf.tidy(() => {
          const crops = positions.map(([y, x]) =>
            tf.slice(image, [0, y * STRIDES[k], x * STRIDES[k], 0], [1, k, k, 3])
          );
          return encodePatches(level, tf.concat(crops, 0) as tf.Tensor4D).dataSync(); // [P, D]
        });
        const wantSubset = new Float32Array(positions.length * d);
        positions.forEach(([y, x], p) =>
          wantSubset.set(want.data.subarray((y * n + x) * d, (y * n + x + 1) * d), p * d)
        );
        const diff = maxAbsDiff(got, wantSubset);
        report(`patches ${backend} K=${k} (${positions.length} positions)`, diff);
        assert(diff < TOLERANCE, `${backend} patch-by-patch K=${k}: max |diff| ${diff}`);
      }
      image.dispose();
      disposeEncoder(encoder);
    },
  });
}
