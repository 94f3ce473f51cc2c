/**
 * Checks shared by the plot tests.
 *
 * @module
 */

import sharp from "sharp";
import type { Figure } from "../../../src/lab/plot/mod.ts";
import { assert, assertEquals } from "../../assert.ts";

/**
 * Assert that a figure is a standalone SVG that librsvg renders at the declared size, and that it
 * contains every given text (as text content, XML-escaped).
 */
export async function assertFigure(figure: Figure, texts: string[] = []): Promise<void> {
  assert(figure.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'), "root <svg> with xmlns");
  assert(figure.svg.includes('xmlns:xlink="http://www.w3.org/1999/xlink"'), "xmlns:xlink on the root");
  assert(figure.svg.includes('font-family="DejaVu Sans'), "our font family");
  assert(!/system-ui/.test(figure.svg.replace(/<style>[^<]*<\/style>/g, "")), "no system-ui font attribute left");
  for (const text of texts) {
    const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&apos;");
    assert(figure.svg.includes(escaped) || figure.svg.includes(text), `expected the figure to contain "${text}"`);
  }
  const meta = await sharp(await figure.toPng({ dpi: 36 })).metadata();
  assertEquals(meta.width, Math.round(figure.width / 2));
}
