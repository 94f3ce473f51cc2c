/**
 * Quality of the approximate (hnsw) nearest-neighbour search against the exact one: recall@1
 * on the same queries, and how much longer the approximate distances are.
 *
 * @module
 */

/** One level's comparison of hnsw with exact search. */
export interface RecallStats {
  /** Queries compared. */
  queries: number;
  /** Bank vectors. */
  bank: number;
  /** Fraction of queries whose hnsw neighbour is an exact nearest neighbour (same row, or a distance tie). */
  recall_at_1: number;
  /** Fraction of queries whose hnsw row equals the exact search's row. */
  index_match: number;
  /** Mean of (d_hnsw - d_exact) / d_exact over queries with d_exact > 0. */
  mean_relative_excess: number;
  /** Largest such relative excess. */
  max_relative_excess: number;
  /** "full": every query was searched both ways; "subsample": exact search on a query subsample. */
  exact_source: "full" | "subsample";
}

/** Relative slack below which two distances count as a tie (float32 vs float64 rounding). */
const TIE = 1e-5;

/**
 * Compare approximate and exact neighbours of the same queries.
 *
 * @param approx hnsw distances and rows, one per compared query
 * @param exact exact distances and rows, same queries in the same order
 * @param bank number of bank vectors (recorded)
 * @param source how the exact results were obtained
 * @returns recall@1 and distance excess
 * @example
 * ```ts
 * import { compareNeighbours } from "./nn_quality.ts";
 * const r = compareNeighbours(
 *   { distances: Float32Array.of(1, 2), indices: Uint32Array.of(0, 5) },
 *   { distances: Float32Array.of(1, 1.5), indices: Int32Array.of(0, 3) },
 *   10,
 *   "full",
 * );
 * r.recall_at_1; // 0.5
 * ```
 */
export function compareNeighbours(
  approx: { distances: Float32Array; indices: ArrayLike<number> },
  exact: { distances: Float32Array; indices: ArrayLike<number> },
  bank: number,
  source: RecallStats["exact_source"],
): RecallStats {
  const n = approx.distances.length;
  if (exact.distances.length !== n) {
    throw new RangeError(
      `Expected as many exact results as approximate ones (${n}) but found ${exact.distances.length}`,
    );
  }
  let hits = 0, same = 0, sum = 0, counted = 0, max = 0;
  for (let i = 0; i < n; i++) {
    const da = approx.distances[i], de = exact.distances[i];
    const sameRow = approx.indices[i] === exact.indices[i];
    if (sameRow) same++;
    if (sameRow || da <= de * (1 + TIE) + 1e-12) hits++;
    if (de > 0) {
      const excess = Math.max(0, (da - de) / de);
      sum += excess;
      counted++;
      max = Math.max(max, excess);
    }
  }
  return {
    queries: n,
    bank,
    recall_at_1: n ? hits / n : 1,
    index_match: n ? same / n : 1,
    mean_relative_excess: counted ? sum / counted : 0,
    max_relative_excess: max,
    exact_source: source,
  };
}
