/** The result sanity checks: inverted scores and a trained encoder below the untrained one. */

import { assertEquals } from "../assert.ts";
import { DEFAULT_SEED_SPREAD, type SanityMetrics, sanityWarnings } from "../../src/metrics/sanity.ts";

const m = (det: number, seg: number | null, extra: Record<string, number> = {}): SanityMetrics => ({
  image_auroc: { mult: det, ...extra },
  pixel_auroc: seg === null ? null : { mult: seg },
  main: "mult",
});

Deno.test("sanityWarnings() is silent for a healthy run with no baseline", () => {
  assertEquals(sanityWarnings(m(0.97, 0.95)), []);
});

Deno.test("sanityWarnings() flags every AUROC below 0.5 as inverted, per metric and map", () => {
  const w = sanityWarnings(m(0.036, 0.102, { k32: 0.45 }));
  assertEquals(w.map((x) => `${x.kind}:${x.metric}:${x.map}`), [
    "inverted:det:mult",
    "inverted:det:k32",
    "inverted:seg:mult",
  ]);
  assertEquals(w[0].value, 0.036);
});

Deno.test("sanityWarnings() calls 0.5 +- 0.02 chance (not inverted), and 0.479 inverted", () => {
  assertEquals(sanityWarnings(m(0.5, 0.515)).map((w) => `${w.kind}:${w.metric}`), ["chance:det", "chance:seg"]);
  assertEquals(sanityWarnings(m(0.479, 0.521)).map((w) => `${w.kind}:${w.metric}`), ["inverted:det"]);
});

Deno.test("sanityWarnings() compares with one untrained run using the default seed spread", () => {
  const untrained = [m(0.717, 0.970)];
  // det 0.876 > 0.717: fine; seg 0.940 < 0.970 - 0.025 = 0.945: flagged
  const w = sanityWarnings(m(0.876, 0.940), untrained);
  assertEquals(w.map((x) => `${x.kind}:${x.metric}`), ["below_untrained:seg"]);
  assertEquals(w[0].baseline, 0.970);
  // seg 0.950 is within the spread of 0.970
  assertEquals(sanityWarnings(m(0.876, 0.950), untrained), []);
});

Deno.test("sanityWarnings() widens the tolerance to twice the untrained runs' own standard deviation", () => {
  // untrained det 0.80, 0.90 (mean 0.85, sample std 0.0707, twice that 0.141): 0.75 is within 0.85 - 0.141
  const untrained = [m(0.80, 0.9), m(0.90, 0.9)];
  assertEquals(sanityWarnings(m(0.75, 0.9), untrained), []);
  assertEquals(sanityWarnings(m(0.70, 0.9), untrained).map((x) => x.kind), ["below_untrained"]);
  // two identical untrained runs: the default spread still applies
  assertEquals(sanityWarnings(m(0.9 - DEFAULT_SEED_SPREAD + 0.001, 0.9), [m(0.9, 0.9), m(0.9, 0.9)]), []);
});

Deno.test("sanityWarnings() skips the pixel comparison without masks", () => {
  assertEquals(sanityWarnings(m(0.9, null), [m(0.9, 0.99)]), []);
});
