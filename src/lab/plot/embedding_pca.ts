/**
 * Embeddings projected on their two principal axes, normal and anomalous patches coloured.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { swatchLegend } from "./legend.ts";
import { pca2 } from "./pca.ts";
import { renderPlot } from "./render.ts";

/** Options of {@linkcode embeddingPca}. */
export interface EmbeddingPcaOptions {
  /** Figure title. Default `"Embeddings, first two principal components"`. */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** Most points drawn (evenly spaced within each class; the PCA uses all). Default 4000. */
  maxPoints?: number;
  /** Side of the square plot in px. Default 440. */
  size?: number;
}

const COLORS = { normal: "#4269d0", anomalous: "#e8402c" };

function evenlySpaced(indices: number[], count: number): number[] {
  if (indices.length <= count) return indices;
  return Array.from({ length: count }, (_, i) => indices[Math.floor((i * indices.length) / count)]);
}

/**
 * Scatter of embeddings on their first two principal components (fitted on all of them),
 * normal in blue below anomalous in red, with the explained variance on the axes.
 *
 * @param embeddings `n * dim` vectors, row-major
 * @param dim vector length D
 * @param labels `n` labels: 0 normal, nonzero anomalous
 * @param options title, point budget, size
 * @returns the figure
 * @throws {RangeError} when the number of labels does not match the number of vectors
 * @example
 * ```ts
 * import { embeddingPca } from "./embedding_pca.ts";
 * import { ok } from "node:assert/strict";
 * const e = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.7));
 * const figure = embeddingPca(e, 4, Uint8Array.from({ length: 10 }, (_, i) => i % 2));
 * ok(figure.svg.includes("anomalous"));
 * ```
 */
export function embeddingPca(
  embeddings: Float32Array,
  dim: number,
  labels: Uint8Array,
  options: EmbeddingPcaOptions = {},
): Figure {
  const n = embeddings.length / dim;
  if (labels.length !== n) throw new RangeError(`Expected ${n} labels (one per vector) but found ${labels.length}`);
  const { title = "Embeddings, first two principal components", maxPoints = 4000, size = 440 } = options;
  const { projection, explained } = pca2(embeddings, dim);
  const normal: number[] = [], anomalous: number[] = [];
  for (let i = 0; i < n; i++) (labels[i] ? anomalous : normal).push(i);
  // Keep the classes' proportions but at least a few hundred anomalies when there are that many.
  const anomalousBudget = Math.min(
    anomalous.length,
    Math.max(Math.round((maxPoints * anomalous.length) / n), maxPoints / 4),
  );
  const shown = [
    ...evenlySpaced(normal, Math.max(0, maxPoints - anomalousBudget)).map((i) => ({ i, kind: "normal" })),
    ...evenlySpaced(anomalous, Math.round(anomalousBudget)).map((i) => ({ i, kind: "anomalous" })),
  ].map(({ i, kind }) => ({ pc1: projection[2 * i], pc2: projection[2 * i + 1], kind }));
  const radius = shown.length > 2000 ? 1.6 : 2.4;
  const figure = renderPlot({
    width: size + 20,
    height: size,
    marginLeft: 56,
    marginBottom: 40,
    x: {
      label: `PC1 (${(100 * explained[0]).toFixed(1)}% of variance)`,
      labelAnchor: "center",
      labelArrow: "none",
      grid: true,
    },
    y: {
      label: `PC2 (${(100 * explained[1]).toFixed(1)}% of variance)`,
      labelAnchor: "center",
      labelArrow: "none",
      grid: true,
    },
    color: { domain: ["normal", "anomalous"], range: [COLORS.normal, COLORS.anomalous] },
    marks: [
      Plot.dot(shown.filter((d) => d.kind === "normal"), {
        x: "pc1",
        y: "pc2",
        fill: "kind",
        r: radius,
        fillOpacity: 0.5,
      }),
      Plot.dot(shown.filter((d) => d.kind === "anomalous"), {
        x: "pc1",
        y: "pc2",
        fill: "kind",
        r: radius,
        fillOpacity: 0.7,
      }),
    ],
  });
  const legend = swatchLegend([
    { label: `normal (n = ${normal.length})`, color: COLORS.normal, shape: "dot" },
    { label: `anomalous (n = ${anomalous.length})`, color: COLORS.anomalous, shape: "dot" },
  ], size);
  const drawn = shown.length < n ? `${shown.length} of ${n} points drawn; ` : "";
  return titled(figure, {
    title,
    subtitle: options.subtitle ?? `${drawn}PCA fitted on all ${n} embeddings (D = ${dim}).`,
    legends: [legend],
  });
}
