import { assertEquals } from "../metrics/_assert.ts";
import * as inspect from "../../src/inspect/mod.ts";
import * as metrics from "../../src/metrics/mod.ts";

Deno.test("mod.ts files re-export the public functions", () => {
  for (
    const name of [
      "patchScoresToMap",
      "fuse",
      "imageScore",
      "nearestDistances",
      "buildHnswIndex",
      "searchHnsw",
      "exactNearest",
      "buildShardedHnsw",
      "uniqueRows",
    ]
  ) {
    assertEquals(typeof (inspect as Record<string, unknown>)[name], "function", name);
  }
  for (
    const name of ["auroc", "rocCurve", "pixelAuroc", "pixelRocCurve", "perDefectAuroc", "aupro", "f1Max", "pixelF1Max"]
  ) {
    assertEquals(typeof (metrics as Record<string, unknown>)[name], "function", name);
  }
});

Deno.test("nn auto is exact search with the native kernels and hnsw without them", async () => {
  const { resolveNnMethod } = await import("../../src/inspect/nearest.ts");
  assertEquals(resolveNnMethod("auto", () => true), "exact");
  assertEquals(resolveNnMethod("auto", () => false), "hnsw");
  assertEquals(resolveNnMethod("hnsw", () => true), "hnsw");
  assertEquals(resolveNnMethod("exact", () => false), "exact");
});
