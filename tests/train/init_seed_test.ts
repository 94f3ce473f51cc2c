/**
 * `--init-seed S` seeds the weight initialisation alone: the initial weights are those of
 * `--seed S`, while `--seed` keeps seeding the sampling.
 */

import { assert, assertEquals, assertThrows } from "../assert.ts";
import { configFromFlags } from "../../src/cli/config_flags.ts";
import { createModel, disposeModel } from "../../src/train/model.ts";
import { selectBackend } from "../../src/backend/mod.ts";
import { UserError } from "../../src/errors.ts";
import { ConfigError } from "../../src/config.ts";

await selectBackend("cpu");

/** Initial weights of a model built from these flags (tiny encoder), by name. */
function initialWeights(flags: Record<string, string>): Map<string, Float32Array> {
  const config = configFromFlags({ "patch-size": "32", "dim": "8", "image-size": "64", ...flags });
  const model = createModel(config);
  const out = new Map<string, Float32Array>();
  for (const [name, v] of model.encoder.params) out.set(name, v.dataSync() as Float32Array);
  disposeModel(model);
  return out;
}

/** Whether two weight maps are equal bit for bit. */
function same(a: Map<string, Float32Array>, b: Map<string, Float32Array>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, x] of a) {
    const y = b.get(name);
    if (!y || y.length !== x.length || x.some((value, i) => value !== y[i])) return false;
  }
  return true;
}

Deno.test("--init-seed: the initial weights follow it, the config keeps --seed for sampling", () => {
  const seed0 = initialWeights({ seed: "0" });
  const seed1 = initialWeights({ seed: "1" });
  const mixed = initialWeights({ seed: "0", "init-seed": "1" });
  assert(!same(seed0, seed1), "different seeds should initialise differently");
  assert(same(mixed, seed1), "--init-seed 1 should initialise as --seed 1");
  const config = configFromFlags({ seed: "0", "init-seed": "1" });
  assertEquals([config.train.seed, config.train.initSeed], [0, 1]);
  assertEquals(configFromFlags({ seed: "3" }).train.initSeed, undefined, "absent unless given");
});

Deno.test("--init-seed: a non-integer is a usage error", () => {
  assertThrows(() => configFromFlags({ "init-seed": "1.5" }), UserError, "init-seed");
});

Deno.test("validateConfig: a non-integer initSeed in a stored config is rejected", () => {
  const config = configFromFlags({});
  config.train.initSeed = 0.5;
  assertThrows(() => configFromFlags({}, config), ConfigError, "initialisation seed");
});
