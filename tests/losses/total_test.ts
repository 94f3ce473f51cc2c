import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { assertScalar } from "./_close.ts";
import { type ScaleTerms, totalLoss } from "../../src/losses/total.ts";
import type { LossSwitches } from "../../src/config.ts";

await tf.setBackend("cpu");

const REFERENCE: LossSwitches = { ssl: true, svddPrime: true, svdd: false };

/** Two scales' terms: K=64 then K=32, as plain numbers. */
function scales(): ScaleTerms[] {
  return [
    { ssl: tf.scalar(1.5), svddPrime: tf.scalar(2), svdd: tf.scalar(4) },
    { ssl: tf.scalar(0.5), svddPrime: tf.scalar(10), svdd: tf.scalar(6) },
  ];
}

function dispose(terms: ScaleTerms[]): void {
  for (const t of terms) tf.dispose([t.ssl, t.svddPrime, t.svdd].filter((x) => x !== undefined));
}

Deno.test("totalLoss() is L_SSL(64) + L_SSL(32) + lambda * (L_SVDD'(64) + L_SVDD'(32)) with the reference's switches", () => {
  // 1.5 + 0.5 + 0.1 * (2 + 10) = 2 + 1.2 = 3.2   (L_SVDD = 4, 6 switched off)
  const t = scales();
  assertScalar(totalLoss(t, 0.1, REFERENCE), 3.2);
  dispose(t);
});

Deno.test("totalLoss() weighs L_SVDD by lambda too when it is switched on", () => {
  // 1.5 + 0.5 + 0.1 * (2 + 10) + 0.1 * (4 + 6) = 3.2 + 1.0 = 4.2
  const t = scales();
  assertScalar(totalLoss(t, 0.1, { ssl: true, svddPrime: true, svdd: true }), 4.2);
  dispose(t);
});

Deno.test("totalLoss() with lambda = 0 is the SSL terms alone; lambda never weighs L_SSL", () => {
  // lambda 0: 1.5 + 0.5 = 2;  lambda 1e-3 (the published command): 2 + 1e-3 * 12 = 2.012
  const t = scales();
  assertScalar(totalLoss(t, 0, REFERENCE), 2);
  assertScalar(totalLoss(t, 1e-3, REFERENCE), 2.012);
  dispose(t);
});

Deno.test("totalLoss() without L_SSL is lambda * L_SVDD' alone (the paper's L_SVDD' ablation)", () => {
  // 1 * (2 + 10) = 12
  const t = scales();
  assertScalar(totalLoss(t, 1, { ssl: false, svddPrime: true, svdd: false }), 12);
  dispose(t);
});

Deno.test("totalLoss() skips a term a scale does not have (one scale, SSL only)", () => {
  // only K=64's L_SSL exists: 0.75
  const t: ScaleTerms[] = [{ ssl: tf.scalar(0.75) }];
  assertScalar(totalLoss(t, 0.5, REFERENCE), 0.75);
  dispose(t);
});
