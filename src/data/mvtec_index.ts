/**
 * Indexing an MVTec-AD-style category: folder -> list of samples with their split,
 * defect type, label and mask path, checked before a single pixel is decoded.
 *
 * Layout (REFERENCE.md section 1):
 * ```
 * ROOT/<category>/train/good/*.png
 * ROOT/<category>/test/<defect>/*.png              (defect "good" = normal)
 * ROOT/<category>/ground_truth/<defect>/<name>_mask.png
 * ```
 * PNG and JPEG files are accepted (extension in any case); hidden files and
 * non-image files (readme, .DS_Store, license.txt) are ignored.
 *
 * @module
 */

import { basename, extname, join, resolve } from "node:path";
import { DataError } from "../errors.ts";

/** One image of the dataset, before decoding. */
export interface Sample {
  /** Path of the image file (root joined with the layout; absolute when the root is). */
  path: string;
  /** Which split the image belongs to. */
  split: "train" | "test";
  /** Defect type: the folder name under test/, "good" for normal images. */
  defect: string;
  /** 0 for normal ("good"), 1 for anomalous. */
  label: 0 | 1;
  /** Ground-truth mask of a defect image; null for normal images. */
  maskPath: string | null;
}

/** The samples of one category in the reference's order. */
export interface DatasetIndex {
  /** Dataset root as given. */
  root: string;
  /** Category folder name, e.g. "bottle". */
  category: string;
  /** train/good images, sorted by path. */
  train: Sample[];
  /** Defect images first (sorted by full path), then test/good (sorted). */
  test: Sample[];
}

/** Options of {@linkcode indexCategory}. */
export interface IndexOptions {
  /**
   * Require a mask for every defect image (default true). With false, a defect image
   * without a mask gets `maskPath: null` (detection-only datasets).
   */
  requireMasks?: boolean;
  /** Receives one-line notes about files that were passed over. */
  onWarning?: (message: string) => void;
}

/** File extensions read as images (compared in lower case). */
export const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg"];

/**
 * Whether a file name looks like an image the kit can read.
 *
 * @param name a file name or path
 * @returns true for .png, .jpg and .jpeg in any case, false for hidden files
 */
export function isImageFile(name: string): boolean {
  const base = basename(name);
  return !base.startsWith(".") && IMAGE_EXTENSIONS.includes(extname(base).toLowerCase());
}

/**
 * Order of paths: UTF-16 code units, which is Python's `sorted` order on ASCII paths.
 *
 * @param a a path
 * @param b another path
 * @returns negative, zero or positive, for `Array.prototype.sort`
 */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function kindOf(path: string): Promise<"dir" | "file" | "missing"> {
  try {
    const info = await Deno.stat(path);
    return info.isDirectory ? "dir" : "file";
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "missing";
    throw new DataError(`${path} cannot be read (${(e as Error).message}); check its permissions`);
  }
}

/** Names of the entries of a directory (symlinks followed), split into files and folders, sorted. */
async function listDir(path: string): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  try {
    for await (const entry of Deno.readDir(path)) {
      let isDir = entry.isDirectory;
      let isFile = entry.isFile;
      if (entry.isSymlink) {
        const k = await kindOf(join(path, entry.name));
        isDir = k === "dir";
        isFile = k === "file";
      }
      if (isDir) dirs.push(entry.name);
      else if (isFile) files.push(entry.name);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(`${path} cannot be listed (${(e as Error).message}); check that it is a readable folder`);
  }
  files.sort(comparePaths);
  dirs.sort(comparePaths);
  return { files, dirs };
}

/** Image files of a folder as full paths, sorted. */
async function imagesIn(dir: string): Promise<string[]> {
  const { files } = await listDir(dir);
  return files.filter(isImageFile).map((name) => join(dir, name)).sort(comparePaths);
}

function stem(name: string): string {
  const base = basename(name);
  return base.slice(0, base.length - extname(base).length);
}

/**
 * Index one category of an MVTec-AD-style dataset (directory listings only, no decoding).
 *
 * Errors are {@linkcode DataError}s with one line naming the path and the fix: root or
 * category missing (the message lists the categories that exist), `train/good` absent or
 * without images, no `test` folder, a defect image without its mask, a mask without its image.
 *
 * @param root dataset root, the folder holding the category folders
 * @param category category folder name, e.g. "bottle"
 * @param opts see {@linkcode IndexOptions}
 * @returns train samples (sorted) and test samples (defects sorted by path, then good)
 * @throws {DataError} for any layout problem
 * @example
 * ```ts ignore
 * // not run by `deno test --doc`: needs the MVTec AD data
 * import { indexCategory } from "./mvtec_index.ts";
 * const index = await indexCategory("../shared/data/mvtec_ad", "bottle");
 * console.log(index.train.length, index.test.length, index.test[0].path); // 209 83 .../test/broken_large/000.png
 * ```
 */
export async function indexCategory(root: string, category: string, opts: IndexOptions = {}): Promise<DatasetIndex> {
  const requireMasks = opts.requireMasks ?? true;
  const warn = opts.onWarning ?? (() => {});

  const rootKind = await kindOf(root);
  if (rootKind === "missing") {
    throw new DataError(
      `Dataset root ${resolve(root)} does not exist; point the dataset root at the folder that holds the ` +
        `category folders (e.g. mvtec_ad/ containing bottle/)`,
    );
  }
  if (rootKind !== "dir") {
    throw new DataError(`Dataset root ${resolve(root)} is a file, not a folder; point it at the dataset folder`);
  }

  const categoryDir = join(root, category);
  if (category === "" || category.includes("/") || (await kindOf(categoryDir)) !== "dir") {
    const { dirs } = await listDir(root);
    const available = dirs.filter((d) => !d.startsWith("."));
    throw new DataError(
      `Category '${category}' not found in ${resolve(root)}; ` +
        (available.length > 0
          ? `available categories: ${available.join(", ")}`
          : "the folder holds no category folders; download the dataset or generate the synthetic one"),
    );
  }

  // train/good
  const trainDir = join(categoryDir, "train", "good");
  if ((await kindOf(trainDir)) !== "dir") {
    throw new DataError(`Expected training images in ${trainDir} but the folder is missing; add train/good/*.png`);
  }
  const trainPaths = await imagesIn(trainDir);
  if (trainPaths.length === 0) {
    throw new DataError(`Expected training images in ${trainDir} but found none; add .png or .jpg files there`);
  }
  const train: Sample[] = trainPaths.map((path) => ({
    path,
    split: "train",
    defect: "good",
    label: 0,
    maskPath: null,
  }));

  // test/<defect>
  const testDir = join(categoryDir, "test");
  if ((await kindOf(testDir)) !== "dir") {
    throw new DataError(
      `Expected a test folder ${testDir} but it is missing; add test/good/ and test/<defect>/ with images`,
    );
  }
  const defectDirs = (await listDir(testDir)).dirs.filter((d) => !d.startsWith("."));
  const defectPaths: { path: string; defect: string }[] = [];
  const goodPaths: string[] = [];
  for (const defect of defectDirs) {
    for (const path of await imagesIn(join(testDir, defect))) {
      if (defect === "good") goodPaths.push(path);
      else defectPaths.push({ path, defect });
    }
  }
  if (defectPaths.length + goodPaths.length === 0) {
    throw new DataError(`Expected test images under ${testDir} but found none; add test/good/ and test/<defect>/`);
  }
  defectPaths.sort((a, b) => comparePaths(a.path, b.path));
  goodPaths.sort(comparePaths);

  // ground_truth/<defect>/<stem>_mask.<ext> (or <stem>.<ext>)
  const gtDir = join(categoryDir, "ground_truth");
  const masks = new Map<string, string[]>(); // "<defect>/<stem>" -> mask paths
  const maskDefects = (await kindOf(gtDir)) === "dir"
    ? (await listDir(gtDir)).dirs.filter((d) => !d.startsWith("."))
    : [];
  for (const defect of maskDefects) {
    for (const path of await imagesIn(join(gtDir, defect))) {
      const s = stem(path);
      const key = `${defect}/${s.endsWith("_mask") ? s.slice(0, -"_mask".length) : s}`;
      masks.set(key, [...(masks.get(key) ?? []), path]);
    }
  }
  const used = new Set<string>();
  let warnedGood = false;
  const test: Sample[] = [];
  for (const { path, defect } of defectPaths) {
    const key = `${defect}/${stem(path)}`;
    const candidates = masks.get(key) ?? [];
    if (candidates.length === 0) {
      if (requireMasks) {
        throw new DataError(
          `Defect image ${path} has no mask; expected ${join(gtDir, defect, stem(path) + "_mask.png")}; ` +
            `add the mask or remove the image, or pass --no-masks to train and eval for image-level metrics only`,
        );
      }
      test.push({ path, split: "test", defect, label: 1, maskPath: null });
      continue;
    }
    // Prefer "<stem>_mask.*" over "<stem>.*"; sorted paths make the choice deterministic.
    const sorted = [...candidates].sort((a, b) =>
      Number(!stem(a).endsWith("_mask")) - Number(!stem(b).endsWith("_mask")) || comparePaths(a, b)
    );
    if (sorted.length > 1) warn(`Several masks for ${path}: ${sorted.join(", ")}; using ${sorted[0]}`);
    used.add(key);
    test.push({ path, split: "test", defect, label: 1, maskPath: sorted[0] });
  }
  for (const [key, paths] of masks) {
    if (used.has(key)) continue;
    const [defect, name] = [key.slice(0, key.indexOf("/")), key.slice(key.indexOf("/") + 1)];
    if (defect === "good") {
      if (!warnedGood) warn(`Ignoring masks under ${join(gtDir, "good")}: normal images have all-zero masks`);
      warnedGood = true;
      continue;
    }
    throw new DataError(
      `Mask ${paths[0]} has no image; expected ${join(testDir, defect, name + ".png")}; ` +
        `add the image or remove the mask`,
    );
  }
  for (const path of goodPaths) test.push({ path, split: "test", defect: "good", label: 0, maskPath: null });

  return { root, category, train, test };
}
