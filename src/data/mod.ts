/**
 * The data stage: an MVTec AD category (or the embedded synthetic one) becomes
 * typed arrays in the reference's order and preprocessing.
 *
 * - {@linkcode indexCategory}: folder -> samples (split, defect, label, mask path), no decoding
 * - {@linkcode decodeImage} / {@linkcode decodeMask}: one file -> resized pixels / binary mask
 * - {@linkcode resizeBicubic}: Pillow-exact bicubic resize (the reference's filter)
 * - {@linkcode DecodeCache}: the same, with an on-disk cache
 * - {@linkcode loadDataset}: a category -> stacked train/test arrays, masks, train mean image
 * - {@linkcode normalize}: `(x - mean) / 255`, the network's input
 * - {@linkcode generateSynthetic}: a seeded texture or object category with exact masks
 *
 * @module
 */

export {
  comparePaths,
  type DatasetIndex,
  IMAGE_EXTENSIONS,
  indexCategory,
  type IndexOptions,
  isImageFile,
  type Sample,
} from "./mvtec_index.ts";
export {
  type DecodedImage,
  type DecodedMask,
  decodeImage,
  decodeMask,
  type ImageDims,
  maskWarnings,
} from "./decode.ts";
export { resizeBicubic } from "./resize.ts";
export { type CacheStats, DecodeCache, defaultCacheDir } from "./cache.ts";
export { computeMeanImage, type Dataset, type ImageSet, loadDataset, type LoadOptions, normalize } from "./dataset.ts";
export {
  generateSynthetic,
  SYNTHETIC_DEFECTS,
  SYNTHETIC_MANIFEST,
  type SyntheticKind,
  type SyntheticOptions,
  type SyntheticParams,
  type SyntheticSummary,
} from "./synthetic.ts";
