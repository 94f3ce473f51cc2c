/**
 * One step's loss terms under dense sampling (`--sampling dense`, a named deviation): a few
 * crops of side 2K are encoded once, fully convolutionally, and every scale's SSL and SVDD'
 * pairs are drawn from their 2 px embedding grids (src/sampling/dense.ts; the flat encoder's
 * grid comes from phase-shifted sub-crops, src/model/cell_embed.ts), so a forward pass
 * yields many patch embeddings at a fraction of the reference's cost per pair.
 *
 * The SSL perturbation stays per patch in spirit: each crop is encoded twice, with
 * independent colour shifts and pixel noise, and an SSL pair takes its first patch from
 * one copy and its second from the other. SVDD' (and L_SVDD) pairs use the first copy.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs-core";
import type { TrainConfig } from "../config.ts";
import { classifyPositions } from "../model/classifier.ts";
import { type CellRequest, denseGrid, embedCellBatches, innermostLevel } from "../model/cell_embed.ts";
import { sslLoss } from "../losses/ssl.ts";
import { svddLoss } from "../losses/svdd.ts";
import { svddPrimeLoss } from "../losses/svdd_prime.ts";
import { cropPatches, perturbPatches } from "../sampling/crop.ts";
import {
  type CellPairs,
  DEFAULT_DENSE_CROPS,
  denseCropSize,
  patchPositions,
  sampleCellPairs,
  sampleCrops,
} from "../sampling/dense.ts";
import type { Rng } from "../util/rng.ts";
import type { PatchSvddModel } from "./model.ts";
import type { TrainImages } from "./train_images.ts";

/** What a dense step drew on the host (no tensors). */
export interface DenseDraw {
  /** Crop side C. */
  cropSize: number;
  /** Number of crops. */
  numCrops: number;
  /** The crops as encoded for SVDD' pairs and SSL first patches, [n, C, C, 3]. */
  first: Float32Array;
  /** The second, independently perturbed copy for SSL second patches (null without SSL). */
  second: Float32Array | null;
  /** Per scale K: SSL and SVDD' cell pairs (null when that loss is off). */
  scales: { k: number; ssl: CellPairs | null; svdd: CellPairs | null }[];
}

/**
 * Draw one dense step: crops, their perturbed copies, and every scale's cell pairs.
 *
 * @param model the model (f_small, hierarchical or flat)
 * @param config training configuration (`batchSize` pairs per pair set and scale, `denseCrops` crops)
 * @param data normalised training images
 * @param rng seeded generator, advanced
 * @returns the draw
 */
export function drawDenseStep(model: PatchSvddModel, config: TrainConfig, data: TrainImages, rng: Rng): DenseDraw {
  const numCrops = config.denseCrops ?? DEFAULT_DENSE_CROPS;
  const kind = model.levels[0].kind === "flat" ? "flat" : "hier";
  const cropSize = denseCropSize(data.size, model.levels[0].patchSize, kind);
  const crops = sampleCrops(numCrops, data.count, data.size, cropSize, rng);
  const cut = () => cropPatches(data.images, data.size, crops.image, crops.corners, cropSize);
  const ssl = config.losses.ssl;
  const first = ssl ? perturbPatches(cut(), cropSize, config.sslNoiseStd, rng) : cut();
  const second = ssl ? perturbPatches(cut(), cropSize, config.sslNoiseStd, rng) : null;
  const wantPairs = config.losses.svddPrime || config.losses.svdd;
  const scales = model.levels.map((level) => {
    const k = level.patchSize, at = patchPositions(kind, cropSize, k);
    return {
      k,
      ssl: ssl ? sampleCellPairs("ssl", config.batchSize, numCrops, at, k, rng) : null,
      svdd: wantPairs ? sampleCellPairs("svdd-prime", config.batchSize, numCrops, at, k, rng) : null,
    };
  });
  return { cropSize, numCrops, first, second, scales };
}

/**
 * The loss terms of a dense draw (inside a gradient tape), named as the reference
 * sampling's (`ssl64`, `svddPrime32`, ...).
 *
 * @param model the model
 * @param config training configuration
 * @param draw from {@linkcode drawDenseStep}
 * @returns per-scale terms by name
 */
export function denseStepTerms(model: PatchSvddModel, config: TrainConfig, draw: DenseDraw): Map<string, tf.Scalar> {
  const named = new Map<string, tf.Scalar>();
  const pixels = innermostLevel(model.encoder);
  const shape: [number, number, number, number] = [draw.numCrops, draw.cropSize, draw.cropSize, 3];
  const gridA = denseGrid(pixels, tf.tensor4d(draw.first, shape));
  const gridB = draw.second ? denseGrid(pixels, tf.tensor4d(draw.second, shape)) : null;
  // All of a grid's patches in one gather: [ssl first, svdd first, svdd second] per scale from A, ssl second from B.
  const fromA: CellRequest[] = [], fromB: CellRequest[] = [];
  draw.scales.forEach(({ ssl, svdd }, i) => {
    const level = model.levels[i];
    if (ssl) fromA.push({ level, crop: ssl.crop, cells: ssl.first });
    if (ssl) fromB.push({ level, crop: ssl.crop, cells: ssl.second });
    if (svdd) fromA.push({ level, crop: svdd.crop, cells: svdd.first }, { level, crop: svdd.crop, cells: svdd.second });
  });
  const a = embedCellBatches(gridA, fromA), b = gridB ? embedCellBatches(gridB, fromB) : [];
  draw.scales.forEach(({ k, ssl, svdd }) => {
    if (ssl) {
      const logits = classifyPositions(model.classifiers.get(k)!, a.shift()!, b.shift()!);
      named.set(`ssl${k}`, sslLoss(logits, ssl.label));
    }
    if (svdd) {
      const h1 = a.shift()!, h2 = a.shift()!;
      if (config.losses.svddPrime) named.set(`svddPrime${k}`, svddPrimeLoss(h1, h2));
      const center = model.centers?.get(k);
      if (config.losses.svdd && center) named.set(`svdd${k}`, svddLoss(h1, center));
    }
  });
  return named;
}
