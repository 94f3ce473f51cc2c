import { embeddingPca } from "../../../src/lab/plot/mod.ts";
import { assert, assertThrows } from "../../assert.ts";
import { assertFigure } from "./_helpers.ts";
import { syntheticEmbeddings } from "./_synthetic.ts";

Deno.test("embeddingPca() scatters normal and anomalous embeddings with explained variance on the axes", async () => {
  const { embeddings, labels } = syntheticEmbeddings(600, 16);
  const figure = embeddingPca(embeddings, 16, labels, { title: "bottle K=64", maxPoints: 300 });
  await assertFigure(figure, [
    "bottle K=64",
    "PC1 (",
    "PC2 (",
    "% of variance)",
    "normal (n = 540)",
    "anomalous (n = 60)",
  ]);
  assert(figure.svg.includes("300 of 600 points drawn"));
  const circles = (figure.svg.match(/<circle/g) ?? []).length;
  assert(circles <= 300 + 2, `drew ${circles} circles`); // + the two legend dots
});

Deno.test("embeddingPca() rejects a label count that does not match the vectors", () => {
  const { embeddings } = syntheticEmbeddings(10, 4);
  assertThrows(() => embeddingPca(embeddings, 4, new Uint8Array(9)), RangeError);
});
