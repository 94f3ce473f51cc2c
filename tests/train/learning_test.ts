/**
 * Training learns: on a small synthetic category, L_SSL falls clearly below chance
 * (ln 8 = 2.079) and the trained encoder's anomaly maps beat the random encoder's.
 * CI-sized: 64 px images, f_small only (K=32), lr 1e-3 (10x the reference, to learn in
 * about a hundred steps).
 */
import { assert } from "../assert.ts";
import { DEFAULT_CONFIG, mergeConfig } from "../../src/config.ts";
import { generateSynthetic } from "../../src/data/synthetic.ts";
import { runEvalJob } from "../../src/jobs/eval_job.ts";
import { runTrainJob } from "../../src/jobs/train_job.ts";

const backend = Deno.env.get("PATCHSVDD_TEST_BACKEND") as "native" | undefined ?? "native";

Deno.test("training lowers L_SSL below chance and beats the random encoder on synthetic data", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "patchsvdd-learn-" });
  const size = 64;
  const synth = await generateSynthetic(`${tmp}/data`, {
    kind: "object",
    size,
    numTrain: 16,
    numTestGood: 6,
    numTestDefect: 3,
    seed: 5,
  });
  const config = mergeConfig(DEFAULT_CONFIG, {
    imageSize: size,
    train: { patchSize: 32, batchSize: 32, embeddingDim: 32, learningRate: 1e-3, seed: 1 },
    inspect: { nn: "exact", strideK32: 2 },
  });
  const job = { data: `${tmp}/data`, category: synth.category, config, backend, quiet: true } as const;
  await runTrainJob({ ...job, out: `${tmp}/random`, steps: 0 });
  await runTrainJob({ ...job, out: `${tmp}/trained`, steps: 100 });
  const log = (await Deno.readTextFile(`${tmp}/trained/train_log.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
  const tail = log.slice(-15).map((r) => r.ssl32 as number);
  const meanSsl = tail.reduce((a, b) => a + b, 0) / tail.length;
  assert(meanSsl < 1.8, `mean L_SSL over the last 15 steps ${meanSsl.toFixed(3)} is not clearly below ln 8 = 2.079`);
  const random = await runEvalJob({ run: `${tmp}/random`, backend, overlays: false, quiet: true });
  const trained = await runEvalJob({ run: `${tmp}/trained`, backend, overlays: false, quiet: true });
  const r = random.pixel_auroc!.k32, t = trained.pixel_auroc!.k32;
  assert(t > r, `trained pixel AUROC ${t.toFixed(4)} does not beat the random encoder's ${r.toFixed(4)}`);
  console.log(
    `L_SSL ${meanSsl.toFixed(3)}; pixel AUROC random ${r.toFixed(4)} -> trained ${t.toFixed(4)}; ` +
      `image AUROC random ${random.image_auroc.k32.toFixed(4)} -> trained ${trained.image_auroc.k32.toFixed(4)}`,
  );
  await Deno.remove(tmp, { recursive: true });
});
