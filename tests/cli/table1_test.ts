import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { errorLine, runCli } from "./_run.ts";
import { generateSynthetic } from "../../src/data/synthetic.ts";
import { createEncoder, disposeEncoder, type EncoderOptions } from "../../src/model/encoder.ts";
import { exportReferenceEncoder, referenceTensors } from "../../src/model/reference_weights.ts";
import { readSafetensors } from "../../src/model/safetensors.ts";
import type { FixtureTensor } from "../model/_torch_fixtures.ts";
import { legacyTorchFile, maliciousPickle, PickleWriter, zipTorchFile } from "../model/_torch_fixtures.ts";

await tf.setBackend("cpu");
const tmp = await Deno.makeTempDir({ prefix: "patchsvdd-table1-" });

/** A random encoder's state dict (PyTorch layout), and the same encoder written as safetensors. */
async function stateDict(options: EncoderOptions, seed: number, safetensors?: string) {
  const encoder = createEncoder(options, seed);
  const tensors = new Map<string, FixtureTensor>(
    [...referenceTensors(encoder)].map(([name, t]) => [name, { shape: t.shape, data: t.data }]),
  );
  if (safetensors) await exportReferenceEncoder(safetensors, encoder);
  disposeEncoder(encoder);
  return tensors;
}

const F_BIG: EncoderOptions = { encoder: "hier", patchSize: 64, embeddingDim: 64 };
const fBig = await stateDict(F_BIG, 1, `${tmp}/f_big.safetensors`);
await Deno.writeFile(`${tmp}/f_big.pkl`, legacyTorchFile(fBig));
await Deno.writeFile(`${tmp}/f_big.pt`, zipTorchFile(fBig));

/** Bad checkpoints, each with what its one-line error must say. */
const full = legacyTorchFile(fBig);
const wrongShape = new Map(fBig);
wrongShape.set("enc.conv1.weight", { shape: [32, 1, 3, 3], data: new Float32Array(32 * 9) });
const BAD: [string, Uint8Array, RegExp][] = [
  ["truncated.pkl", full.subarray(0, Math.floor(full.length / 2)), /is truncated/],
  ["evil.pkl", maliciousPickle(), /global os\.system, which is not on the allow-list/],
  [
    "list.pkl",
    legacyTorchFile(fBig, new PickleWriter().proto().op(0x5d).stop().bytes()),
    /holds a list of 0, not a state dict/,
  ],
  [
    "resnet.pkl",
    legacyTorchFile(new Map([["fc.weight", { shape: [10, 5], data: new Float32Array(50) }]])),
    /hold no Patch SVDD encoder.*found fc\.weight/,
  ],
  ["shapes.pkl", legacyTorchFile(wrongShape), /wrong shape: enc\.conv1\.weight expected \[32, 3, 3, 3\]/],
];
for (const [name, bytes] of BAD) await Deno.writeFile(`${tmp}/${name}`, bytes);

function assertRefused(r: { code: number; stderr: string; stdout: string }, file: string, pattern: RegExp) {
  assertEquals(r.code, 2, r.stderr);
  const lines = r.stderr.split("\n").filter((l) => l.trim() && !l.includes("Task"));
  assertEquals(lines.length, 1, `expected one line but found:\n${r.stderr}`);
  const line = errorLine(r);
  assert(line.startsWith("error: ") && line.includes(file), line);
  assert(pattern.test(line), `${line} !~ ${pattern}`);
}

async function absent(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => false, () => true);
}

Deno.test("import-weights reads a legacy .pkl and a zip .pt into the same weights as the safetensors file", async () => {
  for (const ext of ["safetensors", "pkl", "pt"]) {
    const r = await runCli("import_weights", [`${tmp}/f_big.${ext}`, "--out", `${tmp}/run_${ext}`]);
    assertEquals(r.code, 0, r.stderr);
  }
  const expected = await readSafetensors(`${tmp}/run_safetensors/checkpoint.safetensors`);
  for (const ext of ["pkl", "pt"]) {
    const got = await readSafetensors(`${tmp}/run_${ext}/checkpoint.safetensors`);
    assertEquals([...got.keys()], [...expected.keys()]);
    for (const [name, t] of expected) assertEquals(got.get(name)!.data, t.data, `${ext} ${name}`);
  }
});

Deno.test("import-weights refuses a truncated, malicious, non-state-dict or foreign .pkl in one line, exit 2, nothing written", async () => {
  for (const [name, , pattern] of BAD) {
    const out = `${tmp}/refused_${name}`;
    assertRefused(await runCli("import_weights", [`${tmp}/${name}`, "--out", out]), `${tmp}/${name}`, pattern);
    assert(await absent(out), `${out} was created`);
  }
});

// A synthetic category at the kit's image size (256), small enough to evaluate in seconds.
const data = `${tmp}/data`;
const synth = await generateSynthetic(data, { size: 256, numTrain: 2, numTestGood: 1, numTestDefect: 1, seed: 5 });

async function ckptsWith(name: string, files: Record<string, Uint8Array>): Promise<string> {
  const dir = `${tmp}/${name}`;
  for (const [category, bytes] of Object.entries(files)) {
    await Deno.mkdir(join(dir, category), { recursive: true });
    await Deno.writeFile(join(dir, category, "enchier.pkl"), bytes);
  }
  return dir;
}

Deno.test("table1 refuses a bad checkpoint in one line naming it, exit 2, and writes nothing into --out", async () => {
  const fSmall = legacyTorchFile(await stateDict({ encoder: "hier", patchSize: 32, embeddingDim: 64 }, 2));
  const cases: [string, Uint8Array, RegExp][] = [
    ...BAD.map(([name, bytes, pattern]) => [name, bytes, pattern] as [string, Uint8Array, RegExp]),
    ["f_small.pkl", fSmall, /patchSize 64 but it has 32/],
  ];
  for (const [name, bytes, pattern] of cases) {
    const ckpts = await ckptsWith(`ckpts_${name}`, { [synth.category]: bytes });
    const out = `${tmp}/table_${name}`;
    const r = await runCli("table1", ["--weights", ckpts, "--data", data, "--out", out]);
    assertRefused(r, join(ckpts, synth.category, "enchier.pkl"), pattern);
    assert(await absent(out), `${out} was created`);
  }
});

Deno.test("table1 evaluates each checkpoint with data, names the skipped ones, and does not redo a finished one", async () => {
  const ckpts = await ckptsWith("ckpts_ok", { [synth.category]: full, carpet: full });
  const out = `${tmp}/table_ok`;
  const first = await runCli("table1", ["--weights", ckpts, "--data", data, "--out", out]);
  assertEquals(first.code, 0, first.stderr);
  assert(first.stderr.includes(`[1/1] ${synth.category}: evaluating (exact search)`), first.stderr);
  const md = await Deno.readTextFile(`${out}/table.md`);
  assert(md.includes(`| ${synth.category} | `), md);
  assert(md.includes("Skipped: no data for carpet."), md);
  const csv = (await Deno.readTextFile(`${out}/table.csv`)).trim().split("\n");
  assertEquals(csv[0], "category,det,det_paper,seg,seg_paper,aupro,seconds");
  assertEquals(csv.length, 3); // the category and the mean
  const metrics = JSON.parse(await Deno.readTextFile(`${out}/${synth.category}/metrics.json`));
  assertEquals(metrics.config.inspect.nn, "exact");
  assert(md.includes(`| ${synth.category} | ${metrics.image_auroc.mult.toFixed(3)} | – |`), md);
  assert(await absent(`${out}/${synth.category}/overlays`));
  assert((await Deno.stat(`${out}/${synth.category}/report.html`)).isFile);
  assert((await Deno.readTextFile(`${out}/.gitignore`)).includes("*/checkpoint.safetensors"));

  const before = (await Deno.stat(`${out}/${synth.category}/metrics.json`)).mtime;
  const second = await runCli("table1", ["--weights", ckpts, "--data", data, "--out", out]);
  assertEquals(second.code, 0, second.stderr);
  assert(second.stderr.includes("finished before"), second.stderr);
  assertEquals((await Deno.stat(`${out}/${synth.category}/metrics.json`)).mtime, before);
  assertEquals(await Deno.readTextFile(`${out}/table.md`), md);
});

Deno.test("table1 with no category that has both a checkpoint and data says which are missing (exit 2)", async () => {
  const ckpts = await ckptsWith("ckpts_none", { carpet: full });
  const r = await runCli("table1", ["--weights", ckpts, "--data", data, "--out", `${tmp}/none`]);
  assertEquals(r.code, 2, r.stderr);
  assert(/No category has both .*no data for carpet; no checkpoint for synthetic/.test(errorLine(r)), errorLine(r));
  assert(await absent(`${tmp}/none`));
});
