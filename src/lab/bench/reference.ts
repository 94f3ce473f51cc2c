/**
 * The reference numbers of the speed-benchmark issue: the authors' PyTorch code on the same
 * 2-core machine, category bottle (209 training and 83 test images at 256x256), and the speed-up
 * factors of a benchmark run against them.
 *
 * @module
 */

/** Timings of the authors' PyTorch implementation on this machine (from the issue). */
export interface ReferenceNumbers {
  /** Where the numbers come from. */
  source: string;
  /** Category and sizes they were measured on. */
  dataset: { category: string; num_train: number; num_test: number; image_size: number };
  /** One reference training step (64 pairs x 4 pair sets). */
  training: { median_step_seconds: number; pairs_per_step: number; pairs_per_second: number };
  /** Inspection with exact search, seconds per phase. */
  inspection_exact: {
    /** Reading and resizing every image. */
    load: number;
    /** K=64 memory bank (stride 16). */
    embed_bank_k64: number;
    /** K=64 test embeddings. */
    embed_test_k64: number;
    /** K=64 KD-tree search. */
    search_k64: number;
    /** K=32 memory bank, patch by patch (stride 4). */
    embed_bank_k32: number;
    /** K=32 test embeddings, patch by patch. */
    embed_test_k32: number;
    /** K=32 exact search. */
    search_k32: number;
    /** The reported total (~68 min). */
    total: number;
  };
}

/** The numbers. */
export const REFERENCE: ReferenceNumbers = {
  source: "authors' PyTorch code (Patch-SVDD), same 2-core machine, numbers quoted in the speed-benchmark issue",
  dataset: { category: "bottle", num_train: 209, num_test: 83, image_size: 256 },
  training: { median_step_seconds: 1.81, pairs_per_step: 256, pairs_per_second: 140 },
  inspection_exact: {
    load: 63,
    embed_bank_k64: 159,
    embed_test_k64: 97,
    search_k64: 154,
    embed_bank_k32: 1870,
    embed_test_k32: 740,
    search_k32: 1017,
    total: 68 * 60,
  },
};

/** Our numbers that are compared with the reference, seconds (null when not measured). */
export interface OurNumbers {
  /** Median training step at the given batch size. */
  median_step_seconds: number | null;
  /** Training pairs per second. */
  pairs_per_second: number | null;
  /** Pairs per pair set per step of our measurement. */
  batch_size: number | null;
  /** Dataset sizes of our measurement. */
  num_train: number;
  /** Test images. */
  num_test: number;
  /** Decode + resize (cold cache). */
  load: number;
  /** Memory-bank embedding, both levels. */
  embed_bank: number;
  /** Test embedding, both levels. */
  embed_test: number;
  /** Exact search, both levels (null when exact search did not run). */
  search_exact: number | null;
  /** Whole inspection with exact search (null when it did not run). */
  total_exact: number | null;
  /** Whole inspection with hnsw (null when it did not run). */
  total_hnsw: number | null;
}

/** Speed-up factors: reference time / our time (higher is faster); null where not measured. */
export interface Speedups {
  /** True when the reference times were scaled to our dataset's image counts (not bottle's 209 + 83). */
  reference_scaled: boolean;
  /** Training step time ratio (null unless our batch is the reference's 64). */
  training_step: number | null;
  /** Training pairs/s ratio. */
  training_pairs_per_second: number | null;
  /** Decode + resize. */
  load: number;
  /** Memory-bank embedding (K=64 + K=32). */
  embed_bank: number;
  /** Test embedding (K=64 + K=32). */
  embed_test: number;
  /** Exact search (K=64 + K=32). */
  search_exact: number | null;
  /** Whole inspection, exact search, against the reference's exact-search total. */
  inspection_exact_total: number | null;
  /** Whole inspection with hnsw, against the reference's exact-search total. */
  inspection_hnsw_total: number | null;
}

/**
 * Speed-up factors against {@linkcode REFERENCE}. On another dataset the reference times are scaled
 * to its image counts (load by all images, bank by training images, test by test images, search by
 * their product); a run on bottle itself compares directly.
 *
 * @param ours our measurements
 * @param ref the reference numbers
 * @returns reference time / our time per quantity
 * @example
 * ```ts
 * import { REFERENCE, speedups } from "./reference.ts";
 * const s = speedups({
 *   median_step_seconds: 0.905, pairs_per_second: 282.9, batch_size: 64, num_train: 209, num_test: 83,
 *   load: 6.3, embed_bank: 20.29, embed_test: 8.37, search_exact: 11.71, total_exact: 40.8, total_hnsw: null,
 * }, REFERENCE);
 * s.training_step; // 2
 * ```
 */
export function speedups(ours: OurNumbers, ref: ReferenceNumbers = REFERENCE): Speedups {
  const r = ref.inspection_exact, d = ref.dataset;
  const fTrain = ours.num_train / d.num_train, fTest = ours.num_test / d.num_test;
  const fAll = (ours.num_train + ours.num_test) / (d.num_train + d.num_test);
  const scaled = fTrain !== 1 || fTest !== 1;
  const ratio = (refSeconds: number, our: number | null) => (our !== null && our > 0 ? refSeconds / our : null);
  const load = r.load * fAll, bank = (r.embed_bank_k64 + r.embed_bank_k32) * fTrain;
  const test = (r.embed_test_k64 + r.embed_test_k32) * fTest, search = (r.search_k64 + r.search_k32) * fTrain * fTest;
  const total = scaled ? load + bank + test + search : r.total;
  return {
    reference_scaled: scaled,
    training_step: ours.batch_size === 64 ? ratio(ref.training.median_step_seconds, ours.median_step_seconds) : null,
    training_pairs_per_second: ours.pairs_per_second !== null
      ? ours.pairs_per_second / ref.training.pairs_per_second
      : null,
    load: ratio(load, ours.load) ?? 0,
    embed_bank: ratio(bank, ours.embed_bank) ?? 0,
    embed_test: ratio(test, ours.embed_test) ?? 0,
    search_exact: ratio(search, ours.search_exact),
    inspection_exact_total: ratio(total, ours.total_exact),
    inspection_hnsw_total: ratio(total, ours.total_hnsw),
  };
}
