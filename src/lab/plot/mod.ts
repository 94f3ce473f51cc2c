/**
 * Publication figures: @observablehq/plot rendered server-side on linkedom, returned as
 * {@linkcode Figure}s (standalone SVG; `save()` writes `.svg` + `.png`; displays in Jupyter).
 * Figure functions are pure: plain records in, a figure out, no file reading.
 *
 * - Results: {@linkcode aurocTable} (+ {@linkcode aurocTableMarkdown}), {@linkcode ablationBars},
 *   {@linkcode lambdaCurve}, {@linkcode rocCurves}.
 * - Training and representation: {@linkcode trainingCurves}, {@linkcode activationCurves}, {@linkcode embeddingPca} ({@linkcode pca2}).
 * - Inspection: {@linkcode anomalyMapPanel}, {@linkcode anomalyMapGallery}.
 * - Building blocks: {@linkcode renderPlot}, {@linkcode stack}, {@linkcode grid}, {@linkcode titled},
 *   {@linkcode swatchLegend}, {@linkcode rampLegend}, {@linkcode encodePng}.
 * - The paper's numbers: {@linkcode PAPER_TABLE1}, {@linkcode PAPER_LOSS_ABLATION},
 *   {@linkcode PAPER_HIERARCHY_ABLATION}, {@linkcode SSL_CHANCE}.
 *
 * @module
 */

export {
  DEFAULT_DPI,
  escapeXml,
  Figure,
  FONT_FAMILY,
  JUPYTER_DISPLAY,
  type PngOptions,
  type SavedFigure,
  textWidth,
} from "./figure.ts";
export { elementToFigure, type PlotOptions, renderPlot } from "./render.ts";
export { type PlotDocument, plotDocument, type PlotElement, serializeSvg, svgSize } from "./document.ts";
export { CanvasShim, Context2dShim, type ImageDataLike, parseColor } from "./canvas.ts";
export { encodePng, pngDataUri } from "./png.ts";
export {
  flowRow,
  grid,
  stack,
  type StackOptions,
  textBlock,
  type TextOptions,
  titled,
  type TitleOptions,
  wrapText,
} from "./compose.ts";
export {
  rampLegend,
  type RampLegendOptions,
  type Swatch,
  swatchEntry,
  swatchLegend,
  type SwatchShape,
} from "./legend.ts";
export { METRIC_COLORS, METRIC_NAMES, PALETTE, PAPER_COLOR, REFERENCE_COLOR, UNTRAINED_COLOR } from "./theme.ts";
export { type DetSeg, PAPER_HIERARCHY_ABLATION, PAPER_LOSS_ABLATION, PAPER_TABLE1, SSL_CHANCE } from "./paper.ts";
export { type AurocRow, aurocTable, aurocTableMarkdown, type AurocTableOptions } from "./auroc_table.ts";
export { ablationBars, type AblationBarsOptions, type AblationRow } from "./ablation_bars.ts";
export {
  lambdaCurve,
  type LambdaCurveOptions,
  type LambdaRow,
  powerOfTenLabel,
  type UntrainedLevel,
} from "./lambda_curve.ts";
export { type TimeCurveOptions, type TimePoint, timeToQualityCurve } from "./time_curve.ts";
export { type SeedRun, seedSpread, type SeedSpreadOptions } from "./seed_spread.ts";
export { type NamedRocCurve, rocCurves, type RocCurvesOptions, thinCurve } from "./roc_curves.ts";
export { type LossPanel, lossPanels, trainingCurves, type TrainingCurvesOptions } from "./training_curves.ts";
export {
  activationCurves,
  type ActivationCurvesOptions,
  type ActivationRow,
  type ActivationSeries,
} from "./activation_curves.ts";
export { type Pca2, pca2, symmetricEigen } from "./pca.ts";
export { embeddingPca, type EmbeddingPcaOptions } from "./embedding_pca.ts";
export {
  anomalyMapGallery,
  type AnomalyMapGalleryOptions,
  type AnomalyMapItem,
  anomalyMapPanel,
  type AnomalyMapPanelOptions,
  blendHeatmap,
  colormapTable,
  mapExtent,
} from "./anomaly_map.ts";
export * from "./overlay.ts";
