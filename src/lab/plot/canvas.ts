/**
 * Just enough of an HTML canvas for @observablehq/plot to run server-side: linkedom has no
 * canvas, and Plot draws raster marks (`createImageData` / `putImageData`) and colour-ramp
 * legends (`fillStyle` / `fillRect`) on one before embedding it as `canvas.toDataURL()`.
 *
 * @module
 */

import { pngDataUri } from "./png.ts";

/** RGBA pixel buffer as returned by `createImageData`. */
export interface ImageDataLike {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height * 4` bytes, row-major RGBA. */
  data: Uint8ClampedArray;
}

const NAMED: Record<string, [number, number, number]> = {
  black: [0, 0, 0],
  white: [255, 255, 255],
  red: [255, 0, 0],
  green: [0, 128, 0],
  blue: [0, 0, 255],
  gray: [128, 128, 128],
  grey: [128, 128, 128],
};

/**
 * Parse a CSS colour as written by d3's interpolators (`rgb(r, g, b)`, `rgba(r, g, b, a)`,
 * `#rrggbb`, `#rgb`) or a few names, to RGBA bytes.
 *
 * @param color the CSS colour string
 * @returns `[r, g, b, a]`, each 0..255
 * @throws {TypeError} for a colour it does not understand
 * @example
 * ```ts
 * import { parseColor } from "./canvas.ts";
 * parseColor("rgb(10, 20, 30)"); // [10, 20, 30, 255]
 * parseColor("#ff8000"); // [255, 128, 0, 255]
 * ```
 */
export function parseColor(color: string): [number, number, number, number] {
  const s = color.trim().toLowerCase();
  const functional = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)$/.exec(s);
  if (functional) {
    const alpha = functional[4] === undefined
      ? 1
      : functional[4].endsWith("%")
      ? parseFloat(functional[4]) / 100
      : parseFloat(functional[4]);
    return [+functional[1], +functional[2], +functional[3], Math.round(alpha * 255)];
  }
  if (/^#[0-9a-f]{6}$/.test(s)) {
    return [parseInt(s.slice(1, 3), 16), parseInt(s.slice(3, 5), 16), parseInt(s.slice(5, 7), 16), 255];
  }
  if (/^#[0-9a-f]{3}$/.test(s)) return [...[1, 2, 3].map((i) => parseInt(s[i] + s[i], 16)), 255] as never;
  if (s in NAMED) return [...NAMED[s], 255];
  throw new TypeError(`Expected a CSS colour like "rgb(r, g, b)" or "#rrggbb" but found "${color}"`);
}

/** The subset of `CanvasRenderingContext2D` that Plot uses. */
export class Context2dShim {
  /** Current fill colour (CSS string). */
  fillStyle = "black";
  /** Backing pixels, RGBA. */
  pixels: Uint8ClampedArray;

  /**
   * A context drawing into the canvas's pixels.
   *
   * @param canvas the owning canvas, read for its size
   */
  constructor(private readonly canvas: CanvasShim) {
    this.pixels = new Uint8ClampedArray(canvas.width * canvas.height * 4);
  }

  /** Allocate a transparent pixel buffer. */
  createImageData(width: number, height: number): ImageDataLike {
    return { width, height, data: new Uint8ClampedArray(width * height * 4) };
  }

  /** Copy an image buffer onto the canvas at (dx, dy). */
  putImageData(image: ImageDataLike, dx: number, dy: number): void {
    this.resize();
    const { width, height } = this.canvas;
    for (let y = 0; y < image.height; y++) {
      const ty = y + dy;
      if (ty < 0 || ty >= height) continue;
      for (let x = 0; x < image.width; x++) {
        const tx = x + dx;
        if (tx < 0 || tx >= width) continue;
        const s = (y * image.width + x) * 4, t = (ty * width + tx) * 4;
        for (let c = 0; c < 4; c++) this.pixels[t + c] = image.data[s + c];
      }
    }
  }

  /** Fill an axis-aligned rectangle with `fillStyle` (no blending, no transforms). */
  fillRect(x: number, y: number, w: number, h: number): void {
    this.resize();
    const rgba = parseColor(this.fillStyle);
    const { width, height } = this.canvas;
    for (let ty = Math.max(0, Math.round(y)); ty < Math.min(height, Math.round(y + h)); ty++) {
      for (let tx = Math.max(0, Math.round(x)); tx < Math.min(width, Math.round(x + w)); tx++) {
        this.pixels.set(rgba, (ty * width + tx) * 4);
      }
    }
  }

  /** Reallocate (transparent) pixels when the canvas size changed since the last call. */
  private resize(): void {
    const n = this.canvas.width * this.canvas.height * 4;
    if (this.pixels.length !== n) this.pixels = new Uint8ClampedArray(n);
  }
}

/** The subset of `HTMLCanvasElement` that Plot uses; `toDataURL()` encodes a PNG. */
export class CanvasShim {
  /** Width in pixels. */
  width = 300;
  /** Height in pixels. */
  height = 150;
  private context: Context2dShim | undefined;

  /** The 2-D context (the only kind supported). */
  getContext(kind: string): Context2dShim | null {
    if (kind !== "2d") return null;
    return this.context ??= new Context2dShim(this);
  }

  /** The canvas as a `data:image/png;base64,...` URI. */
  toDataURL(): string {
    const context = this.getContext("2d")!;
    if (context.pixels.length !== this.width * this.height * 4) context.fillRect(0, 0, 0, 0); // resize, transparent
    return pngDataUri(context.pixels, this.width, this.height);
  }
}
