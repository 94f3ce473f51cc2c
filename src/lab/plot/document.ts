/**
 * A linkedom document for @observablehq/plot to draw into, server-side, with a canvas shim so
 * that raster marks and colour-ramp legends work too.
 *
 * @module
 */

import { parseHTML } from "linkedom";
import { CanvasShim } from "./canvas.ts";
import { FONT_FAMILY } from "./figure.ts";

/** The part of a DOM element (linkedom's) that we read from Plot's output. */
export interface PlotElement {
  /** Upper-case tag name for HTML elements, lower-case for SVG ones. */
  readonly tagName: string;
  /** Child elements. */
  readonly children: ArrayLike<PlotElement> & Iterable<PlotElement>;
  /** Concatenated text of the element and its descendants. */
  readonly textContent: string | null;
  /** The element's markup. */
  readonly outerHTML: string;
  /** An attribute's value, or null. */
  getAttribute(name: string): string | null;
  /** Whether the attribute is present. */
  hasAttribute(name: string): boolean;
  /** Set an attribute. */
  setAttribute(name: string, value: string): void;
  /** First descendant matching a CSS selector. */
  querySelector(selector: string): PlotElement | null;
  /** All descendants matching a CSS selector. */
  querySelectorAll(selector: string): Iterable<PlotElement>;
}

/** The part of a DOM document that Plot needs, as far as we type it. */
export interface PlotDocument {
  /** Create an element (a {@linkcode CanvasShim} for `"canvas"`). */
  createElement(name: string): unknown;
}

/**
 * A fresh linkedom `document` whose `createElement("canvas")` returns a {@linkcode CanvasShim}.
 * Pass it as Plot's `document` option.
 *
 * @returns the document
 * @example
 * ```ts
 * import { plotDocument } from "./document.ts";
 * const document = plotDocument();
 * import { CanvasShim } from "./canvas.ts";
 * import { ok } from "node:assert/strict";
 * ok(document.createElement("canvas") instanceof CanvasShim);
 * ```
 */
export function plotDocument(): PlotDocument {
  const { document } = parseHTML("<!DOCTYPE html><html><head></head><body></body></html>") as unknown as {
    document: PlotDocument;
  };
  const createElement = document.createElement.bind(document);
  Object.defineProperty(document, "createElement", {
    value: (name: string) => (name.toLowerCase() === "canvas" ? new CanvasShim() : createElement(name)),
  });
  return document;
}

/**
 * Serialise a Plot-made `<svg>` element, with our font stack in place of Plot's `system-ui`
 * (which librsvg does not know) on it and on any nested `<svg>`.
 *
 * @param svg the element
 * @returns its markup
 */
export function serializeSvg(svg: PlotElement): string {
  for (const element of [svg, ...svg.querySelectorAll("svg")]) {
    if (element.hasAttribute("font-family")) element.setAttribute("font-family", FONT_FAMILY);
    // Plot puts `overflow: visible` on legends in a `:where()` CSS rule, which librsvg ignores.
    if (/-ramp\b/.test(element.getAttribute("class") ?? "")) element.setAttribute("overflow", "visible");
  }
  return svg.outerHTML;
}

/**
 * The size a Plot-made `<svg>` declares with its `width` / `height` attributes (or viewBox).
 *
 * @param svg the element
 * @returns `[width, height]` in px
 * @throws {TypeError} when the element declares no size
 */
export function svgSize(svg: PlotElement): [number, number] {
  const viewBox = (svg.getAttribute("viewBox") ?? "").split(/[\s,]+/).map(Number);
  const width = Number(svg.getAttribute("width") ?? viewBox[2]);
  const height = Number(svg.getAttribute("height") ?? viewBox[3]);
  if (!(width > 0 && height > 0)) {
    throw new TypeError(`Expected an <svg> with a width and height but found ${width} x ${height}`);
  }
  return [width, height];
}
