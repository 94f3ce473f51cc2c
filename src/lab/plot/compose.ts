/**
 * Composing figures: stacking in a row or a column, a grid, and titles / captions as SVG text
 * (Plot's own title and caption are HTML, which an SVG file cannot hold).
 *
 * @module
 */

import { escapeXml, Figure, textWidth } from "./figure.ts";

/** Options of {@linkcode stack}. */
export interface StackOptions {
  /** `"row"` places figures left to right, `"column"` top to bottom. Default `"column"`. */
  direction?: "row" | "column";
  /** Space between figures in px. Default 8. */
  gap?: number;
  /** Alignment across the stacking direction. Default `"start"`. */
  align?: "start" | "center";
  /** Padding around the whole stack in px. Default 0. */
  padding?: number;
}

/**
 * Place figures one after another in a row or a column.
 *
 * @param figures the figures, in order
 * @param options direction, gap, alignment, padding
 * @returns one figure holding them all
 * @throws {RangeError} when `figures` is empty
 * @example
 * ```ts
 * import { Figure } from "./figure.ts";
 * import { stack } from "./compose.ts";
 * import { strictEqual } from "node:assert/strict";
 * const a = new Figure("", 10, 20), b = new Figure("", 30, 5);
 * const row = stack([a, b], { direction: "row", gap: 2 });
 * strictEqual(row.width, 42);
 * strictEqual(row.height, 20);
 * ```
 */
export function stack(figures: Figure[], options: StackOptions = {}): Figure {
  if (figures.length === 0) throw new RangeError("Expected at least one figure to stack but found none");
  const { direction = "column", gap = 8, align = "start", padding = 0 } = options;
  const row = direction === "row";
  const across = Math.max(...figures.map((f) => (row ? f.height : f.width)));
  let along = 0;
  const parts: string[] = [];
  for (const [i, f] of figures.entries()) {
    if (i > 0) along += gap;
    const size = row ? f.height : f.width;
    const offset = align === "center" ? (across - size) / 2 : 0;
    parts.push(row ? f.placeAt(padding + along, padding + offset) : f.placeAt(padding + offset, padding + along));
    along += row ? f.width : f.height;
  }
  const [w, h] = row ? [along, across] : [across, along];
  return new Figure(parts.join(""), w + 2 * padding, h + 2 * padding);
}

/**
 * Lay figures out in a grid, row by row; each cell is as large as the largest figure.
 *
 * @param figures the figures, in reading order
 * @param columns figures per row
 * @param gap space between cells in px (default 8)
 * @returns one figure holding them all
 */
export function grid(figures: Figure[], columns: number, gap = 8): Figure {
  if (!(Number.isInteger(columns) && columns > 0)) {
    throw new RangeError(`Expected columns to be a positive integer but found ${columns}`);
  }
  const rows: Figure[] = [];
  for (let i = 0; i < figures.length; i += columns) {
    rows.push(stack(figures.slice(i, i + columns), { direction: "row", gap }));
  }
  return stack(rows, { direction: "column", gap });
}

/** Options of {@linkcode textBlock}. */
export interface TextOptions {
  /** Font size in px. Default 12. */
  fontSize?: number;
  /** Bold text. Default false. */
  bold?: boolean;
  /** Text colour. Default `"#222"`. */
  color?: string;
  /** Wrap lines longer than this many px at spaces. Default: no wrapping. */
  maxWidth?: number;
  /** Horizontal alignment within `maxWidth` (or the text's own width). Default `"start"`. */
  anchor?: "start" | "middle";
}

/**
 * Wrap text at spaces so that every line fits `maxWidth` (by {@linkcode textWidth}'s estimate).
 *
 * @param text the text (newlines force breaks)
 * @param maxWidth line width in px
 * @param fontSize font size in px
 * @param bold whether the text is bold
 * @returns the lines
 * @example
 * ```ts
 * import { wrapText } from "./compose.ts";
 * wrapText("aaaa bbbb cccc", 60, 10); // ["aaaa bbbb", "cccc"]
 * ```
 */
export function wrapText(text: string, maxWidth: number, fontSize: number, bold = false): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      const candidate = line === "" ? word : `${line} ${word}`;
      if (line !== "" && textWidth(candidate, fontSize, bold) > maxWidth) {
        lines.push(line);
        line = word;
      } else line = candidate;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * A block of (possibly wrapped) text as a figure, e.g. a title or a caption.
 *
 * @param text the text
 * @param options size, weight, colour, wrapping
 * @returns the text as a figure
 */
export function textBlock(text: string, options: TextOptions = {}): Figure {
  const { fontSize = 12, bold = false, color = "#222", maxWidth, anchor = "start" } = options;
  const lines = maxWidth === undefined ? text.split("\n") : wrapText(text, maxWidth, fontSize, bold);
  const width = maxWidth ?? Math.max(1, ...lines.map((l) => textWidth(l, fontSize, bold)));
  const lineHeight = fontSize * 1.25;
  const x = anchor === "middle" ? width / 2 : 0;
  const body = lines.map((line, i) =>
    `<text x="${x}" y="${(i + 0.8) * lineHeight}" font-size="${fontSize}" fill="${color}" text-anchor="${anchor}"${
      bold ? ' font-weight="bold"' : ""
    }>${escapeXml(line)}</text>`
  ).join("");
  return new Figure(body, width, lines.length * lineHeight + fontSize * 0.25);
}

/** Options of {@linkcode titled}. */
export interface TitleOptions {
  /** Bold title above the figure. */
  title?: string;
  /** Grey line below the title. */
  subtitle?: string;
  /** Small grey text below the figure. */
  caption?: string;
  /** Figures placed between the subtitle and the figure (legends), in a wrapped row. */
  legends?: Figure[];
  /** Padding around everything in px. Default 8. */
  padding?: number;
  /** Title font size in px. Default 15 (use ~12.5 for the panels of a larger figure). */
  titleSize?: number;
}

/**
 * Add a title, subtitle, legends and caption around a figure.
 *
 * @param figure the figure
 * @param options texts, legends, padding
 * @returns the annotated figure
 * @example
 * ```ts
 * import { Figure } from "./figure.ts";
 * import { titled } from "./compose.ts";
 * titled(new Figure("", 200, 100), { title: "AUROC" }).svg.includes(">AUROC</text>"); // true
 * ```
 */
export function titled(figure: Figure, options: TitleOptions): Figure {
  const { title, subtitle, caption, legends = [], padding = 8, titleSize = 15 } = options;
  const width = figure.width;
  const parts: Figure[] = [];
  if (title) parts.push(textBlock(title, { fontSize: titleSize, bold: true, maxWidth: width }));
  if (subtitle) parts.push(textBlock(subtitle, { fontSize: 11.5, color: "#555", maxWidth: width }));
  if (legends.length > 0) parts.push(flowRow(legends, width, 18));
  parts.push(figure);
  if (caption) parts.push(textBlock(caption, { fontSize: 10.5, color: "#555", maxWidth: width }));
  return stack(parts, { direction: "column", gap: 6, padding });
}

/**
 * Place figures left to right, wrapping to a new row when `maxWidth` would be exceeded.
 *
 * @param figures the figures (e.g. legend entries)
 * @param maxWidth row width in px
 * @param gap horizontal gap in px
 * @returns the wrapped rows as one figure
 */
export function flowRow(figures: Figure[], maxWidth: number, gap = 12): Figure {
  const rows: Figure[][] = [[]];
  let used = 0;
  for (const f of figures) {
    const row = rows[rows.length - 1];
    if (row.length > 0 && used + gap + f.width > maxWidth) {
      rows.push([f]);
      used = f.width;
    } else {
      used += (row.length > 0 ? gap : 0) + f.width;
      row.push(f);
    }
  }
  return stack(rows.map((r) => stack(r, { direction: "row", gap, align: "center" })), { gap: 4 });
}
