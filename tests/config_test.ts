/**
 * src/config.ts: the run options' defaults and their validation, and the image-size check's advice (the
 * other checks are tested through the CLI in tests/cli/errors_test.ts).
 */

import { assertEquals, assertThrows } from "./assert.ts";
import {
  ConfigError,
  DEFAULT_CONFIG,
  DEFAULT_RUN_OPTIONS,
  mergeConfig,
  validateConfig,
  validateRunOptions,
} from "../src/config.ts";
import { UserError } from "../src/errors.ts";

/** An error of `type` whose message contains `text` (node:assert's third argument is not a matcher). */
const fails = (type: new (...args: never[]) => Error, text: string) => (e: unknown) =>
  e instanceof type && e.message.includes(text);

Deno.test("DEFAULT_RUN_OPTIONS: checkpoints every 5 minutes, a probe every 100 steps, no collapse stop, 300 epochs", () => {
  assertEquals({ ...DEFAULT_RUN_OPTIONS }, {
    checkpointMinutes: 5,
    probeEvery: 100,
    stopOnCollapse: false,
    defaultEpochs: 300,
  });
  assertThrows(() => ((DEFAULT_RUN_OPTIONS as { probeEvery: number }).probeEvery = 1), TypeError);
});

Deno.test("validateRunOptions: accepts the defaults, zero intervals and absent options", () => {
  validateRunOptions({ ...DEFAULT_RUN_OPTIONS });
  validateRunOptions({ probeEvery: 0, checkpointMinutes: 0 });
  validateRunOptions({});
});

Deno.test("validateRunOptions: a fractional or negative probe interval is a one-line ConfigError naming the flag", () => {
  for (const probeEvery of [-1, 2.5, NaN]) {
    assertThrows(
      () => validateRunOptions({ probeEvery }),
      fails(
        ConfigError,
        `Expected --probe-every to be an integer >= 0 (0 turns the probe off) but found ${probeEvery}`,
      ),
    );
  }
  assertThrows(() => validateRunOptions({ checkpointMinutes: -1 }), fails(UserError, "--checkpoint-minutes"));
  assertThrows(() => validateRunOptions({ defaultEpochs: 0 }), fails(ConfigError, "epochs > 0"));
});

Deno.test("an image too small for K names the largest patch size that fits", () => {
  const at = (imageSize: number, patchSize: number) => () =>
    validateConfig(mergeConfig(DEFAULT_CONFIG, { imageSize, train: { patchSize } }));
  assertThrows(at(96, 128), fails(ConfigError, "found 96; SVDD' pairs need room to shift (--patch-size 64 fits)"));
  assertThrows(at(128, 128), fails(ConfigError, "(--patch-size 64 fits)"));
  assertThrows(at(64, 64), fails(ConfigError, "(--patch-size 32 fits)"));
  assertThrows(at(48, 32), (e: unknown) => e instanceof ConfigError && !e.message.includes("fits"));
  assertEquals(at(200, 128)().train.patchSize, 128);
});

Deno.test("a learning-rate decay runs over steps or over minutes, exactly one of the two", () => {
  const decay = (lrSchedule: Record<string, unknown>) => () =>
    validateConfig(mergeConfig(DEFAULT_CONFIG, { train: { lrSchedule } } as never));
  assertEquals(decay({ kind: "cosine", steps: 8000 })().train.lrSchedule, { kind: "cosine", steps: 8000 });
  assertEquals(decay({ kind: "linear", minutes: 20 })().train.lrSchedule, { kind: "linear", minutes: 20 });
  assertThrows(decay({ kind: "cosine" }), fails(ConfigError, "over steps or over minutes"));
  assertThrows(decay({ kind: "cosine", steps: 10, minutes: 1 }), fails(ConfigError, "over steps or over minutes"));
  assertThrows(decay({ kind: "cosine", steps: 2.5 }), fails(ConfigError, "whole number of steps"));
  assertThrows(decay({ kind: "cosine", minutes: 0 }), fails(ConfigError, "minutes > 0"));
  const wsd = { kind: "linear", steps: 8000, startStep: 6400 };
  assertEquals(decay(wsd)().train.lrSchedule, wsd);
  assertThrows(
    decay({ kind: "linear", minutes: 20, startStep: 10 }),
    fails(ConfigError, "a decay over minutes has none"),
  );
  assertThrows(decay({ ...wsd, startStep: 8000 }), fails(ConfigError, "whole step in 0..7999"));
  assertThrows(decay({ ...wsd, startStep: -1 }), fails(ConfigError, "whole step in 0..7999"));
});
