/** Checks that an HTML page needs nothing outside itself. */

import sharp from "sharp";

/**
 * Every `src`, `href`, `srcset`, `url(...)` or `@import` of a page that is not a data URI or an
 * in-page anchor.
 *
 * @param html the page
 * @returns the offending references (empty for a self-contained page)
 */
export function externalReferences(html: string): string[] {
  const refs = [
    ...html.matchAll(/\b(?:src|href|srcset|poster|data)\s*=\s*["']?([^"'\s>]*)/gi),
    ...html.matchAll(/url\(\s*["']?([^"')]*)/gi),
    ...html.matchAll(/@import\s+["']?([^"';\s]*)/gi),
  ].map((m) => m[1]);
  return refs.filter((r) => !r.startsWith("data:") && !r.startsWith("#"));
}

/**
 * Decode every image data URI of a page (sharp: PNG, JPEG, SVG).
 *
 * @param html the page
 * @returns the format, width and height of each image, in page order
 */
export async function decodeImages(html: string): Promise<{ format: string; width: number; height: number }[]> {
  const out = [];
  for (const m of html.matchAll(/src="data:image\/[a-z+]+;base64,([^"]+)"/g)) {
    const bytes = Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0));
    const meta = await sharp(bytes).metadata();
    out.push({ format: String(meta.format), width: meta.width ?? 0, height: meta.height ?? 0 });
  }
  return out;
}
