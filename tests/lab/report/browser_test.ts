/**
 * A run report opened in a real headless browser (Debian's `chromium`): it loads without console
 * errors and its images render (the gallery's colour map shows up in the screenshot). Skipped,
 * with the reason printed, where `chromium` is not installed (`apt-get install -y chromium`).
 */

import sharp from "sharp";
import { join } from "node:path";
import { assert, assertEquals } from "../../assert.ts";
import type { MetricsRecord } from "../../../src/inspect/report.ts";
import { anomalyMapGallery } from "../../../src/lab/plot/anomaly_map.ts";
import { rocCurves } from "../../../src/lab/plot/roc_curves.ts";
import { runReportHtml } from "../../../src/lab/report/html.ts";
import { jpegFigure, svgFigure } from "../../../src/lab/report/write.ts";

const chromium = await (async () => {
  try {
    return (await new Deno.Command("chromium", { args: ["--version"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false; // not installed: spawning throws NotFound
  }
})();
if (!chromium) console.log("skipping the browser test: chromium is not installed (apt-get install -y chromium)");

/** Saturated pixels (max - min channel > 100) of an RGBA screenshot: the turbo colour map, not text. */
function saturatedPixels(rgba: Uint8Array, channels: number): number {
  let n = 0;
  for (let i = 0; i < rgba.length; i += channels) {
    const r = rgba[i], g = rgba[i + 1], b = rgba[i + 2];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 100) n++;
  }
  return n;
}

async function page(withImages: boolean): Promise<string> {
  const size = 32;
  const map = Float32Array.from({ length: size * size }, (_, i) => (i % size) / size); // a left-to-right ramp
  const image = new Uint8Array(size * size * 3).fill(128);
  const gallery = anomalyMapGallery([{ image, map, mask: null, size, score: 1, threshold: 0.5, title: "ramp" }]);
  const roc = rocCurves([{ name: "k64", fpr: [0, 0.5, 1], tpr: [0, 0.9, 1], auc: 0.7 }], { size: 240 });
  const metrics: MetricsRecord = {
    category: "bottle",
    masks: "ground_truth",
    image_auroc: { mult: 0.9 },
    pixel_auroc: { mult: 0.95 },
    aupro: 0.8,
    f1_max: { image: 0.9, pixel: 0.5, image_threshold: 1, pixel_threshold: 1 },
    per_defect_image_auroc: {},
    main: "mult",
    timing_s: {},
    config: {},
  };
  const figures = withImages ? [svgFigure(roc, "ROC", "roc"), await jpegFigure(gallery, "cases", "cases")] : [];
  return runReportHtml({ run: "runs/x", metrics, figures, generatedAt: "now" });
}

async function screenshot(html: string, dir: string): Promise<{ stderr: string; rgba: Uint8Array; channels: number }> {
  const file = join(dir, `page-${crypto.randomUUID()}.html`), shot = `${file}.png`;
  await Deno.writeTextFile(file, html);
  const out = await new Deno.Command("chromium", {
    args: [
      ...["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
      ...["--disable-background-networking", "--disable-component-update", "--disable-sync"],
      `--user-data-dir=${join(dir, "profile")}`,
      ...["--enable-logging=stderr", "--v=0", "--window-size=1100,1400", `--screenshot=${shot}`, `file://${file}`],
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  const { data, info } = await sharp(await Deno.readFile(shot)).raw().toBuffer({ resolveWithObject: true });
  return { stderr, rgba: new Uint8Array(data), channels: info.channels };
}

Deno.test({
  name: "a report opened in headless chromium logs no console error and its images render",
  ignore: !chromium,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "patchsvdd-browser-" });
    try {
      const full = await screenshot(await page(true), dir);
      const consoleLines = full.stderr.split("\n").filter((l) => /CONSOLE|Uncaught|Failed to load/i.test(l));
      assertEquals(consoleLines, [], "console messages");
      const bare = await screenshot(await page(false), dir);
      const withImages = saturatedPixels(full.rgba, full.channels), without = saturatedPixels(bare.rgba, bare.channels);
      assert(without < 500, `the page without images has ${without} saturated pixels`);
      assert(withImages > without + 5000, `images rendered: ${withImages} saturated pixels against ${without}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
