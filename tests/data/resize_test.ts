import { resizeBicubic } from "../../src/data/resize.ts";
import { assert } from "./_helpers.ts";

interface PilCase {
  width: number;
  height: number;
  channels: number;
  outWidth: number;
  outHeight: number;
  input: string;
  output: string;
}

const fixture: { cases: PilCase[] } = JSON.parse(
  await Deno.readTextFile(new URL("../testdata/data/pil_bicubic.json", import.meta.url)),
);

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

Deno.test("resizeBicubic() matches Pillow's BICUBIC resize bit for bit when enlarging, shrinking and both", () => {
  assert.equal(fixture.cases.length, 5);
  for (const c of fixture.cases) {
    const out = resizeBicubic(fromBase64(c.input), c.width, c.height, c.channels, c.outWidth, c.outHeight);
    const expected = fromBase64(c.output);
    assert.equal(out.length, c.outWidth * c.outHeight * c.channels);
    const mismatches = out.reduce((n, v, i) => n + (v !== expected[i] ? 1 : 0), 0);
    assert.equal(mismatches, 0, `${c.width}x${c.height}x${c.channels} -> ${c.outWidth}x${c.outHeight}`);
  }
});

Deno.test("resizeBicubic() returns the input unchanged when the size does not change", () => {
  const pixels = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 37) % 256);
  assert.equal(resizeBicubic(pixels, 5, 4, 3, 5, 4), pixels);
});

Deno.test("resizeBicubic() keeps a flat image flat and rejects a buffer of the wrong length", () => {
  const flat = new Uint8Array(9 * 7 * 3).fill(200);
  assert.ok(resizeBicubic(flat, 9, 7, 3, 31, 4).every((v) => v === 200));
  assert.throws(() => resizeBicubic(flat, 9, 8, 3, 4, 4), RangeError);
  assert.throws(() => resizeBicubic(flat, 9, 7, 3, 0, 4), RangeError);
});
