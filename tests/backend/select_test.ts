import * as tf from "@tensorflow/tfjs-core";
import { probeWebgpu, selectBackend } from "../../src/backend/select.ts";
import { loadNative } from "../../src/backend/native.ts";
import { UserError } from "../../src/errors.ts";
import { assert, assertEquals, assertRejects } from "../assert.ts";

Deno.test('selectBackend("tensorflow") rejects with a UserError naming @tensorflow/tfjs-node', async () => {
  await assertRejects(selectBackend("tensorflow"), (e: Error) => {
    assert(e instanceof UserError, `expected a UserError, got ${e.name}`);
    assert(e.message.includes("install @tensorflow/tfjs-node "), e.message);
    assert(e.message.includes("--backend native|wasm"), e.message);
    return true;
  });
});

Deno.test('selectBackend("tensorflow-gpu") rejects with a UserError naming @tensorflow/tfjs-node-gpu and CUDA', async () => {
  await assertRejects(selectBackend("tensorflow-gpu"), (e: Error) => {
    assert(e instanceof UserError && e.message.includes("@tensorflow/tfjs-node-gpu"), e.message);
    assert(e.message.includes("CUDA 11"), e.message);
    return true;
  });
});

Deno.test("selectBackend() rejects an unknown name with a UserError listing the choices", async () => {
  await assertRejects(
    selectBackend("tpu" as never),
    (e: Error) => e instanceof UserError && /auto, native/.test(e.message),
  );
});

Deno.test({
  name: 'selectBackend("native") activates the native backend when the library is built',
  ignore: "reason" in loadNative(),
  fn: async () => {
    const chosen = await selectBackend("native");
    assertEquals([chosen.name, tf.getBackend()], ["native", "native"]);
  },
});

Deno.test('selectBackend("wasm") activates wasm with SIMD', async () => {
  const chosen = await selectBackend("wasm");
  assertEquals(tf.getBackend(), "wasm");
  assert(chosen.note.includes("with SIMD"), chosen.note);
});

Deno.test('selectBackend("auto") never picks a software WebGPU adapter and says what it skipped', async () => {
  const probe = await probeWebgpu();
  const chosen = await selectBackend("auto");
  if (!("reason" in probe) && probe.fallback) assert(chosen.name !== "webgpu", chosen.note);
  assert(chosen.note.includes("skipped: tensorflow-gpu: @tensorflow/tfjs-node-gpu not installed"), chosen.note);
  if (!("reason" in loadNative())) assertEquals(chosen.name, "native");
});
