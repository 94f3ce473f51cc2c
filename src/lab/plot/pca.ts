/**
 * Principal component analysis onto two axes, for looking at embeddings: the D x D covariance
 * (float64) and its eigenvectors by the cyclic Jacobi method (exact, robust to close eigenvalues;
 * D = 64 takes a few milliseconds).
 *
 * @module
 */

/** A two-component PCA of a set of vectors. */
export interface Pca2 {
  /** `n * 2` coordinates on the two components, row-major. */
  projection: Float32Array;
  /** `2 * dim`: the first and second principal axes (unit vectors), row-major. */
  components: Float64Array;
  /** Variance along each of the two axes (the two largest covariance eigenvalues). */
  variances: [number, number];
  /** Fraction of the total variance each axis explains. */
  explained: [number, number];
  /** `dim`: the mean that was subtracted. */
  mean: Float64Array;
}

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations.
 *
 * @param matrix `n * n` symmetric matrix, row-major (not modified)
 * @param n side
 * @returns eigenvalues (descending) and the matching eigenvectors as rows of an `n * n` array
 * @example
 * ```ts
 * import { symmetricEigen } from "./pca.ts";
 * import { ok } from "node:assert/strict";
 * const { values } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * ok(Math.abs(values[0] - 3) < 1e-12);
 * ok(Math.abs(values[1] - 1) < 1e-12);
 * ```
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: Float64Array; vectors: Float64Array } {
  if (matrix.length !== n * n) throw new RangeError(`Expected a ${n} x ${n} matrix but found ${matrix.length} entries`);
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        total += a[i * n + j] ** 2;
        if (i !== j) off += a[i * n + j] ** 2;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        // A <- J^T A J with J the rotation in the (p, q) plane: rows, then columns.
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((col, row) => {
    for (let k = 0; k < n; k++) vectors[row * n + k] = v[k * n + col];
  });
  return { values, vectors };
}

/**
 * Project vectors onto their two principal axes. Each axis's sign is fixed so that its
 * largest-magnitude entry is positive (the result is deterministic).
 *
 * @param embeddings `n * dim` vectors, row-major
 * @param dim vector length D
 * @returns projection, axes, variances, explained fractions and mean
 * @throws {RangeError} when `dim < 2`, fewer than 2 vectors are given, or the length is not a multiple of `dim`
 * @example
 * ```ts
 * import { pca2 } from "./pca.ts";
 * import { ok } from "node:assert/strict";
 * // points along the line y = x: the first axis is (1, 1) / sqrt 2
 * const { components, explained } = pca2(new Float32Array([0, 0, 1, 1, 2, 2, 3, 3.01]), 2);
 * ok(Math.abs(components[0] - Math.SQRT1_2) < 0.01);
 * ok(explained[0] > 0.99);
 * ```
 */
export function pca2(embeddings: Float32Array, dim: number): Pca2 {
  if (!(Number.isInteger(dim) && dim >= 2)) throw new RangeError(`Expected dim to be an integer >= 2 but found ${dim}`);
  if (embeddings.length % dim !== 0) {
    throw new RangeError(`Expected a multiple of dim = ${dim} values but found ${embeddings.length}`);
  }
  const n = embeddings.length / dim;
  if (n < 2) throw new RangeError(`Expected at least 2 vectors for PCA but found ${n}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) mean[d] += embeddings[i * dim + d];
  for (let d = 0; d < dim; d++) mean[d] /= n;
  // [dim, dim] covariance, upper triangle accumulated then mirrored.
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) centred[d] = embeddings[i * dim + d] - mean[d];
    for (let r = 0; r < dim; r++) {
      const x = centred[r];
      for (let c = r; c < dim; c++) cov[r * dim + c] += x * centred[c];
    }
  }
  for (let r = 0; r < dim; r++) {
    for (let c = r; c < dim; c++) cov[c * dim + r] = cov[r * dim + c] /= n - 1;
  }
  const { values, vectors } = symmetricEigen(cov, dim);
  const components = vectors.slice(0, 2 * dim);
  for (let axis = 0; axis < 2; axis++) {
    let largest = 0;
    for (let d = 0; d < dim; d++) {
      if (Math.abs(components[axis * dim + d]) > Math.abs(components[axis * dim + largest])) largest = d;
    }
    if (components[axis * dim + largest] < 0) { for (let d = 0; d < dim; d++) components[axis * dim + d] *= -1; }
  }
  const projection = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    for (let axis = 0; axis < 2; axis++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (embeddings[i * dim + d] - mean[d]) * components[axis * dim + d];
      projection[i * 2 + axis] = s;
    }
  }
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0) || 1;
  const variances: [number, number] = [Math.max(values[0], 0), Math.max(values[1], 0)];
  return { projection, components, variances, explained: [variances[0] / total, variances[1] / total], mean };
}
