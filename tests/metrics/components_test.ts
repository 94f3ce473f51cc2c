import { assertEquals } from "./_assert.ts";
import { labelComponents } from "../../src/metrics/components.ts";
import { Rng } from "../../src/util/rng.ts";

/** Reference labelling: propagate the minimum pixel index over 8-neighbours until nothing changes. */
function bruteComponents(mask: Uint8Array, width: number): Int32Array {
  const height = mask.length / width;
  const root = new Int32Array(mask.length).map((_, i) => (mask[i] ? i : -1));
  for (let changed = true; changed;) {
    changed = false;
    for (let p = 0; p < mask.length; p++) {
      if (root[p] < 0) continue;
      const y = Math.floor(p / width), x = p % width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy, xx = x + dx;
          if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
          const q = yy * width + xx;
          if (root[q] >= 0 && root[q] < root[p]) {
            root[p] = root[q];
            changed = true;
          }
        }
      }
    }
  }
  return root;
}

Deno.test("labelComponents() finds the same 8-connected regions and sizes as label propagation", () => {
  const rng = new Rng(21);
  for (const [width, height, density] of [[13, 9, 0.3], [20, 20, 0.45], [1, 30, 0.5], [30, 1, 0.5]]) {
    const mask = new Uint8Array(width * height).map(() => (rng.next() < density ? 1 : 0));
    const { labels, count, sizes } = labelComponents(mask, width);
    const roots = bruteComponents(mask, width);
    // Same partition: pixels share a label iff they share a root.
    const rootToLabel = new Map<number, number>();
    for (let p = 0; p < mask.length; p++) {
      assertEquals(labels[p] === 0, roots[p] < 0);
      if (roots[p] < 0) continue;
      if (!rootToLabel.has(roots[p])) rootToLabel.set(roots[p], labels[p]);
      assertEquals(labels[p], rootToLabel.get(roots[p]));
    }
    assertEquals(count, rootToLabel.size);
    for (let c = 1; c <= count; c++) assertEquals(sizes[c], labels.filter((l) => l === c).length);
  }
});

Deno.test("labelComponents() joins diagonal neighbours (8-connectivity)", () => {
  assertEquals(labelComponents(new Uint8Array([1, 0, 0, 0, 1, 0, 0, 0, 1]), 3).count, 1);
  assertEquals(labelComponents(new Uint8Array([1, 0, 1, 0, 0, 0, 1, 0, 1]), 3).count, 4);
});
