import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertThrows } from "../assert.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  float16ToNumber,
  readSafetensors,
  readSafetensorsFile,
  writeSafetensors,
} from "../../src/model/safetensors.ts";
import { DataError } from "../../src/errors.ts";

/** A safetensors file built by hand: header JSON then raw bytes. */
function handMade(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A validator for assertThrows/assertRejects: right class, message matching `pattern`. */
function errorMatching(cls: new (...args: never[]) => Error, pattern: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof cls && pattern.test(e.message);
}

const sample = () =>
  new Map([
    ["conv.weight", { shape: [2, 1, 1, 3], data: new Float32Array([1, -2.5, 3e-8, 4, 5, -6]) }],
    ["conv.bias", { shape: [2], data: new Float32Array([0.125, -1]) }],
    ["scalar", { shape: [], data: new Float32Array([7]) }],
  ]);

Deno.test("writeSafetensors() then readSafetensors() round-trips names, shapes, values and metadata", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "w.safetensors");
    await writeSafetensors(path, sample(), { note: "test" });
    const read = await readSafetensorsFile(path);
    assertEquals([...read.tensors.keys()], ["conv.weight", "conv.bias", "scalar"]);
    for (const [name, t] of sample()) {
      const got = read.tensors.get(name)!;
      assertEquals(got.dtype, "F32");
      assertEquals(got.shape, t.shape);
      assertEquals([...got.data], [...t.data]);
    }
    assertEquals(read.metadata, { note: "test" });
    assertEquals((await readSafetensors(path)).size, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("encodeSafetensors() pads the header to a multiple of 8 bytes, as the reference writer does", () => {
  const bytes = encodeSafetensors(sample());
  const headerBytes = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assertEquals(headerBytes % 8, 0);
  assertEquals(bytes.length, 8 + headerBytes + 4 * (6 + 2 + 1));
});

Deno.test("decodeSafetensors() reports a truncated file with both sizes and the fix", () => {
  const bytes = encodeSafetensors(sample());
  const cut = bytes.subarray(0, bytes.length - 5);
  assertThrows(
    () => decodeSafetensors(cut, "w.safetensors"),
    (e: Error) =>
      e instanceof DataError &&
      e.message === `w.safetensors is truncated: header says ${bytes.length} bytes, file has ${cut.length}; ` +
          "re-download it",
  );
  // cut inside the header, and inside the length itself
  assertThrows(
    () => decodeSafetensors(bytes.subarray(0, 20)),
    errorMatching(DataError, /is truncated: header says \d+ bytes/),
  );
  assertThrows(
    () => decodeSafetensors(bytes.subarray(0, 3)),
    errorMatching(DataError, /header says 8 bytes, file has 3/),
  );
});

Deno.test("readSafetensors() rejects a truncated file on disk with its path in the message", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "cut.safetensors");
    await Deno.writeFile(path, encodeSafetensors(sample()).subarray(0, 40));
    await assertRejects(() => readSafetensors(path), (e: Error) => e instanceof DataError && e.message.includes(path));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodeSafetensors() converts F16, BF16, F64, I64 and U8 to float32", () => {
  const data = new Uint8Array(2 * 2 + 2 + 8 + 8 + 1);
  const view = new DataView(data.buffer);
  view.setUint16(0, 0x3c00, true); // F16 1
  view.setUint16(2, 0xc100, true); // F16 -2.5
  view.setUint16(4, 0x3fc0, true); // BF16 1.5
  view.setFloat64(6, -0.25, true);
  view.setBigInt64(14, -3n, true);
  view.setUint8(22, 200);
  const bytes = handMade({
    h: { dtype: "F16", shape: [2], data_offsets: [0, 4] },
    b: { dtype: "BF16", shape: [1], data_offsets: [4, 6] },
    d: { dtype: "F64", shape: [1, 1], data_offsets: [6, 14] },
    i: { dtype: "I64", shape: [1], data_offsets: [14, 22] },
    u: { dtype: "U8", shape: [1], data_offsets: [22, 23] },
  }, data);
  const t = decodeSafetensors(bytes).tensors;
  assertEquals([...t.get("h")!.data], [1, -2.5]);
  assertEquals(t.get("h")!.dtype, "F16");
  assertEquals([...t.get("b")!.data], [1.5]);
  assertEquals([...t.get("d")!.data], [-0.25]);
  assertEquals([...t.get("i")!.data], [-3]);
  assertEquals([...t.get("u")!.data], [200]);
});

Deno.test("float16ToNumber() decodes subnormals, infinities and NaN", () => {
  assertEquals(float16ToNumber(0x0001), 2 ** -24);
  assertEquals(float16ToNumber(0x7bff), 65504);
  assertEquals(float16ToNumber(0xfc00), -Infinity);
  assert(Number.isNaN(float16ToNumber(0x7e00)));
});

Deno.test("decodeSafetensors() names an unsupported dtype and inconsistent offsets", () => {
  assertThrows(
    () => decodeSafetensors(handMade({ x: { dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1))),
    errorMatching(DataError, /tensor x has dtype F8_E4M3, which this reader does not support/),
  );
  assertThrows(
    () => decodeSafetensors(handMade({ x: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4))),
    errorMatching(DataError, /expected 8 bytes but its data_offsets span 4/),
  );
  assertThrows(
    () => decodeSafetensors(handMade({}, new Uint8Array(0)).fill(0x7b, 8)),
    errorMatching(DataError, /not JSON/),
  );
});

Deno.test("encodeSafetensors() refuses data whose length does not match the shape", () => {
  assertThrows(
    () => encodeSafetensors(new Map([["x", { shape: [2, 2], data: new Float32Array(3) }]])),
    errorMatching(RangeError, /Expected 4 values for x of shape \[2, 2\] but found 3/),
  );
});
