import { pca2, symmetricEigen } from "../../../src/lab/plot/mod.ts";
import { assert, assertThrows } from "../../assert.ts";
import { gaussian, seeded } from "./_synthetic.ts";

Deno.test("symmetricEigen() finds the eigenpairs of a symmetric matrix, largest first", () => {
  // [[4, 1, 0], [1, 3, 0], [0, 0, 1]]: eigenvalues (7 ± sqrt 5) / 2 and 1.
  const { values, vectors } = symmetricEigen([4, 1, 0, 1, 3, 0, 0, 0, 1], 3);
  const expected = [(7 + Math.sqrt(5)) / 2, (7 - Math.sqrt(5)) / 2, 1];
  expected.forEach((v, i) => assert(Math.abs(values[i] - v) < 1e-12, `eigenvalue ${i}`));
  // A v = lambda v for each row-vector.
  const a = [4, 1, 0, 1, 3, 0, 0, 0, 1];
  for (let k = 0; k < 3; k++) {
    for (let r = 0; r < 3; r++) {
      let av = 0;
      for (let c = 0; c < 3; c++) av += a[r * 3 + c] * vectors[k * 3 + c];
      assert(Math.abs(av - values[k] * vectors[k * 3 + r]) < 1e-12);
    }
  }
});

/** A random orthonormal basis of R^dim (Gram-Schmidt on Gaussian vectors), as rows. */
function randomBasis(dim: number, rand: () => number): number[][] {
  const basis: number[][] = [];
  while (basis.length < dim) {
    const v = Array.from({ length: dim }, () => gaussian(rand));
    for (const b of basis) {
      const dot = v.reduce((s, x, i) => s + x * b[i], 0);
      for (let i = 0; i < dim; i++) v[i] -= dot * b[i];
    }
    const norm = Math.hypot(...v);
    basis.push(v.map((x) => x / norm));
  }
  return basis;
}

Deno.test("pca2() recovers the principal axes of a synthetic anisotropic Gaussian", () => {
  const dim = 16, n = 20000;
  const rand = seeded(11);
  const axes = randomBasis(dim, rand);
  const stds = Array.from({ length: dim }, (_, i) => (i === 0 ? 5 : i === 1 ? 2 : 0.5));
  const offset = Array.from({ length: dim }, (_, i) => i - 3);
  const embeddings = new Float32Array(n * dim);
  for (let p = 0; p < n; p++) {
    const z = stds.map((s) => s * gaussian(rand));
    for (let d = 0; d < dim; d++) {
      let x = offset[d];
      for (let k = 0; k < dim; k++) x += z[k] * axes[k][d];
      embeddings[p * dim + d] = x;
    }
  }
  const { components, variances, explained, mean, projection } = pca2(embeddings, dim);
  for (let k = 0; k < 2; k++) {
    const cosine = Math.abs(axes[k].reduce((s, x, d) => s + x * components[k * dim + d], 0));
    assert(cosine > 0.999, `axis ${k}: |cos| = ${cosine}`);
    assert(Math.abs(variances[k] / stds[k] ** 2 - 1) < 0.05, `variance ${k}: ${variances[k]}`);
  }
  const total = stds.reduce((s, x) => s + x * x, 0);
  assert(Math.abs(explained[0] - 25 / total) < 0.01);
  for (let d = 0; d < dim; d++) assert(Math.abs(mean[d] - offset[d]) < 0.1);
  // Projections are centred and their variance matches the axis variance.
  let sum = 0, sq = 0;
  for (let p = 0; p < n; p++) (sum += projection[2 * p]), (sq += projection[2 * p] ** 2);
  assert(Math.abs(sum / n) < 1e-3 * 5);
  assert(Math.abs(sq / (n - 1) / variances[0] - 1) < 1e-3);
});

Deno.test("pca2() is deterministic in sign: each axis's largest entry is positive", () => {
  const { components } = pca2(new Float32Array([0, 0, -1, -1.1, -2, -2, -3, -3.2]), 2);
  assert(Math.max(Math.abs(components[0]), Math.abs(components[1])) === Math.max(components[0], components[1]));
});

Deno.test("pca2() rejects dim < 2, ragged input and a single vector", () => {
  assertThrows(() => pca2(new Float32Array(4), 1), RangeError);
  assertThrows(() => pca2(new Float32Array(5), 2), RangeError);
  assertThrows(() => pca2(new Float32Array(2), 2), RangeError);
});
