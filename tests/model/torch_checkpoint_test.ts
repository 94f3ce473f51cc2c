import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { DataError } from "../../src/errors.ts";
import { PickleDict, readPickle } from "../../src/model/pickle.ts";
import { decodeTorchStateDict, TORCH_GLOBALS } from "../../src/model/torch_checkpoint.ts";
import { decodeReferenceTensors } from "../../src/model/reference_weights.ts";
import { readSafetensors } from "../../src/model/safetensors.ts";
import {
  type FixtureTensor,
  legacyHeader,
  legacyTorchFile,
  maliciousPickle,
  PickleWriter,
  zipArchive,
  zipTorchFile,
} from "./_torch_fixtures.ts";
import { concat } from "./_torch_fixtures.ts";
import { Rng } from "../../src/util/rng.ts";

/** A DataError whose message is one line, names the source and matches `pattern`. */
function refusal(source: string, pattern: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert(e instanceof DataError, `expected a DataError but got ${e}`);
    assert(!e.message.includes("\n"), `more than one line: ${e.message}`);
    assert(e.message.includes(source), `source not named: ${e.message}`);
    assert(pattern.test(e.message), `${e.message} !~ ${pattern}`);
    return true;
  };
}

function tensors(): Map<string, FixtureTensor> {
  return new Map<string, FixtureTensor>([
    ["conv.weight", { shape: [2, 1, 2, 2], data: Float32Array.from({ length: 8 }, (_, i) => i * 0.25 - 1) }],
    ["conv.bias", { shape: [2], data: new Float32Array([Math.PI, -0]) }],
  ]);
}

function sameTensors(
  decoded: Map<string, { shape: number[]; data: Float32Array }>,
  expected: Map<string, FixtureTensor>,
) {
  assertEquals([...decoded.keys()], [...expected.keys()]);
  for (const [name, t] of expected) {
    assertEquals(decoded.get(name)!.shape, t.shape, name);
    assertEquals(
      new Uint8Array(decoded.get(name)!.data.buffer),
      new Uint8Array(Float32Array.from(t.data).buffer),
      name,
    );
  }
}

Deno.test("readPickle() reads a dict of strings, ints, bools, None and tuples, and says where it ended", () => {
  const bytes = new PickleWriter().proto().op(0x7d).mark()
    .str("a").int(1).str("b").int(70000).str("c").bool(true).str("d").none().str("e").tuple([1, 2, 3])
    .op(0x75).stop().bytes();
  const { value, end } = readPickle(concat([bytes, new Uint8Array([9, 9])]));
  assert(value instanceof PickleDict);
  assertEquals(end, bytes.length);
  assertEquals([...value.entries.keys()], ["a", "b", "c", "d", "e"]);
  assertEquals([value.entries.get("a"), value.entries.get("b"), value.entries.get("c")], [1, 70000, true]);
});

Deno.test("readPickle() refuses a global that is not on the allow-list, naming it, and calls nothing", () => {
  let called = false;
  assertThrows(
    () =>
      readPickle(maliciousPickle(), 0, {
        source: "evil.pkl",
        globals: TORCH_GLOBALS,
        reduce: () => (called = true, null),
      }),
    refusal("evil.pkl", /global os\.system, which is not on the allow-list/),
  );
  assert(!called);
});

Deno.test("readPickle() refuses opcodes outside the allow-list by name (INST, STACK_GLOBAL, NEWOBJ)", () => {
  for (const [op, name] of [[0x69, "INST"], [0x93, "STACK_GLOBAL"], [0x81, "NEWOBJ"]] as const) {
    assertThrows(
      () => readPickle(new PickleWriter().proto().op(op).stop().bytes(), 0, { source: "x.pkl" }),
      refusal("x.pkl", new RegExp(`\\(${name}\\) is not one a PyTorch state dict needs`)),
    );
  }
});

Deno.test("readPickle() refuses a call of an allowed global when the caller gave no interpreter for it", () => {
  const bytes = new PickleWriter().proto().global("collections", "OrderedDict").op(0x29, 0x52).stop().bytes();
  assertThrows(
    () => readPickle(bytes, 0, { source: "x.pkl", globals: TORCH_GLOBALS }),
    refusal("x.pkl", /a call of collections\.OrderedDict/),
  );
});

Deno.test("decodeTorchStateDict() reads a legacy torch.save file written byte by byte, bit for bit", () => {
  sameTensors(decodeTorchStateDict(legacyTorchFile(tensors()), "t.pkl"), tensors());
});

Deno.test("decodeTorchStateDict() reads a zip torch.save file written byte by byte, with and without ZIP64 records", () => {
  sameTensors(decodeTorchStateDict(zipTorchFile(tensors(), { zip64: true }), "t.pt"), tensors());
  sameTensors(decodeTorchStateDict(zipTorchFile(tensors(), { zip64: false }), "t.pt"), tensors());
});

Deno.test("decodeTorchStateDict() gathers a strided tensor (a transposed view with an offset) into row-major order", () => {
  // storage 0..9; view: offset 1, size [2, 3], stride [1, 2] -> [[1, 3, 5], [2, 4, 6]]
  const storage = Float32Array.from({ length: 10 }, (_, i) => i);
  const view: FixtureTensor = { shape: [2, 3], stride: [1, 2], offset: 1, storage, data: new Float32Array() };
  const decoded = decodeTorchStateDict(legacyTorchFile(new Map([["w", view]])), "v.pkl");
  assertEquals([...decoded.get("w")!.data], [1, 3, 5, 2, 4, 6]);
  assertEquals(decoded.get("w")!.shape, [2, 3]);
});

Deno.test("decodeTorchStateDict() refuses a file that calls os.system, in place of the state dict or alone", () => {
  assertThrows(
    () => decodeTorchStateDict(legacyTorchFile(tensors(), maliciousPickle()), "evil.pkl"),
    refusal("evil.pkl", /os\.system/),
  );
  assertThrows(() => decodeTorchStateDict(maliciousPickle(), "evil.pkl"), refusal("evil.pkl", /os\.system/));
  const zip = zipArchive([{ name: "archive/data.pkl", data: maliciousPickle() }]);
  assertThrows(() => decodeTorchStateDict(zip, "evil.pt"), refusal("evil.pt", /os\.system/));
});

Deno.test("decodeTorchStateDict() refuses a pickle of something other than a state dict", () => {
  const list = new PickleWriter().proto().op(0x5d).mark().int(1).int(2).op(0x65).stop().bytes();
  assertThrows(
    () => decodeTorchStateDict(legacyTorchFile(tensors(), list), "list.pkl"),
    refusal("list.pkl", /holds a list of 2, not a state dict/),
  );
  const dict = new PickleWriter().proto().op(0x7d).str("epoch").int(3).op(0x73).stop().bytes();
  assertThrows(
    () => decodeTorchStateDict(legacyTorchFile(tensors(), dict), "ckpt.pkl"),
    refusal("ckpt.pkl", /entry "epoch" is the number 3, not a state dict/),
  );
  // a plain pickle.dump of a dict, without torch.save's header
  assertThrows(() => decodeTorchStateDict(dict, "plain.pkl"), refusal("plain.pkl", /expected its magic number/));
});

Deno.test("decodeTorchStateDict() names the file and the truncation for every prefix of a legacy file", () => {
  const full = legacyTorchFile(tensors());
  for (let n = 0; n < full.length; n++) {
    assertThrows(
      () => decodeTorchStateDict(full.subarray(0, n), "cut.pkl"),
      refusal("cut.pkl", n < 2 ? /not a torch\.save file/ : /truncated|refused/),
      `prefix of ${n} bytes`,
    );
  }
});

Deno.test("decodeTorchStateDict() refuses a truncated zip, a compressed entry and a CRC mismatch", () => {
  const zip = zipTorchFile(tensors());
  assertThrows(() => decodeTorchStateDict(zip.subarray(0, zip.length - 30), "cut.pt"), refusal("cut.pt", /zip/));
  const deflated = zipArchive([{ name: "archive/data.pkl", data: new Uint8Array([1]) }], { method: 8 });
  assertThrows(() => decodeTorchStateDict(deflated, "d.pt"), refusal("d.pt", /compressed \(method 8\)/));
  const flipped = zipTorchFile(tensors(), { zip64: false });
  flipped[30 + "archive/data.pkl".length + 4] ^= 0xff; // inside archive/data.pkl's bytes (after its local header)
  assertThrows(() => decodeTorchStateDict(flipped, "crc.pt"), refusal("crc.pt", /CRC-32/));
});

Deno.test("decodeTorchStateDict() answers any corrupted byte of a legacy or zip file with the tensors or a DataError", () => {
  const rng = new Rng(11);
  for (
    const [name, file] of [["legacy.pkl", legacyTorchFile(tensors())], ["zip.pt", zipTorchFile(tensors())]] as const
  ) {
    for (let trial = 0; trial < 400; trial++) {
      const bytes = file.slice();
      const at = Math.floor(rng.next() * bytes.length);
      bytes[at] = Math.floor(rng.next() * 256);
      try {
        decodeTorchStateDict(bytes, name);
      } catch (e) {
        assert(e instanceof DataError, `byte ${at} of ${name} set to ${bytes[at]}: ${(e as Error).stack}`);
        assert(!e.message.includes("\n") && e.message.includes(name), e.message);
      }
    }
  }
});

Deno.test("decodeTorchStateDict() refuses storages of another dtype and a storage shorter than its tensor", () => {
  const double = new PickleWriter().proto().global("torch", "DoubleStorage").stop().bytes();
  assertThrows(
    () => decodeTorchStateDict(concat([legacyHeader(), double]), "f64.pkl"),
    refusal("f64.pkl", /torch\.DoubleStorage/),
  );
  const short: FixtureTensor = { shape: [4], data: new Float32Array(4), storage: new Float32Array(3) };
  assertThrows(
    () => decodeTorchStateDict(legacyTorchFile(new Map([["w", short]])), "short.pkl"),
    refusal("short.pkl", /reaches element 3 of a storage of 3/),
  );
});

Deno.test("decodeReferenceTensors() tells safetensors, legacy and zip files apart by their bytes", () => {
  const expected = tensors();
  sameTensors(decodeReferenceTensors(legacyTorchFile(expected), "a"), expected);
  sameTensors(decodeReferenceTensors(zipTorchFile(expected), "b"), expected);
  assertThrows(
    () => decodeReferenceTensors(new TextEncoder().encode("hello, world"), "c.txt"),
    refusal("c.txt", /neither a safetensors file nor a torch\.save file/),
  );
});

// --- the authors' 15 published checkpoints (shared data; skipped when absent) ---

// Where the shared data lies: $PATCHSVDD_REFERENCE_WEIGHTS (then absence fails), else beside the project (then skip).
let explicit: string | undefined;
try {
  explicit = Deno.env.get("PATCHSVDD_REFERENCE_WEIGHTS");
} catch { /* no env permission: the default location */ }
const REFERENCE = explicit ?? fileURLToPath(new URL("../../../shared/data/reference_weights", import.meta.url));
const CKPTS = join(REFERENCE, "ckpts");
const present = (() => {
  try {
    return Deno.statSync(join(CKPTS, "bottle", "enchier.pkl")).isFile;
  } catch {
    return false;
  }
})();
const ignore = !present && explicit === undefined;
if (ignore) {
  console.error(`torch_checkpoint_test: ${CKPTS} is absent; the tests on the authors' checkpoints are skipped`);
}

Deno.test({
  name: "the authors' bottle enchier.pkl decodes bit-identical to bottle_enchier.safetensors",
  ignore,
  fn: async () => {
    const path = join(CKPTS, "bottle", "enchier.pkl");
    const pkl = decodeTorchStateDict(await Deno.readFile(path), path);
    const safe = await readSafetensors(join(REFERENCE, "bottle_enchier.safetensors"));
    assertEquals([...pkl.keys()].sort(), [...safe.keys()].sort());
    for (const [name, t] of safe) {
      assertEquals(pkl.get(name)!.shape, t.shape, name);
      assertEquals(new Uint8Array(pkl.get(name)!.data.buffer), new Uint8Array(t.data.buffer), name);
    }
  },
});

Deno.test({
  name: "all 15 of the authors' checkpoints parse as f_big K=64 D=64 state dicts (20 tensors, 401,984 values)",
  ignore,
  fn: async () => {
    const categories = [...Deno.readDirSync(CKPTS)].filter((e) => e.isDirectory).map((e) => e.name).sort();
    assertEquals(categories.length, 15);
    for (const c of categories) {
      const path = join(CKPTS, c, "enchier.pkl");
      const t = decodeTorchStateDict(await Deno.readFile(path), path);
      assertEquals(t.size, 20, c);
      assertEquals(t.get("enc.conv1.weight")!.shape, [32, 3, 3, 3], c);
      assertEquals(t.get("conv2.weight")!.shape, [64, 128, 1, 1], c);
      assertEquals([...t.values()].reduce((n, x) => n + x.data.length, 0), 401984, c);
      assert([...t.values()].every((x) => x.data.every(Number.isFinite)), c);
    }
  },
});
