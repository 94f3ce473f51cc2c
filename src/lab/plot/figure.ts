/**
 * The `Figure` every figure function returns: a standalone SVG document (with its size), which
 * saves itself as `.svg` + `.png` and displays itself in Deno's Jupyter kernel.
 *
 * @module
 */

import sharp from "sharp";
import { dirname } from "node:path";

/** Font stack used by every figure: DejaVu Sans is installed with fontconfig on our machines. */
export const FONT_FAMILY = "DejaVu Sans, Verdana, sans-serif";

/** Default PNG resolution of {@linkcode Figure.save}: 180 dpi, i.e. 2.5 PNG pixels per SVG pixel. */
export const DEFAULT_DPI = 180;

/**
 * Escape text for use in SVG/XML content or attribute values.
 *
 * @param text raw text
 * @returns the text with `&`, `<`, `>`, `"` and `'` escaped
 * @example
 * ```ts
 * import { escapeXml } from "./figure.ts";
 * escapeXml("L_SVDD' < 1 & more"); // "L_SVDD&apos; &lt; 1 &amp; more"
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/**
 * Rough width of a line of text in DejaVu Sans (0.62 em per character, bold 0.68), for layout:
 * generous, so that boxes sized from it do not clip.
 *
 * @param text the text
 * @param fontSize font size in px
 * @param bold whether the text is bold
 * @returns estimated width in px
 * @example
 * ```ts
 * import { textWidth } from "./figure.ts";
 * textWidth("abcd", 10); // 24.8
 * ```
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  return text.length * fontSize * (bold ? 0.68 : 0.62);
}

/**
 * The symbol Deno's Jupyter kernel looks up for rich display: `Symbol.for("Jupyter.display")`.
 * A method under it returns a MIME bundle.
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** Where {@linkcode Figure.save} wrote the two files. */
export interface SavedFigure {
  /** Path of the `.svg` file. */
  svg: string;
  /** Path of the `.png` file. */
  png: string;
}

/** Options of {@linkcode Figure.toPng} and {@linkcode Figure.save}. */
export interface PngOptions {
  /** Rendering resolution (the SVG is taken as 72 dpi); the PNG is `Math.round(width * dpi / 72)` wide. Default 180. */
  dpi?: number;
}

/**
 * A rendered figure: an SVG document of known size.
 *
 * - `.svg` is a standalone document: root `<svg>` with `xmlns` and `xmlns:xlink`, a white
 *   background and the {@linkcode FONT_FAMILY} font stack.
 * - `save(path)` writes `path.svg` and `path.png` (PNG via sharp/librsvg on white).
 * - In Deno's Jupyter kernel, a `Figure` as a cell's value displays as SVG.
 *
 * @example
 * ```ts
 * import { Figure, JUPYTER_DISPLAY } from "./figure.ts";
 * import { ok, strictEqual } from "node:assert/strict";
 * const figure = new Figure('<circle cx="10" cy="10" r="5"/>', 20, 20);
 * ok(figure.svg.includes('xmlns="http://www.w3.org/2000/svg"'));
 * strictEqual(figure[JUPYTER_DISPLAY]()["image/svg+xml"], figure.svg);
 * ```
 */
export class Figure {
  /** The standalone SVG document. */
  readonly svg: string;
  /** SVG markup of the content, without the root element. */
  readonly body: string;
  /** Width in px (SVG user units), rounded to 0.01. */
  readonly width: number;
  /** Height in px (SVG user units), rounded to 0.01. */
  readonly height: number;

  /**
   * Wrap SVG content of the given size.
   *
   * @param body SVG markup of the content, in a `width x height` px coordinate system
   * @param width width in px
   * @param height height in px
   */
  constructor(body: string, width: number, height: number) {
    if (!(width > 0 && height > 0)) {
      throw new RangeError(`Expected a positive figure size but found ${width} x ${height}`);
    }
    const w = round(width), h = round(height);
    this.body = body;
    this.width = w;
    this.height = h;
    this.svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" ` +
      `width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${FONT_FAMILY}" font-size="10">` +
      `<rect width="100%" height="100%" fill="white"/>${body}</svg>`;
  }

  /**
   * Render to PNG on a white background.
   *
   * @param options resolution
   * @returns PNG bytes, `Math.round(width * dpi / 72)` px wide
   */
  async toPng(options: PngOptions = {}): Promise<Uint8Array> {
    const dpi = options.dpi ?? DEFAULT_DPI;
    if (!(dpi > 0)) throw new RangeError(`Expected dpi > 0 but found ${dpi}`);
    const buffer = await sharp(new TextEncoder().encode(this.svg), { density: dpi })
      .flatten({ background: "#ffffff" })
      .png()
      .toBuffer();
    return new Uint8Array(buffer);
  }

  /**
   * Write `<path>.svg` and `<path>.png`, creating the folder if needed.
   *
   * @param path output path without extension, or ending in `.svg` or `.png`
   * @param options PNG resolution
   * @returns the two paths written
   */
  async save(path: string, options: PngOptions = {}): Promise<SavedFigure> {
    const stem = path.replace(/\.(svg|png)$/i, "");
    const out = { svg: `${stem}.svg`, png: `${stem}.png` };
    await Deno.mkdir(dirname(out.svg), { recursive: true });
    await Deno.writeTextFile(out.svg, this.svg);
    await Deno.writeFile(out.png, await this.toPng(options));
    return out;
  }

  /** Rich display in Deno's Jupyter kernel: the SVG. */
  [JUPYTER_DISPLAY](): { "image/svg+xml": string } {
    return { "image/svg+xml": this.svg };
  }

  /** This figure as an element placed at (x, y) inside another figure's body. */
  placeAt(x: number, y: number): string {
    return `<g transform="translate(${round(x)},${round(y)})">${this.body}</g>`;
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
