/**
 * Rendering @observablehq/plot server-side: `renderPlot(options)` runs `Plot.plot` on a
 * linkedom document and returns a {@linkcode Figure}, a standalone SVG that saves as
 * `.svg` + `.png` and displays in Deno's Jupyter kernel.
 *
 * When Plot returns a `<figure>` (a `title`, `subtitle`, `caption` or a legend was asked for),
 * its HTML parts are redrawn as SVG: headings become text, swatch legends become SVG swatches,
 * ramp legends and the plot itself are stacked below one another.
 *
 * @module
 */

import * as Plot from "@observablehq/plot";
import { stack, textBlock } from "./compose.ts";
import { plotDocument, type PlotElement, serializeSvg, svgSize } from "./document.ts";
import { Figure } from "./figure.ts";

/** Options of `Plot.plot` (see @observablehq/plot), without `document`. */
export type PlotOptions = Plot.PlotOptions;
import { swatchLegend } from "./legend.ts";

export { DEFAULT_DPI, Figure, FONT_FAMILY, JUPYTER_DISPLAY, type PngOptions, type SavedFigure } from "./figure.ts";

/**
 * Run `Plot.plot` server-side and return the result as one SVG figure.
 *
 * @param options Plot's options (without `document`, which is supplied)
 * @returns the figure
 * @example
 * ```ts
 * import * as Plot from "@observablehq/plot";
 * import { renderPlot } from "./render.ts";
 * import { ok } from "node:assert/strict";
 * const figure = renderPlot({ title: "Squares", marks: [Plot.dot([1, 2, 3], { x: (d) => d, y: (d) => d * d })] });
 * ok(figure.svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
 * ok(figure.svg.includes(">Squares</text>"));
 * ```
 */
export function renderPlot(options: PlotOptions): Figure {
  const document = plotDocument() as unknown as Plot.PlotOptions["document"];
  const element = Plot.plot({ ...options, document }) as unknown as PlotElement;
  return elementToFigure(element);
}

/**
 * Turn a Plot-made element (an `<svg>`, or a `<figure>` of headings, legends and `<svg>`s)
 * into one SVG figure.
 *
 * @param element what `Plot.plot` or `Plot.legend` returned
 * @returns the figure
 * @throws {TypeError} for an element Plot does not make
 */
export function elementToFigure(element: PlotElement): Figure {
  const tag = element.tagName.toLowerCase();
  if (tag === "svg") {
    const [width, height] = svgSize(element);
    return new Figure(serializeSvg(element), width, height);
  }
  if (tag !== "figure") throw new TypeError(`Expected Plot to return an <svg> or a <figure> but found <${tag}>`);
  const svgs = [...element.children].filter((c) => c.tagName.toLowerCase() === "svg");
  const width = Math.max(...svgs.map((s) => svgSize(s)[0]), 100);
  const parts: Figure[] = [];
  for (const child of element.children) {
    const name = child.tagName.toLowerCase();
    const text = (child.textContent ?? "").trim();
    if (name === "h2") parts.push(textBlock(text, { fontSize: 15, bold: true, maxWidth: width }));
    else if (name === "h3") parts.push(textBlock(text, { fontSize: 11.5, color: "#555", maxWidth: width }));
    else if (name === "figcaption") parts.push(textBlock(text, { fontSize: 10.5, color: "#555", maxWidth: width }));
    else if (name === "svg") parts.push(elementToFigure(child));
    else if (name === "div" && /swatches/.test(child.getAttribute("class") ?? "")) {
      const swatches = [...child.querySelectorAll("span")].filter((s) => /swatch/.test(s.getAttribute("class") ?? ""))
        .map((span) => {
          const icon = span.querySelector("svg");
          if (icon) {
            icon.setAttribute("width", "15");
            icon.setAttribute("height", "15");
          }
          return { label: (span.textContent ?? "").trim(), icon: icon ? serializeSvg(icon) : undefined };
        });
      parts.push(swatchLegend(swatches, width));
    }
  }
  return stack(parts, { direction: "column", gap: 6, padding: 4 });
}
