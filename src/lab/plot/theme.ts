/**
 * Visual constants shared by the figures: one palette, one colour for "ours" and one for
 * "the paper", so that every figure reads the same way.
 *
 * @module
 */

/** Categorical palette (Plot's `observable10`), for methods, metrics and curves. */
export const PALETTE: readonly string[] = Object.freeze([
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
  "#9498a0",
]);

/** Colour of the paper's numbers (ticks, markers, reference lines). */
export const PAPER_COLOR = "#111111";

/** Colour of chance levels and other reference lines. */
export const REFERENCE_COLOR = "#888888";

/** Colour of the untrained encoder's level (0 training steps) on ablation figures. */
export const UNTRAINED_COLOR = "#777777";

/** Colours of detection and segmentation AUROC, used wherever the two appear side by side. */
export const METRIC_COLORS: Readonly<Record<"det" | "seg", string>> = Object.freeze({ det: "#4269d0", seg: "#ff725c" });

/** Names of the two metrics on axes and legends. */
export const METRIC_NAMES: Readonly<Record<"det" | "seg", string>> = Object.freeze({
  det: "detection AUROC",
  seg: "segmentation AUROC",
});

/** Ground-truth contour colour on anomaly maps. */
export const GROUND_TRUTH_COLOR = "#00e000";

/** Predicted-mask contour colour on anomaly maps. */
export const PREDICTION_COLOR = "#ff2020";
