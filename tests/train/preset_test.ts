/** `--preset NAME`: a named set of deviations, expanded into the config, overridden by explicit flags. */

import { assertEquals, assertThrows } from "../assert.ts";
import { configFromFlags } from "../../src/cli/config_flags.ts";
import { DEFAULT_CONFIG } from "../../src/config.ts";
import { presetConfig, PRESETS } from "../../src/presets.ts";
import { ConfigError } from "../../src/config.ts";

Deno.test("preset fast: dense sampling, 2 crops, lr 3e-4, 500-step warm-up, bound 5, the reference's model and losses", () => {
  const c = presetConfig("fast");
  assertEquals(
    [c.train.sampling, c.train.denseCrops, c.train.learningRate, c.train.lrWarmupSteps, c.train.preactBound],
    ["dense", 2, 3e-4, 500, 5],
  );
  const { sampling: _s, denseCrops: _d, learningRate: _l, lrWarmupSteps: _w, preactBound: _b, ...rest } = c.train;
  const { sampling: _s2, learningRate: _l2, ...reference } = DEFAULT_CONFIG.train;
  assertEquals(rest, reference, "nothing else deviates from the reference");
  assertEquals(c.inspect, DEFAULT_CONFIG.inspect);
});

Deno.test("every preset only sets fields that exist in the config and validates", () => {
  for (const name of Object.keys(PRESETS)) presetConfig(name);
});

Deno.test("--preset fast with --lr: the explicit flag wins over the preset", () => {
  const c = configFromFlags({ preset: "fast", lr: "1e-4" });
  assertEquals([c.train.sampling, c.train.learningRate], ["dense", 1e-4]);
});

Deno.test("an unknown --preset is refused naming the known ones", () => {
  assertThrows(
    () => configFromFlags({ preset: "quick" }),
    (e: Error) => e instanceof ConfigError && /fast/.test(e.message),
  );
});

Deno.test("train --preset fast records the preset's name beside the expanded config in config.json", async () => {
  const { runCli, tempDir, tinyDataset, trainArgs } = await import("../reliability/_helpers.ts");
  const tmp = await tempDir("preset");
  const { category } = await tinyDataset(`${tmp}/data`, 4);
  const out = `${tmp}/run`;
  // the preset at the reference's K=64 (the tiny flags' K=32 is overridden)
  const r = await runCli(
    "train",
    trainArgs(
      `${tmp}/data`,
      category,
      out,
      "--preset",
      "fast",
      "--patch-size",
      "64",
      "--image-size",
      "96",
      "--steps",
      "0",
    ),
  );
  assertEquals(r.code, 0, r.stderr);
  const recorded = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
  assertEquals(recorded.preset, "fast");
  assertEquals(
    [recorded.config.train.sampling, recorded.config.train.denseCrops, recorded.config.train.lrWarmupSteps],
    ["dense", 2, 500],
  );
});

Deno.test("--ssl-noise-std sets the SSL perturbation's std; a negative one is refused", () => {
  assertEquals(configFromFlags({ "ssl-noise-std": "0.1" }).train.sslNoiseStd, 0.1);
  assertEquals(configFromFlags({}).train.sslNoiseStd, DEFAULT_CONFIG.train.sslNoiseStd);
  assertThrows(
    () => configFromFlags({ "ssl-noise-std": "-0.1" }),
    (e: Error) => e instanceof ConfigError && /SSL noise/.test(e.message),
  );
});
