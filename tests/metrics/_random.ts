/**
 * Shared test helpers: random binary problems with ties and the O(n^2) AUROC.
 *
 * @module
 */

import type { Rng } from "../../src/util/rng.ts";

/** O(n^2) Mann-Whitney: fraction of (anomalous, normal) pairs ranked right, ties one half. */
export function bruteAuroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0, pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] === 0) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      sum += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      pairs++;
    }
  }
  return sum / pairs;
}

/** Random scores with many ties (few distinct values) and random labels. */
export function randomProblem(rng: Rng, n: number, distinct: number): { scores: Float32Array; labels: Uint8Array } {
  const scores = new Float32Array(n), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = rng.next() < 0.3 ? 1 : 0;
    scores[i] = rng.int(distinct) / 7 - 0.5 + 0.2 * labels[i];
  }
  labels[0] = 1;
  labels[1] = 0;
  return { scores, labels };
}
