/**
 * The kit's embedded default dataset: a seeded generator that writes PNGs in the
 * exact MVTec AD layout, with exact ground-truth masks (255 where a defect was
 * painted, 0 elsewhere), so every stage can run without downloading anything.
 *
 * Two kinds, echoing MVTec's two families:
 * - "texture": a woven pattern (thread period, phase, colour and illumination
 *   jittered per image, plus sensor noise); defects "crack", "scratch", "spot".
 * - "object": a bottle seen from above (rim, shaded body, dark neck) on a plain
 *   background, position jittered per image; defects "missing", "scratch", "spot".
 *
 * Defects are local (about 0.3-2 % of the image) and clearly outside the normal
 * statistics: a bright line, a dark jagged line, a coloured stain, a bite out of
 * the rim. Generation is idempotent: a `synthetic.json` manifest records the
 * parameters, and an existing folder with the same manifest is left untouched.
 *
 * @module
 */

import sharp from "sharp";
import { join } from "node:path";
import { DataError } from "../errors.ts";
import { Rng } from "../util/rng.ts";
import { type DatasetIndex, indexCategory } from "./mvtec_index.ts";

/** What the generator draws. */
export type SyntheticKind = "texture" | "object";

/** Options of {@linkcode generateSynthetic}; every field has a default. */
export interface SyntheticOptions {
  /** Category folder name. Default `synthetic_<kind>`. */
  category?: string;
  /** Texture or object. Default "texture". */
  kind?: SyntheticKind;
  /** Write single-channel PNGs (like MVTec's grid, screw, zipper). Default false. */
  grayscale?: boolean;
  /** Image side in pixels. Default 256. */
  size?: number;
  /** Normal training images. Default 48. */
  numTrain?: number;
  /** Normal test images. Default 12. */
  numTestGood?: number;
  /** Test images per defect type. Default 6. */
  numTestDefect?: number;
  /** Seed of everything drawn. Default 0. */
  seed?: number;
}

/** The parameters a synthetic category was generated with (all defaults filled in). */
export interface SyntheticParams {
  /** Category folder name. */
  category: string;
  /** Texture or object. */
  kind: SyntheticKind;
  /** Single-channel PNGs. */
  grayscale: boolean;
  /** Image side in pixels. */
  size: number;
  /** Normal training images. */
  numTrain: number;
  /** Normal test images. */
  numTestGood: number;
  /** Test images per defect type. */
  numTestDefect: number;
  /** Seed. */
  seed: number;
}

/** What {@linkcode generateSynthetic} produced (or found already in place). */
export interface SyntheticSummary {
  /** Dataset root the category was written into. */
  root: string;
  /** Category folder name. */
  category: string;
  /** The category folder, `root/category`. */
  dir: string;
  /** The parameters, defaults filled in (also in `dir/synthetic.json`). */
  params: SyntheticParams;
  /** False when an identical dataset was already there and nothing was written. */
  generated: boolean;
  /** Defect types, i.e. the folder names under test/ besides "good". */
  defects: string[];
  /** The category indexed as MVTec AD (train, then test: defects first, then good). */
  index: DatasetIndex;
}

/** Defect types of each kind. */
export const SYNTHETIC_DEFECTS: Readonly<Record<SyntheticKind, readonly string[]>> = {
  texture: ["crack", "scratch", "spot"],
  object: ["missing", "scratch", "spot"],
};

/** Name of the manifest written into the category folder. */
export const SYNTHETIC_MANIFEST = "synthetic.json";
const GENERATOR = "patchsvdd synthetic";
const GENERATOR_VERSION = 1;

type Rgb = [number, number, number];

/** Per-dataset look, drawn once from the seed. */
interface Style {
  /** Texture thread colour / object glass colour. */
  colour: Rgb;
  /** Object background colour. */
  background: Rgb;
  /** Texture thread period in pixels. */
  period: number;
}

/** One rendered image: [size, size, 3] colour pixels and its [size, size] 0/255 mask. */
interface Rendered {
  rgb: Float32Array;
  mask: Uint8Array;
}

function drawStyle(kind: SyntheticKind, size: number, rng: Rng): Style {
  const scale = size / 256;
  return kind === "texture"
    ? {
      colour: [rng.uniform(130, 170), rng.uniform(100, 130), rng.uniform(70, 100)],
      background: [0, 0, 0],
      period: Math.max(6, Math.round(rng.uniform(14, 18) * scale)),
    }
    : {
      colour: [rng.uniform(80, 100), rng.uniform(120, 140), rng.uniform(80, 100)],
      background: [rng.uniform(25, 35), rng.uniform(25, 35), rng.uniform(28, 40)],
      period: 0,
    };
}

/** Paint one pixel with a colour (opacity alpha) and mark it in the mask. */
function paint(img: Rendered, size: number, x: number, y: number, colour: Rgb, alpha = 1): void {
  if (x < 0 || y < 0 || x >= size || y >= size) return;
  const p = y * size + x;
  for (let c = 0; c < 3; c++) img.rgb[3 * p + c] = img.rgb[3 * p + c] * (1 - alpha) + colour[c] * alpha;
  img.mask[p] = 255;
}

/** Paint a thick segment (all pixels within width/2 of it) where `inside` allows. */
function paintSegment(
  img: Rendered,
  size: number,
  [x0, y0]: [number, number],
  [x1, y1]: [number, number],
  width: number,
  colour: Rgb,
  inside: (x: number, y: number) => boolean,
): void {
  const r = width / 2;
  const dx = x1 - x0, dy = y1 - y0;
  const len2 = dx * dx + dy * dy || 1;
  for (let y = Math.floor(Math.min(y0, y1) - r); y <= Math.ceil(Math.max(y0, y1) + r); y++) {
    for (let x = Math.floor(Math.min(x0, x1) - r); x <= Math.ceil(Math.max(x0, x1) + r); x++) {
      const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / len2));
      const ex = x - (x0 + t * dx), ey = y - (y0 + t * dy);
      if (ex * ex + ey * ey <= r * r && inside(x, y)) paint(img, size, x, y, colour);
    }
  }
}

/** Paint an irregular blob (radius modulated by angle) where `inside` allows. */
function paintBlob(
  img: Rendered,
  size: number,
  cx: number,
  cy: number,
  radius: number,
  colour: Rgb,
  alpha: number,
  rng: Rng,
  inside: (x: number, y: number) => boolean,
): void {
  const p1 = rng.uniform(0, 2 * Math.PI), p2 = rng.uniform(0, 2 * Math.PI);
  const reach = Math.ceil(radius * 1.4);
  for (let y = Math.floor(cy) - reach; y <= Math.ceil(cy) + reach; y++) {
    for (let x = Math.floor(cx) - reach; x <= Math.ceil(cx) + reach; x++) {
      const theta = Math.atan2(y - cy, x - cx);
      const r = radius * (1 + 0.22 * Math.sin(3 * theta + p1) + 0.1 * Math.sin(5 * theta + p2));
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r && inside(x, y)) paint(img, size, x, y, colour, alpha);
    }
  }
}

/** A woven texture: threads alternate horizontal/vertical per cell of a checkerboard. */
function renderTexture(style: Style, size: number, rng: Rng): Rendered {
  const rgb = new Float32Array(size * size * 3);
  const period = style.period;
  const phaseX = rng.uniform(0, period), phaseY = rng.uniform(0, period);
  const tint = style.colour.map((v) => v + 2.5 * rng.normal()) as Rgb;
  const light = rng.uniform(0, 2 * Math.PI);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x + phaseX) / period, v = (y + phaseY) / period;
      const horizontal = (Math.floor(u) + Math.floor(v)) % 2 === 0;
      const thread = Math.sin(Math.PI * ((horizontal ? v : u) % 1)); // 0 at thread edges, 1 at centre
      const shade = (0.72 + 0.38 * thread) * (1 + 0.04 * Math.sin((2 * Math.PI * (x + y)) / size + light));
      for (let c = 0; c < 3; c++) rgb[3 * (y * size + x) + c] = tint[c] * shade;
    }
  }
  return { rgb, mask: new Uint8Array(size * size) };
}

/** Geometry of the bottle in one object image. */
interface Bottle {
  cx: number;
  cy: number;
  radius: number;
}

/** A bottle seen from above: bright rim, shaded body, dark neck, on a plain background. */
function renderObject(style: Style, size: number, rng: Rng): { img: Rendered; bottle: Bottle } {
  const rgb = new Float32Array(size * size * 3);
  const bottle = {
    cx: size / 2 + rng.uniform(-0.03, 0.03) * size,
    cy: size / 2 + rng.uniform(-0.03, 0.03) * size,
    radius: size * rng.uniform(0.31, 0.33),
  };
  const brightness = rng.uniform(0.95, 1.05);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - bottle.cx, y - bottle.cy) / bottle.radius; // 0 centre, 1 rim
      let colour: number[];
      if (d > 1) colour = style.background;
      else if (d > 0.92) colour = style.colour.map((v) => v * 1.6); // rim
      else if (d > 0.35) colour = style.colour.map((v) => v * (0.55 + 0.6 * d)); // body, brighter outwards
      else colour = style.colour.map((v) => v * 0.3); // neck
      for (let c = 0; c < 3; c++) rgb[3 * (y * size + x) + c] = colour[c] * (d > 1 ? 1 : brightness);
    }
  }
  return { img: { rgb, mask: new Uint8Array(size * size) }, bottle };
}

/** Paint one defect of the given type; the mask marks exactly the painted pixels. */
function paintDefect(
  img: Rendered,
  kind: SyntheticKind,
  defect: string,
  style: Style,
  size: number,
  rng: Rng,
  bottle: Bottle | null,
): void {
  const scale = size / 256;
  const everywhere = () => true;
  const onObject = bottle
    ? (x: number, y: number) => Math.hypot(x - bottle.cx, y - bottle.cy) <= bottle.radius * 0.97
    : everywhere;
  // Defect centre: anywhere away from the border for textures, on the body for objects.
  const centre = (): [number, number] => {
    if (!bottle) return [rng.uniform(0.2, 0.8) * size, rng.uniform(0.2, 0.8) * size];
    const a = rng.uniform(0, 2 * Math.PI), r = rng.uniform(0.4, 0.7) * bottle.radius;
    return [bottle.cx + r * Math.cos(a), bottle.cy + r * Math.sin(a)];
  };
  if (defect === "scratch") {
    const [cx, cy] = centre();
    const length = rng.uniform(0.25, 0.4) * size * (bottle ? 0.8 : 1);
    const angle = rng.uniform(0, Math.PI);
    const half: [number, number] = [Math.cos(angle) * length / 2, Math.sin(angle) * length / 2];
    const colour: Rgb = [rng.uniform(225, 245), rng.uniform(225, 245), rng.uniform(220, 240)];
    paintSegment(
      img,
      size,
      [cx - half[0], cy - half[1]],
      [cx + half[0], cy + half[1]],
      rng.uniform(3, 5) * scale,
      colour,
      onObject,
    );
  } else if (defect === "spot") {
    const [cx, cy] = centre();
    const colour: Rgb = kind === "texture" ? [55, 75, 165] : [120, 55, 25];
    paintBlob(img, size, cx, cy, rng.uniform(12, 18) * scale, colour, 0.85, rng, onObject);
  } else if (defect === "crack") {
    let [x, y] = centre();
    let angle = rng.uniform(0, 2 * Math.PI);
    const steps = 12 + rng.int(6);
    const width = rng.uniform(2.5, 4) * scale;
    for (let i = 0; i < steps; i++) {
      angle += rng.uniform(-0.7, 0.7);
      const step = rng.uniform(5, 8) * scale;
      const nx = Math.min(size - 2, Math.max(1, x + Math.cos(angle) * step));
      const ny = Math.min(size - 2, Math.max(1, y + Math.sin(angle) * step));
      paintSegment(img, size, [x, y], [nx, ny], width, [25, 18, 12], everywhere);
      [x, y] = [nx, ny];
    }
  } else if (defect === "missing" && bottle) {
    // A bite out of the rim: bottle pixels inside a disc centred on the rim become background.
    const a = rng.uniform(0, 2 * Math.PI);
    const bx = bottle.cx + bottle.radius * Math.cos(a), by = bottle.cy + bottle.radius * Math.sin(a);
    const r = rng.uniform(0.17, 0.24) * bottle.radius;
    for (let y = Math.floor(by - r); y <= Math.ceil(by + r); y++) {
      for (let x = Math.floor(bx - r); x <= Math.ceil(bx + r); x++) {
        const inBite = (x - bx) ** 2 + (y - by) ** 2 <= r * r;
        const onBottle = Math.hypot(x - bottle.cx, y - bottle.cy) <= bottle.radius;
        if (inBite && onBottle) paint(img, size, x, y, style.background);
      }
    }
  } else {
    throw new RangeError(`Expected a ${kind} defect (${SYNTHETIC_DEFECTS[kind].join(", ")}) but found '${defect}'`);
  }
}

/** Render one image (normal when defect is null) and return its 8-bit pixels and mask. */
function renderSample(
  kind: SyntheticKind,
  style: Style,
  size: number,
  grayscale: boolean,
  defect: string | null,
  rng: Rng,
): { pixels: Uint8Array; mask: Uint8Array } {
  let img: Rendered;
  let bottle: Bottle | null = null;
  if (kind === "texture") img = renderTexture(style, size, rng);
  else ({ img, bottle } = renderObject(style, size, rng));
  if (defect !== null) paintDefect(img, kind, defect, style, size, rng, bottle);
  // Sensor noise on every pixel (after painting, so defects are noisy too); luminance noise shared by channels.
  const noiseStd = kind === "texture" ? 5 : 2.5;
  const channels = grayscale ? 1 : 3;
  const pixels = new Uint8Array(size * size * channels);
  for (let p = 0; p < size * size; p++) {
    const noise = noiseStd * rng.normal();
    const [r, g, b] = [img.rgb[3 * p], img.rgb[3 * p + 1], img.rgb[3 * p + 2]];
    if (grayscale) pixels[p] = clampByte(0.299 * r + 0.587 * g + 0.114 * b + noise);
    else for (let c = 0; c < 3; c++) pixels[3 * p + c] = clampByte(img.rgb[3 * p + c] + noise);
  }
  return { pixels, mask: img.mask };
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

async function writePng(path: string, pixels: Uint8Array, size: number, channels: 1 | 3): Promise<void> {
  const image = sharp(pixels, { raw: { width: size, height: size, channels } });
  await (channels === 1 ? image.toColourspace("b-w") : image).png().toFile(path);
}

function resolveParams(opts: SyntheticOptions): SyntheticParams {
  const kind = opts.kind ?? "texture";
  const params: SyntheticParams = {
    category: opts.category ?? `synthetic_${kind}`,
    kind,
    grayscale: opts.grayscale ?? false,
    size: opts.size ?? 256,
    numTrain: opts.numTrain ?? 48,
    numTestGood: opts.numTestGood ?? 12,
    numTestDefect: opts.numTestDefect ?? 6,
    seed: opts.seed ?? 0,
  };
  if (kind !== "texture" && kind !== "object") {
    throw new RangeError(`Expected kind "texture" or "object" but found '${kind}'`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(params.category)) {
    throw new RangeError(`Expected a category name of letters, digits, _ or - but found '${params.category}'`);
  }
  if (!(Number.isInteger(params.size) && params.size >= 64)) {
    throw new RangeError(`Expected a synthetic image size >= 64 but found ${params.size}`);
  }
  if (!(Number.isInteger(params.numTrain) && params.numTrain >= 1)) {
    throw new RangeError(`Expected numTrain to be a positive integer but found ${params.numTrain}`);
  }
  for (const name of ["numTestGood", "numTestDefect"] as const) {
    if (!(Number.isInteger(params[name]) && params[name] >= 0)) {
      throw new RangeError(`Expected ${name} to be a non-negative integer but found ${params[name]}`);
    }
  }
  if (params.numTestGood + params.numTestDefect === 0) {
    throw new RangeError("Expected at least one test image but numTestGood and numTestDefect are both 0");
  }
  if (!(Number.isInteger(params.seed) && params.seed >= 0 && params.seed <= 0xffffffff)) {
    throw new RangeError(`Expected an unsigned 32-bit integer seed but found ${params.seed}`);
  }
  return params;
}

/** The manifest of a category folder, or null when there is none or it is not ours. */
async function readManifest(dir: string): Promise<{ params: SyntheticParams; version: number } | null> {
  try {
    const json = JSON.parse(await Deno.readTextFile(join(dir, SYNTHETIC_MANIFEST)));
    return json?.generator === GENERATOR ? json : null;
  } catch {
    return null;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Write a seeded synthetic category in the MVTec AD layout under `root/<category>/`:
 * `train/good/NNN.png`, `test/<defect>/NNN.png`, `test/good/NNN.png`,
 * `ground_truth/<defect>/NNN_mask.png` (255 exactly where the defect was painted)
 * and `synthetic.json` (the parameters). Same seed and parameters, same bytes.
 *
 * The category is built in a temporary folder and renamed into place, so a partial
 * dataset is never visible. An existing folder with the same manifest is kept as is;
 * one made by the generator with other parameters is replaced; any other existing
 * folder is left alone and reported.
 *
 * @param root dataset root (created when missing)
 * @param opts see {@linkcode SyntheticOptions}
 * @returns the parameters, whether anything was written, and the category's index
 * @throws {DataError} when `root/<category>` exists and was not made by the generator
 * @throws {RangeError} for out-of-range options
 * @example
 * ```ts
 * import { generateSynthetic } from "./synthetic.ts";
 * const root = await Deno.makeTempDir();
 * const summary = await generateSynthetic(root, { size: 64, numTrain: 2, numTestGood: 1, numTestDefect: 1 });
 * if (summary.index.test.length !== 4) throw new Error("1 good + 1 per defect type (3 types)");
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function generateSynthetic(root: string, opts: SyntheticOptions = {}): Promise<SyntheticSummary> {
  const params = resolveParams(opts);
  const { category, kind, size, grayscale } = params;
  const dir = join(root, category);
  const defects = [...SYNTHETIC_DEFECTS[kind]];
  const summary = async (generated: boolean): Promise<SyntheticSummary> => ({
    root,
    category,
    dir,
    params,
    generated,
    defects: params.numTestDefect > 0 ? defects : [],
    index: await indexCategory(root, category),
  });

  const existing = await readManifest(dir);
  if (existing && existing.version === GENERATOR_VERSION && sameParams(existing.params, params)) {
    return await summary(false);
  }
  if (!existing && await exists(dir)) {
    throw new DataError(
      `${dir} already exists and was not made by the synthetic generator; ` +
        `choose another root or --category, or remove that folder`,
    );
  }

  await Deno.mkdir(root, { recursive: true });
  const temp = await Deno.makeTempDir({ dir: root, prefix: `.${category}.tmp-` });
  try {
    const rng = new Rng(params.seed);
    const style = drawStyle(kind, size, rng);
    const digits = Math.max(3, String(Math.max(params.numTrain, params.numTestGood, params.numTestDefect) - 1).length);
    const name = (i: number) => String(i).padStart(digits, "0");
    const channels = grayscale ? 1 : 3;

    // Every image gets its own stream split off in a fixed order, so the bytes do not
    // depend on how the writes interleave.
    const jobs: { split: "train" | "test"; defect: string; i: number; rng: Rng }[] = [];
    for (let i = 0; i < params.numTrain; i++) jobs.push({ split: "train", defect: "good", i, rng: rng.split() });
    for (let i = 0; i < params.numTestGood; i++) jobs.push({ split: "test", defect: "good", i, rng: rng.split() });
    for (const defect of defects) {
      for (let i = 0; i < params.numTestDefect; i++) jobs.push({ split: "test", defect, i, rng: rng.split() });
    }
    const folders = new Set(jobs.map((j) => join(j.split, j.defect)));
    for (const j of jobs) if (j.defect !== "good") folders.add(join("ground_truth", j.defect));
    for (const f of folders) await Deno.mkdir(join(temp, f), { recursive: true });

    const batch = 4; // PNG encodes in flight at once
    for (let start = 0; start < jobs.length; start += batch) {
      await Promise.all(
        jobs.slice(start, start + batch).map(async (job) => {
          const isDefect = job.defect !== "good";
          const { pixels, mask } = renderSample(kind, style, size, grayscale, isDefect ? job.defect : null, job.rng);
          await writePng(join(temp, job.split, job.defect, `${name(job.i)}.png`), pixels, size, channels);
          if (isDefect) {
            await writePng(join(temp, "ground_truth", job.defect, `${name(job.i)}_mask.png`), mask, size, 1);
          }
        }),
      );
    }
    const manifest = { generator: GENERATOR, version: GENERATOR_VERSION, params };
    await Deno.writeTextFile(join(temp, SYNTHETIC_MANIFEST), JSON.stringify(manifest, null, 2) + "\n");

    if (existing) await Deno.remove(dir, { recursive: true }); // ours, with other parameters
    await Deno.rename(temp, dir);
  } catch (e) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw e;
  }
  return await summary(true);
}

function sameParams(a: SyntheticParams, b: SyntheticParams): boolean {
  const keys = Object.keys(b) as (keyof SyntheticParams)[];
  return !!a && keys.every((k) => a[k] === b[k]) && Object.keys(a).length === keys.length;
}
