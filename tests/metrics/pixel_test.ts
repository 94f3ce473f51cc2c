import { assertAlmostEquals, assertEquals } from "./_assert.ts";
import { auroc, rocCurve } from "../../src/metrics/auroc.ts";
import { pixelAuroc, pixelRocCurve } from "../../src/metrics/pixel.ts";
import { Rng } from "../../src/util/rng.ts";

function randomMapsAndMasks(rng: Rng, images: number, pixels: number) {
  const maps: Float32Array[] = [], masks: Uint8Array[] = [];
  for (let m = 0; m < images; m++) {
    const map = new Float32Array(pixels), mask = new Uint8Array(pixels);
    const defective = m % 2 === 0;
    for (let i = 0; i < pixels; i++) {
      mask[i] = defective && rng.next() < 0.2 ? 1 : 0;
      map[i] = rng.int(20) / 10 + mask[i] * 0.5;
    }
    maps.push(map);
    masks.push(mask);
  }
  return { maps, masks };
}

function concat(parts: ArrayLike<number>[]): Float64Array {
  return Float64Array.from(parts.flatMap((p) => Array.from(p)));
}

Deno.test("pixelAuroc() pools all pixels of all images: equals auroc() of the concatenation", () => {
  const { maps, masks } = randomMapsAndMasks(new Rng(11), 6, 64);
  assertAlmostEquals(pixelAuroc(maps, masks), auroc(concat(maps), concat(masks)), 1e-12);
  assertAlmostEquals(pixelAuroc(maps.map((m) => Array.from(m)), masks), auroc(concat(maps), concat(masks)), 1e-12);
});

Deno.test("pixelRocCurve() equals rocCurve() of the concatenation", () => {
  const { maps, masks } = randomMapsAndMasks(new Rng(12), 4, 50);
  assertEquals(pixelRocCurve(maps, masks), rocCurve(concat(maps), concat(masks)));
});
