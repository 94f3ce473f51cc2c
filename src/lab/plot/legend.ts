/**
 * Legends as SVG figures: swatches (a colour with a shape: bar, dot, line, tick, error bar)
 * and continuous colour ramps (Plot's ramp legend, drawn with the canvas shim).
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { flowRow } from "./compose.ts";
import { plotDocument, type PlotElement, serializeSvg, svgSize } from "./document.ts";
import { escapeXml, Figure, textWidth } from "./figure.ts";

/** Shapes a swatch can take: match the mark it stands for. */
export type SwatchShape =
  | "rect"
  | "dot"
  | "ring"
  | "line"
  | "dash"
  | "tick"
  | "htick"
  | "errorbar"
  | "diamond"
  | "dot-line";

/** One legend entry. */
export interface Swatch {
  /** Text after the swatch. */
  label: string;
  /** CSS colour of the swatch. Default `"#333"`. */
  color?: string;
  /** Shape of the swatch. Default `"rect"`. */
  shape?: SwatchShape;
  /** Raw SVG markup drawn in a 15 x 15 box instead of a shape. */
  icon?: string;
}

const FONT_SIZE = 11;

function icon(shape: SwatchShape, color: string): string {
  switch (shape) {
    case "rect":
      return `<rect x="1" y="1" width="13" height="13" fill="${color}"/>`;
    case "dot":
      return `<circle cx="7.5" cy="7.5" r="4.5" fill="${color}"/>`;
    case "ring":
      return `<circle cx="7.5" cy="7.5" r="4.5" fill="white" stroke="${color}" stroke-width="1.5"/>`;
    case "line":
      return `<line x1="0" y1="7.5" x2="15" y2="7.5" stroke="${color}" stroke-width="2"/>`;
    case "dash":
      return `<line x1="0" y1="7.5" x2="15" y2="7.5" stroke="${color}" stroke-width="1.5" stroke-dasharray="4,3"/>`;
    case "tick":
      return `<line x1="7.5" y1="0" x2="7.5" y2="15" stroke="${color}" stroke-width="2.5"/>`;
    case "dot-line":
      return `<line x1="0" y1="7.5" x2="15" y2="7.5" stroke="${color}" stroke-width="1.5" stroke-dasharray="2,3"/>`;
    case "htick":
      return `<line x1="1" y1="7.5" x2="14" y2="7.5" stroke="${color}" stroke-width="3"/>`;
    case "errorbar":
      return `<path d="M7.5,1V14M4,1H11M4,14H11" fill="none" stroke="${color}" stroke-width="1.5"/>`;
    case "diamond":
      return `<path d="M7.5,1.5L13.5,7.5L7.5,13.5L1.5,7.5Z" fill="${color}" stroke="white" stroke-width="0.75"/>`;
  }
}

/**
 * One legend entry (a 15 x 15 swatch and its label) as a figure.
 *
 * @param swatch the entry
 * @returns the entry
 */
export function swatchEntry(swatch: Swatch): Figure {
  const { label, color = "#333", shape = "rect" } = swatch;
  const body = `<g>${swatch.icon ?? icon(shape, color)}</g>` +
    `<text x="20" y="11.5" font-size="${FONT_SIZE}" fill="#222">${escapeXml(label)}</text>`;
  return new Figure(body, 20 + textWidth(label, FONT_SIZE), 15);
}

/**
 * A swatch legend: entries left to right, wrapping at `maxWidth`.
 *
 * @param swatches the entries
 * @param maxWidth wrap width in px (default 640)
 * @returns the legend
 * @example
 * ```ts
 * import { swatchLegend } from "./legend.ts";
 * import { ok } from "node:assert/strict";
 * const legend = swatchLegend([{ label: "ours", color: "#4269d0" }, { label: "paper", shape: "tick" }]);
 * ok(legend.svg.includes(">paper</text>"));
 * ```
 */
export function swatchLegend(swatches: Swatch[], maxWidth = 640): Figure {
  return flowRow(swatches.map(swatchEntry), maxWidth, 16);
}

/** Options of {@linkcode rampLegend}. */
export interface RampLegendOptions {
  /** Value range shown. */
  domain: [number, number];
  /** d3 colour scheme name (Plot's `scheme`). Default `"turbo"`. */
  scheme?: string;
  /** Legend title. */
  label?: string;
  /** Width in px. Default 240. */
  width?: number;
  /** Tick format (d3-format string). Default Plot's. */
  tickFormat?: string;
  /** Values to mark on the ramp (e.g. a threshold): a line across it and a triangle above. */
  markers?: { value: number; color: string }[];
}

// Geometry of Plot's ramp legend (legends/ramp.js defaults, with our side margins).
const RAMP_MARGIN = 12, RAMP_TOP = 18, RAMP_BAR = 10;

/**
 * A continuous colour ramp legend (Plot's `legend` for a linear colour scale).
 *
 * @param options domain, scheme, title, width
 * @returns the legend
 * @example
 * ```ts
 * import { rampLegend } from "./legend.ts";
 * rampLegend({ domain: [0, 1], label: "anomaly score" }).svg.includes("data:image/png;base64"); // true
 * ```
 */
export function rampLegend(options: RampLegendOptions): Figure {
  const { domain, scheme = "turbo", label, width = 240, tickFormat, markers = [] } = options;
  const legendOptions = {
    document: plotDocument(),
    color: { type: "linear", domain, scheme: scheme as Plot.ColorScheme, label },
    width,
    marginLeft: RAMP_MARGIN,
    marginRight: RAMP_MARGIN,
    ...(tickFormat ? { tickFormat } : {}),
  };
  const svg = Plot.legend(legendOptions as Parameters<typeof Plot.legend>[0]) as unknown as PlotElement;
  const [w, h] = svgSize(svg);
  const span = domain[1] - domain[0] || 1;
  const marks = markers.map(({ value, color }) => {
    const x = RAMP_MARGIN + (Math.min(1, Math.max(0, (value - domain[0]) / span))) * (width - 2 * RAMP_MARGIN);
    const top = RAMP_TOP - 2, bottom = RAMP_TOP + RAMP_BAR + 2;
    return `<path d="M${x},${top}V${bottom}" stroke="${color}" stroke-width="2"/>` +
      `<path d="M${x - 4},${top - 6}H${x + 4}L${x},${top}Z" fill="${color}"/>`;
  });
  return new Figure(serializeSvg(svg) + marks.join(""), w, h);
}
