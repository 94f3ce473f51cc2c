import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { cpuSlug } from "../../../src/lab/bench/host.ts";
import { combineMeasures, measurePhase } from "../../../src/lab/bench/memory.ts";
import { compareNeighbours } from "../../../src/lab/bench/nn_quality.ts";
import { REFERENCE, speedups } from "../../../src/lab/bench/reference.ts";
import { evenSubsample, median } from "../../../src/lab/bench/stats.ts";

Deno.test("cpuSlug drops marks, 'CPU' and the clock", () => {
  assertEquals(cpuSlug("Intel(R) Xeon(R) CPU @ 2.20GHz"), "intel-xeon");
  assertEquals(cpuSlug("Intel(R) Xeon(R) Processor"), "intel-xeon-processor");
  assertEquals(cpuSlug("AMD EPYC 7B13 64-Core Processor"), "amd-epyc-7b13-64-core-processor");
  assertEquals(cpuSlug("???"), "unknown");
});

Deno.test("median and evenSubsample", () => {
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 2, 3]), 2.5);
  assertThrows(() => median([]), RangeError);
  assertEquals([...evenSubsample(10, 3)], [0, 3, 6]);
  assertEquals([...evenSubsample(3, 10)], [0, 1, 2]);
});

Deno.test("measurePhase samples RSS during an async phase and combineMeasures adds seconds", async () => {
  const { value, measure } = await measurePhase(async () => {
    await new Promise((r) => setTimeout(r, 60));
    return 7;
  }, 10);
  assertEquals(value, 7);
  assert(measure.seconds >= 0.05 && measure.rss_samples >= 1, JSON.stringify(measure));
  assert(measure.peak_rss_mb >= Math.max(measure.rss_before_mb, measure.rss_after_mb));
  const both = combineMeasures([measure, { ...measure, seconds: 1, peak_rss_mb: 1e6 }]);
  assertEquals(both.seconds, measure.seconds + 1);
  assertEquals(both.peak_rss_mb, 1e6);
});

Deno.test("compareNeighbours counts distance ties as hits", () => {
  const r = compareNeighbours(
    { distances: Float32Array.of(1, 2, 3), indices: Uint32Array.of(0, 5, 9) },
    { distances: Float32Array.of(1, 1.5, 3), indices: Int32Array.of(0, 3, 8) },
    10,
    "full",
  );
  assertEquals(r.recall_at_1, 2 / 3); // row 9 is a tie at distance 3
  assertEquals(r.index_match, 1 / 3);
  assert(Math.abs(r.max_relative_excess - 1 / 3) < 1e-6);
});

Deno.test("speedups compare bottle directly and scale other datasets", () => {
  const ours = {
    median_step_seconds: 0.905,
    pairs_per_second: 280,
    batch_size: 64,
    num_train: 209,
    num_test: 83,
    load: 6.3,
    embed_bank: 202.9,
    embed_test: 83.7,
    search_exact: 117.1,
    total_exact: 408,
    total_hnsw: null,
  };
  const s = speedups(ours, REFERENCE);
  assertEquals(s.reference_scaled, false);
  assert(Math.abs(s.training_step! - 2) < 1e-9 && Math.abs(s.training_pairs_per_second! - 2) < 1e-9);
  assert(Math.abs(s.load - 10) < 1e-9 && Math.abs(s.embed_bank - 10) < 1e-9 && Math.abs(s.search_exact! - 10) < 1e-9);
  assert(Math.abs(s.inspection_exact_total! - 10) < 1e-9);
  assertEquals(s.inspection_hnsw_total, null);
  const half = speedups({ ...ours, num_train: 209 / 2, batch_size: 8 }, REFERENCE);
  assertEquals(half.reference_scaled, true);
  assertEquals(half.training_step, null);
  assert(Math.abs(half.embed_bank - 5) < 1e-9 && Math.abs(half.search_exact! - 5) < 1e-9);
});
