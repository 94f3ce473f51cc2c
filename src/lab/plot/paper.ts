/**
 * The numbers Patch SVDD's paper reports (Yi & Yoon, ACCV 2020), as AUROC fractions in [0, 1],
 * for marking on figures. Source: docs/REFERENCE.md section 7.
 *
 * @module
 */

/** Detection (image-level) and segmentation (pixel-level) AUROC, fractions in [0, 1]. */
export interface DetSeg {
  /** Image-level AUROC. */
  det: number;
  /** Pixel-level AUROC. */
  seg: number;
}

/** The paper's Table 1: AUROC per MVTec AD class, and the `mean` row. */
export const PAPER_TABLE1: Readonly<Record<string, DetSeg>> = Object.freeze({
  carpet: { det: 0.929, seg: 0.926 },
  grid: { det: 0.946, seg: 0.962 },
  leather: { det: 0.909, seg: 0.974 },
  tile: { det: 0.978, seg: 0.914 },
  wood: { det: 0.965, seg: 0.908 },
  bottle: { det: 0.986, seg: 0.981 },
  cable: { det: 0.903, seg: 0.968 },
  capsule: { det: 0.767, seg: 0.958 },
  hazelnut: { det: 0.920, seg: 0.975 },
  metal_nut: { det: 0.940, seg: 0.980 },
  pill: { det: 0.861, seg: 0.951 },
  screw: { det: 0.813, seg: 0.957 },
  toothbrush: { det: 1.000, seg: 0.981 },
  transistor: { det: 0.915, seg: 0.970 },
  zipper: { det: 0.979, seg: 0.951 },
  mean: { det: 0.921, seg: 0.957 },
});

/** The paper's loss ablation (mean over classes). */
export const PAPER_LOSS_ABLATION: Readonly<Record<string, DetSeg>> = Object.freeze({
  "L_SVDD": { det: 0.703, seg: 0.832 },
  "L_SVDD'": { det: 0.739, seg: 0.880 },
  "L_SVDD' + L_SSL": { det: 0.921, seg: 0.957 },
});

/** The paper's hierarchy ablation, read off a bar chart (approximate). */
export const PAPER_HIERARCHY_ABLATION: Readonly<Record<string, DetSeg>> = Object.freeze({
  "non-hierarchical K=64": { det: 0.81, seg: 0.88 },
  "hierarchical K=64": { det: 0.895, seg: 0.93 },
  "hierarchical K=32": { det: 0.90, seg: 0.957 },
  "fused (mult)": { det: 0.921, seg: 0.957 },
});

/** Chance level of the 8-way position classification loss L_SSL: ln 8. */
export const SSL_CHANCE: number = Math.log(8);
