/**
 * Smoke test of `deno task bench --short`: runs the CLI as a subprocess on a tiny synthetic
 * category and checks the shape of the JSON record (keys present, numbers finite and positive),
 * never its timings.
 */

import { assert, assertEquals } from "../../assert.ts";
import { BENCH_SCHEMA, type BenchReport } from "../../../src/lab/bench/report.ts";
import type { PhaseMeasure } from "../../../src/lab/bench/memory.ts";

const root = new URL("../../../", import.meta.url).pathname;

function positive(x: unknown, what: string): void {
  assert(typeof x === "number" && Number.isFinite(x) && x > 0, `${what} should be a finite positive number: ${x}`);
}

function finite(x: unknown, what: string): void {
  assert(typeof x === "number" && Number.isFinite(x), `${what} should be a finite number: ${x}`);
}

function checkPhase(p: PhaseMeasure | undefined, what: string): void {
  assert(p, `missing phase ${what}`);
  finite(p.seconds, `${what}.seconds`);
  assert(p.seconds >= 0, `${what}.seconds >= 0`);
  for (const k of ["rss_before_mb", "rss_after_mb", "peak_rss_mb"] as const) positive(p[k], `${what}.${k}`);
  assert(p.peak_rss_mb >= Math.max(p.rss_before_mb, p.rss_after_mb), `${what}: peak >= before, after`);
  finite(p.loadavg_1m, `${what}.loadavg_1m`);
}

Deno.test("bench --short writes a complete record", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "patchsvdd-bench-test-" });
  try {
    const out = `${tmp}/bench.json`;
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}src/cli/bench.ts`, "--short", "--quiet", "--out", out],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    assertEquals(r.code, 0, dec.decode(r.stderr));
    const stdout = dec.decode(r.stdout);
    assert(stdout.includes("## Training") && stdout.includes("## Inspection"), stdout);
    assert(stdout.includes(`wrote ${out}`), stdout);

    const rep = JSON.parse(await Deno.readTextFile(out)) as BenchReport;
    assertEquals(rep.schema, BENCH_SCHEMA);
    assertEquals(rep.mode, "short");
    assert(!Number.isNaN(Date.parse(rep.created)), rep.created);
    assert(/^\d+core-[a-z0-9-]+$/.test(rep.host.kind), rep.host.kind);
    positive(rep.host.cores, "host.cores");
    // The CPU's vector instruction sets and the one the native kernels were compiled for (it names the file).
    assertEquals(Object.keys(rep.host.cpu_flags ?? {}).sort(), ["amx", "avx2", "avx512f", "neon"]);
    for (const v of Object.values(rep.host.cpu_flags ?? {})) assertEquals(typeof v, "boolean");
    if (rep.host.native) {
      assert(/^(avx512|avx2|avx|neon|generic)$/.test(rep.host.native.isa), rep.host.native.isa);
      assert(/^libpatchsvdd(-\w+)?\.so$/.test(rep.host.native.library ?? ""), rep.host.native.library);
    }
    assert(typeof rep.backend.name === "string" && rep.backend.name.length > 0);
    for (const when of ["start", "end"] as const) {
      assertEquals(rep.load_average[when].length, 3);
      rep.load_average[when].forEach((x, i) => finite(x, `load_average.${when}[${i}]`));
    }
    assertEquals(rep.dataset.synthetic, true);
    positive(rep.dataset.num_train, "dataset.num_train");
    positive(rep.dataset.num_test, "dataset.num_test");
    assertEquals(rep.encoder.source, "random");
    assertEquals(rep.options.nn, ["exact", "hnsw"]);

    const t = rep.training;
    assertEquals(t.pairs_per_step, t.batch_size * 4);
    assert(t.step_seconds.length >= 1);
    t.step_seconds.forEach((s, i) => positive(s, `training.step_seconds[${i}]`));
    for (const k of ["median_step_seconds", "steps_per_second", "pairs_per_second", "peak_rss_mb"] as const) {
      positive(t[k], `training.${k}`);
    }
    finite(t.last_total_loss, "training.last_total_loss");
    positive(t.profile.kernel_total_ms, "profile.kernel_total_ms");
    positive(t.profile.kernel_calls, "profile.kernel_calls");
    assert(t.profile.top.length > 0 && t.profile.top.length <= 10, `${t.profile.top.length} kernels`);
    for (const k of t.profile.top) {
      assert(typeof k.name === "string" && !k.name.endsWith("__op"), k.name);
      finite(k.ms, `kernel ${k.name}`);
      positive(k.calls, `kernel ${k.name} calls`);
    }
    assert(t.profile.top.some((k) => /Conv2D/.test(k.name)), "a convolution kernel among the top ones");

    const ins = rep.inspection;
    for (const p of ["load", "normalize", "embed_bank", "embed_test"]) checkPhase(ins.shared[p], p);
    for (const m of ["exact", "hnsw"] as const) {
      const mb = ins.methods[m];
      assert(mb, `method ${m}`);
      for (const p of m === "hnsw" ? ["index_build", "search", "maps"] : ["search", "maps"]) {
        checkPhase(mb.phases[p], `${m}.${p}`);
      }
      assertEquals(Object.keys(mb.levels).sort(), ["k32", "k64"]);
      for (
        const k of [
          "total_seconds",
          "seconds_per_test_image",
          "marginal_seconds_per_test_image",
          "peak_rss_mb",
        ] as const
      ) {
        positive(mb[k], `${m}.${k}`);
      }
      assertEquals(Object.keys(mb.image_auroc), ["k64", "k32", "sum", "mult"]);
      for (const key of ["k64", "k32", "sum", "mult"]) {
        const [a, b] = [mb.image_auroc[key], mb.pixel_auroc[key]];
        assert(a >= 0 && a <= 1 && b >= 0 && b <= 1, `${m} ${key} AUROCs ${a} ${b}`);
      }
    }
    const q = ins.nn_quality;
    assert(q, "nn_quality");
    for (const key of ["k64", "k32"]) {
      const s = q.recall[key];
      positive(s.queries, `${key}.queries`);
      assert(s.recall_at_1 > 0 && s.recall_at_1 <= 1, `${key} recall ${s.recall_at_1}`);
      assert(s.index_match <= s.recall_at_1, `${key}: same row implies recall`);
      finite(s.mean_relative_excess, `${key}.mean_relative_excess`);
    }
    assert(q.auroc_diff, "auroc_diff");
    for (const kind of ["image", "pixel"] as const) {
      for (const key of ["k64", "k32", "sum", "mult"]) finite(q.auroc_diff[kind][key], `auroc_diff.${kind}.${key}`);
    }

    positive(rep.reference.training.median_step_seconds, "reference step");
    positive(rep.reference.inspection_exact.total, "reference total");
    assertEquals(rep.speedup.reference_scaled, true);
    assertEquals(rep.speedup.training_step, null); // batch 8 is not the reference's 64
    for (
      const k of [
        "training_pairs_per_second",
        "load",
        "embed_bank",
        "embed_test",
        "search_exact",
        "inspection_exact_total",
        "inspection_hnsw_total",
      ] as const
    ) positive(rep.speedup[k], `speedup.${k}`);
    positive(rep.wall_seconds, "wall_seconds");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
