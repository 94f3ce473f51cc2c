/**
 * Anomaly-map panels in the manner of anomalib's visualiser: the image; the ground truth as a
 * contour; the anomaly map as a heatmap over the image with its colour scale; the predicted
 * mask (map >= threshold) as a contour over the image; the image's score in the title.
 * A gallery stacks several panels on one shared colour scale (e.g. best and worst cases).
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { parseColor } from "./canvas.ts";
import { grid, stack, textBlock, titled } from "./compose.ts";
import type { Figure } from "./figure.ts";
import { rampLegend, swatchLegend } from "./legend.ts";
import { pngDataUri } from "./png.ts";
import { renderPlot } from "./render.ts";
import { GROUND_TRUTH_COLOR, PREDICTION_COLOR } from "./theme.ts";

/** One test image with its anomaly map: the record the inspection stage produces. */
export interface AnomalyMapItem {
  /** `size * size * 3` RGB, row-major, values 0..255. */
  image: Uint8Array | Float32Array;
  /** `size * size` anomaly map, higher = more anomalous. */
  map: Float32Array;
  /** `size * size` ground-truth mask (nonzero = defect), or null when there is none (normal image). */
  mask: Uint8Array | null;
  /** Image side S in pixels. */
  size: number;
  /** Image-level anomaly score (max of the map). */
  score: number;
  /** Pixel threshold of the predicted mask (e.g. the F1-max threshold). */
  threshold: number;
  /** Panel title, e.g. `"bottle/broken_large/003"`. */
  title?: string;
  /** Colour-scale range of the map; default the map's own min..max (a gallery shares one). */
  mapRange?: [number, number];
}

/** Options of {@linkcode anomalyMapPanel}. */
export interface AnomalyMapPanelOptions {
  /** Title font size in px. Default 15 (a gallery uses 13). */
  titleSize?: number;
  /** Side of each image in px. Default 200. */
  panelSize?: number;
  /** d3 colour scheme of the heatmap. Default `"turbo"`. */
  scheme?: string;
  /** Opacity of the heatmap over the image, 0..1. Default 0.5. */
  heatmapOpacity?: number;
  /** Whether to draw the legend of contour colours under the panel. Default true. */
  legend?: boolean;
}

function checkItem(item: AnomalyMapItem): void {
  const pixels = item.size * item.size;
  if (!(Number.isInteger(item.size) && item.size > 0)) {
    throw new RangeError(`Expected size to be a positive integer but found ${item.size}`);
  }
  if (item.image.length !== pixels * 3) {
    throw new RangeError(
      `Expected ${item.size} x ${item.size} x 3 = ${pixels * 3} image values but found ${item.image.length}`,
    );
  }
  if (item.map.length !== pixels) throw new RangeError(`Expected ${pixels} map values but found ${item.map.length}`);
  if (item.mask && item.mask.length !== pixels) {
    throw new RangeError(`Expected ${pixels} mask values but found ${item.mask.length}`);
  }
}

/**
 * Minimum and maximum of a map, ignoring non-finite values.
 *
 * @param map the values
 * @returns `[min, max]`, widened to `[min, min + 1]` for a constant map
 * @example
 * ```ts
 * import { mapExtent } from "./anomaly_map.ts";
 * mapExtent(new Float32Array([0.2, 0.9, 0.5])); // [0.2, 0.9] (to float32 precision)
 * ```
 */
export function mapExtent(map: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(lo <= hi)) return [0, 1];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

/**
 * A 256-entry RGB lookup table of a d3 colour scheme.
 *
 * @param scheme scheme name (e.g. `"turbo"`, `"viridis"`)
 * @returns `256 * 3` bytes
 */
export function colormapTable(scheme: string): Uint8Array {
  const scale = Plot.scale({ color: { type: "linear", scheme: scheme as Plot.ColorScheme, domain: [0, 255] } });
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) table.set(parseColor(String(scale.apply(i))).slice(0, 3), i * 3);
  return table;
}

/**
 * RGBA pixels of an image with an optional heatmap blended over it.
 *
 * @param image `S * S * 3` RGB 0..255
 * @param heat optional `{ map, range, table, opacity }` to blend: colour = table(map scaled to range)
 * @returns `S * S * 4` RGBA bytes
 */
export function blendHeatmap(
  image: ArrayLike<number>,
  heat?: { map: ArrayLike<number>; range: [number, number]; table: Uint8Array; opacity: number },
): Uint8Array {
  const n = image.length / 3;
  const out = new Uint8Array(n * 4);
  const [lo, hi] = heat?.range ?? [0, 1];
  const span = hi - lo || 1;
  for (let i = 0; i < n; i++) {
    let level = 0, alpha = 0;
    if (heat) {
      const v = heat.map[i];
      level = Math.round(255 * Math.min(1, Math.max(0, ((Number.isFinite(v) ? v : lo) - lo) / span)));
      alpha = heat.opacity;
    }
    for (let c = 0; c < 3; c++) {
      const base = Math.min(255, Math.max(0, image[i * 3 + c]));
      out[i * 4 + c] = Math.round((1 - alpha) * base + alpha * (heat ? heat.table[level * 3 + c] : 0));
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** One square image with contours, as a Plot figure (no axes), `px` pixels wide. */
function imagePlot(
  rgba: Uint8Array,
  size: number,
  px: number,
  contours: { values: ArrayLike<number>; threshold: number; stroke: string; fill?: string; width: number }[],
): Figure {
  const extent = { width: size, height: size, x1: 0, y1: 0, x2: size, y2: size };
  return renderPlot({
    width: px,
    height: px,
    margin: 0,
    x: { domain: [0, size], axis: null },
    y: { domain: [0, size], axis: null, reverse: true },
    marks: [
      Plot.image([0], {
        frameAnchor: "middle",
        width: px,
        height: px,
        src: pngDataUri(rgba, size, size),
        preserveAspectRatio: "none",
        imageRendering: size < px ? "pixelated" : "auto",
      }),
      ...contours.map((c) =>
        Plot.contour(Array.from(c.values), {
          ...extent,
          thresholds: [c.threshold],
          stroke: c.stroke,
          strokeWidth: c.width,
          fill: c.fill ?? "none",
          fillOpacity: 0.25,
          smooth: true,
        })
      ),
      Plot.frame({ stroke: "#666" }),
    ],
  });
}

function caption(text: string, px: number): Figure {
  return textBlock(text, { fontSize: 11.5, bold: true, maxWidth: px, anchor: "middle" });
}

/** The contour-colour legend shared by panels and galleries. */
function contourLegend(width: number): Figure {
  return swatchLegend([
    { label: "ground-truth defect", color: GROUND_TRUTH_COLOR, shape: "line" },
    { label: "predicted mask (map ≥ threshold)", color: PREDICTION_COLOR, shape: "line" },
  ], width);
}

/**
 * Four views of one test image side by side: the image; the ground truth (green contour);
 * the anomaly map over the image with its colour scale; the predicted mask (red contour,
 * map >= threshold) with the ground truth. The image score and threshold are in the title.
 *
 * @param item the image, map, mask, score and threshold
 * @param options panel size, colour scheme, heatmap opacity
 * @returns the figure
 * @throws {RangeError} when array lengths disagree with `size`
 * @example
 * ```ts
 * import { anomalyMapPanel } from "./anomaly_map.ts";
 * import { ok } from "node:assert/strict";
 * const size = 8, map = Float32Array.from({ length: 64 }, (_, i) => i / 64);
 * const figure = anomalyMapPanel({
 *   image: new Uint8Array(size * size * 3).fill(128), map, mask: null, size, score: 0.98, threshold: 0.5,
 * });
 * ok(figure.svg.includes("score 0.980"));
 * ```
 */
export function anomalyMapPanel(item: AnomalyMapItem, options: AnomalyMapPanelOptions = {}): Figure {
  checkItem(item);
  const { panelSize = 200, scheme = "turbo", heatmapOpacity = 0.5, legend = true } = options;
  const { size, mask, map } = item;
  const range = item.mapRange ?? mapExtent(map);
  const maskValues = mask ? Float32Array.from(mask, (v) => (v ? 1 : 0)) : null;
  const defective = maskValues !== null && maskValues.some((v) => v > 0);
  const plain = blendHeatmap(item.image);
  const heated = blendHeatmap(item.image, { map, range, table: colormapTable(scheme), opacity: heatmapOpacity });
  const groundTruth = defective ? [{ values: maskValues!, threshold: 0.5, stroke: GROUND_TRUTH_COLOR, width: 2 }] : [];
  const predicted = {
    values: map,
    threshold: item.threshold,
    stroke: PREDICTION_COLOR,
    fill: PREDICTION_COLOR,
    width: 2,
  };
  const columns = [
    [caption("Image", panelSize), imagePlot(plain, size, panelSize, [])],
    [
      caption(defective ? "Ground truth" : "Ground truth: no defect", panelSize),
      imagePlot(plain, size, panelSize, groundTruth),
    ],
    [
      caption("Anomaly map", panelSize),
      imagePlot(heated, size, panelSize, []),
      rampLegend({
        domain: range,
        scheme,
        label: "anomaly score (▼ threshold)",
        width: panelSize,
        markers: [{ value: item.threshold, color: PREDICTION_COLOR }],
      }),
    ],
    [
      caption("Predicted mask", panelSize),
      imagePlot(plain, size, panelSize, [predicted, ...groundTruth.map((g) => ({ ...g, width: 1.25 }))]),
    ],
  ].map((parts) => stack(parts, { gap: 4 }));
  const row = stack(columns, { direction: "row", gap: 10 });
  const title = `${item.title ? `${item.title}: ` : ""}score ${formatScore(item.score)} (pixel threshold ${
    formatScore(item.threshold)
  })`;
  return titled(row, {
    title,
    legends: legend ? [contourLegend(row.width)] : [],
    padding: 6,
    titleSize: options.titleSize ?? 15,
  });
}

function formatScore(v: number): string {
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(3) : v.toExponential(2);
}

/** Options of {@linkcode anomalyMapGallery}. */
export interface AnomalyMapGalleryOptions extends AnomalyMapPanelOptions {
  /** Panels per row. Default 1. */
  columns?: number;
  /** Gallery title. */
  title?: string;
  /** Line under the title. */
  subtitle?: string;
  /** Colour-scale range shared by all panels; default the range over all maps (items' own `mapRange` win). */
  mapRange?: [number, number];
}

/**
 * Several anomaly-map panels in a grid, on one shared colour scale so that maps compare.
 *
 * @param items the images (e.g. the best and worst cases)
 * @param options columns, title, shared range, panel options
 * @returns the figure
 * @throws {RangeError} when `items` is empty
 */
export function anomalyMapGallery(items: AnomalyMapItem[], options: AnomalyMapGalleryOptions = {}): Figure {
  if (items.length === 0) throw new RangeError("Expected at least one anomaly-map item but found none");
  const { columns = 1, title, subtitle } = options;
  let shared = options.mapRange;
  if (!shared) {
    const extents = items.map((it) => mapExtent(it.map));
    shared = [Math.min(...extents.map((e) => e[0])), Math.max(...extents.map((e) => e[1]))];
  }
  const panels = items.map((item) =>
    anomalyMapPanel({ ...item, mapRange: item.mapRange ?? shared }, { titleSize: 13, ...options, legend: false })
  );
  const body = grid(panels, columns, 12);
  return titled(body, {
    title,
    subtitle: subtitle ?? `Shared colour scale ${formatScore(shared[0])} .. ${formatScore(shared[1])}.`,
    legends: [contourLegend(body.width)],
  });
}
