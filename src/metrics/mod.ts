/**
 * Evaluation metrics on plain typed arrays: image-level and pooled pixel-level
 * AUROC (exact with ties), ROC curves, per-defect AUROC, AUPRO (MVTec AD's
 * official definition, FPR limit 0.3) and F1-max.
 *
 * Conventions: label/mask value 0 is normal, any other value anomalous; higher
 * scores are more anomalous; a sample is predicted anomalous when score >= threshold.
 *
 * @module
 */

export { auroc, aurocOfClasses, type RocCurve, rocCurve, rocCurveOfClasses, type RocCurveOptions } from "./auroc.ts";
export { aupro, type AuproOptions } from "./aupro.ts";
export { type Components, labelComponents } from "./components.ts";
export { type F1Max, f1Max, f1MaxOfClasses, pixelF1Max } from "./f1_max.ts";
export { perDefectAuroc } from "./per_defect.ts";
export { pixelAuroc, pixelRocCurve } from "./pixel.ts";
export { type ClassScores, forEachThreshold, splitByLabel, splitByLabelPooled } from "./ranked.ts";
export type { ScoreArray } from "./sort.ts";
