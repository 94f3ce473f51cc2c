/** The run report page (src/lab/report/html.ts): self-contained, honest about missing masks, the paper where it applies. */

import { assert, assertEquals } from "../../assert.ts";
import type { MetricsRecord } from "../../../src/inspect/report.ts";
import { Figure } from "../../../src/lab/plot/figure.ts";
import { escapeHtml, runReportHtml } from "../../../src/lab/report/html.ts";
import { svgFigure } from "../../../src/lab/report/write.ts";
import { externalReferences } from "./_self_contained.ts";

function record(category: string, masks: "ground_truth" | "none"): MetricsRecord {
  const withMasks = masks === "ground_truth";
  return {
    category,
    masks,
    image_auroc: { k64: 0.9, k32: 0.8, sum: 0.91, mult: 0.93 },
    pixel_auroc: withMasks ? { k64: 0.95, k32: 0.94, sum: 0.96, mult: 0.97 } : null,
    aupro: withMasks ? 0.81 : null,
    f1_max: { image: 0.9, pixel: withMasks ? 0.5 : null, image_threshold: 1, pixel_threshold: withMasks ? 1 : null },
    per_defect_image_auroc: { "broken<large>": 0.99 },
    main: "mult",
    timing_s: { load: 1.5, search: 2 },
    config: { step: 120, backend: "native", note: "</pre><script>alert(1)</script>" },
  };
}

const figure = svgFigure(new Figure('<circle cx="5" cy="5" r="4"/>', 10, 10), "a <figure>", "a dot");

Deno.test("runReportHtml() has no script and no reference outside the page; every image is a data URI", () => {
  const html = runReportHtml({
    run: "runs/x",
    metrics: record("bottle", "ground_truth"),
    figures: [figure],
    generatedAt: "t",
  });
  assertEquals(externalReferences(html), []);
  assert(!/<script/i.test(html), "no script element (the config's text is escaped)");
  assert(html.includes('src="data:image/svg+xml;base64,'), "the figure is inline");
  assert(html.includes("broken&lt;large&gt;") && html.includes("a &lt;figure&gt;"), "text is escaped");
});

Deno.test("runReportHtml() shows the paper's Table 1 row for an MVTec category and none for another", () => {
  const bottle = runReportHtml({ run: "r", metrics: record("bottle", "ground_truth"), figures: [], generatedAt: "t" });
  assert(/paper, Table 1[^<]*<\/td><td>0\.986<\/td><td>0\.981<\/td>/.test(bottle), "bottle: 0.986 / 0.981");
  const mine = runReportHtml({
    run: "r",
    metrics: record("my_widgets", "ground_truth"),
    figures: [],
    generatedAt: "t",
  });
  assert(!mine.includes("paper, Table 1"));
  assert(mine.includes("<td>0.930</td><td>0.970</td>"), "the main map's row");
});

Deno.test("runReportHtml() without masks says so and shows no pixel number", () => {
  const html = runReportHtml({ run: "r", metrics: record("my_widgets", "none"), figures: [], generatedAt: "t" });
  assert(html.includes("No ground-truth masks"));
  assert(html.includes("<td>0.930</td><td>–</td>"), "detection shown, segmentation a dash");
  assert(!html.includes("0.970"));
});

Deno.test("escapeHtml() escapes the five special characters", () => {
  assertEquals(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
  );
});
