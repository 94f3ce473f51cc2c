/**
 * Sweep files (`experiments/*.json`): an ablation as data. A sweep is a base configuration
 * (a partial {@linkcode RunConfig} override) plus axes; `deno task ablate` expands the grid
 * (axes x categories x seeds), trains and evaluates every cell, and tabulates the results.
 *
 * ```jsonc
 * {
 *   "description": "why this sweep exists (one line, goes into table.md)",
 *   "data": "synthetic",            // optional: dataset root, or "synthetic"; default --data / $MVTEC_ROOT
 *   "synthetic": { "size": 64 },    // optional, only with data "synthetic": generateSynthetic options
 *   "base": { "train": { "embeddingDim": 8 } },   // partial RunConfig, merged over DEFAULT_CONFIG
 *   "budget": { "steps": 3 },       // required: steps, epochs and/or maxMinutes (whichever ends first)
 *   "categories": ["bottle"],       // required unless data is "synthetic"
 *   "seeds": [0, 1],                // default [0]
 *   "maps": ["k64", "k32", "mult"], // which maps the table shows (all are evaluated); default ["main"]
 *   "backend": "auto", "nn": "exact", "overlays": false,
 *   "precision": "fp32",            // "bf16": native convs/matmuls on AMX (part of every cell's hash)
 *   "stopOnCollapse": false,        // true: a cell that collapses stops and fails (train --stop-on-collapse)
 *   "untrained": true,              // add an untrained-encoder cell (base config, 0 steps) per category and seed
 *   "losses": ["svdd", "svdd-prime", "svdd-prime+ssl"]   // axes: any other key listed in AXIS_NAMES
 * }
 * ```
 *
 * Every problem is a {@linkcode SweepError}: one line naming the file, the field and the fix. Fields of
 * retired options (`fp32Steps`, `base.train.emaDecay`) are refused with a line saying so.
 *
 * @module
 */

import { type DeepPartial, DEFAULT_CONFIG, type EncoderKind, type LossSwitches, type RunConfig } from "../../config.ts";
import { BACKEND_NAMES, type BackendName } from "../../backend/select.ts";
import { MATMUL_PRECISIONS, type MatmulPrecision } from "../../backend/native.ts";
import type { SyntheticKind } from "../../data/synthetic.ts";
import { UserError } from "../../errors.ts";

/** A problem in a sweep file; the message names the file, the field and the fix. */
export class SweepError extends UserError {
  /**
   * Create the error.
   *
   * @param message one line: `FILE: FIELD: what was expected and found; the fix`
   */
  constructor(message: string) {
    super(message);
    this.name = "SweepError";
  }
}

/** Training axes a sweep may vary, in the spelling sweep files use. */
export const AXIS_NAMES = [
  "lambda",
  "losses",
  "encoder",
  "dim",
  "lr",
  "batchSize",
  "classifierHead",
  "sampling",
  "denseCrops",
] as const;

/** A training axis name. */
export type AxisName = typeof AXIS_NAMES[number];

/** Top-level keys of a sweep file that are settings, not axes. */
export const SETTING_NAMES = [
  "$comment",
  "description",
  "data",
  "synthetic",
  "base",
  "budget",
  "categories",
  "seeds",
  "maps",
  "backend",
  "precision",
  "stopOnCollapse",
  "nn",
  "overlays",
  "untrained",
] as const;

/** One axis: its name and values, in file order. */
export interface Axis {
  /** Axis name. */
  name: AxisName;
  /** Values (numbers for lambda, dim, lr, batchSize, denseCrops; strings otherwise). */
  values: (number | string)[];
}

/** Training budget of every cell; whichever limit is reached first ends training. */
export interface Budget {
  /** Optimisation steps. */
  steps?: number;
  /** Reference epochs (N_train * 100 / batchSize steps each). */
  epochs?: number;
  /** Wall-clock minutes per invocation (a resumed cell gets the full budget again). */
  maxMinutes?: number;
}

/** What `"synthetic"` generates: one category per kind, named `synthetic_<kind>`. */
export interface SyntheticSpec {
  /** Kinds to generate. Default ["texture"]. */
  kinds: SyntheticKind[];
  /** Image side in pixels. Default 64. */
  size: number;
  /** Normal training images. Default 8. */
  numTrain: number;
  /** Normal test images. Default 4. */
  numTestGood: number;
  /** Test images per defect type. Default 2. */
  numTestDefect: number;
  /** Single-channel PNGs. Default false. */
  grayscale: boolean;
  /** Generator seed. Default 0. */
  seed: number;
}

/** A validated sweep. */
export interface Sweep {
  /** Sweep name: the file's base name without `.json` (results go to `results/<name>/`). */
  name: string;
  /** The file as given. */
  file: string;
  /** One-line purpose. */
  description: string;
  /** Dataset root, "synthetic", or undefined (use --data / $MVTEC_ROOT). */
  data?: string;
  /** Synthetic dataset parameters (data "synthetic" only). */
  synthetic: SyntheticSpec | null;
  /** Partial config merged over DEFAULT_CONFIG before the axes apply. */
  base: DeepPartial<RunConfig>;
  /** Training axes in file order (the last varies fastest). */
  axes: Axis[];
  /** Categories; null: the synthetic dataset's. */
  categories: string[] | null;
  /** Seeds. */
  seeds: number[];
  /** Map keys the table shows (`k64`, `k32`, `sum`, `mult`, `main`). */
  maps: string[];
  /** Training budget. */
  budget: Budget;
  /** Compute backend. */
  backend: BackendName;
  /** Arithmetic of the native convolutions and matmuls. Default "fp32" (the reference's). */
  precision: MatmulPrecision;
  /**
   * Stop a cell that collapses (a failed cell, exit-3 style) instead of training it to the end of
   * its budget. Not part of the cell id: it changes no finished cell's result. Default false.
   */
  stopOnCollapse: boolean;
  /** Nearest-neighbour search (overrides base.inspect.nn). */
  nn?: "hnsw" | "exact";
  /** Write overlay PNGs for every cell. Default false. */
  overlays: boolean;
  /**
   * Add, per category and seed, an untrained-encoder cell: the base configuration trained for 0 steps.
   * The tables then show an "untrained" row and every trained row's gain over it (same seed). The cell's
   * id depends only on the base, category, seed and data, so sweeps sharing them share the cell.
   * Default false (sweeps without the field keep their grids and tables).
   */
  untrained: boolean;
}

const LOSS_TERMS = ["svdd", "svdd-prime", "ssl"] as const;

/**
 * Parse a loss label such as `"svdd-prime+ssl"` into switches.
 *
 * @param label terms joined by `+`: svdd, svdd-prime, ssl
 * @returns the switches, or null when the label names an unknown term, repeats one or is empty
 * @example
 * ```ts
 * import { parseLossLabel } from "./schema.ts";
 * const s = parseLossLabel("svdd-prime+ssl");
 * if (!s || !s.ssl || !s.svddPrime || s.svdd) throw new Error("unexpected");
 * ```
 */
export function parseLossLabel(label: string): LossSwitches | null {
  const terms = label.split("+").map((s) => s.trim());
  if (terms.some((t) => !(LOSS_TERMS as readonly string[]).includes(t)) || new Set(terms).size !== terms.length) {
    return null;
  }
  return { svdd: terms.includes("svdd"), svddPrime: terms.includes("svdd-prime"), ssl: terms.includes("ssl") };
}

/**
 * Parse an encoder label `flat-64`, `hier-32` (f_small alone), `hier-64`, `hier-128` (family and patch size K).
 *
 * @param label `<hier|flat>-<K>`
 * @returns encoder family and K, or null when the label does not match
 * @example
 * ```ts
 * import { parseEncoderLabel } from "./schema.ts";
 * const e = parseEncoderLabel("hier-128");
 * if (e?.encoder !== "hier" || e.patchSize !== 128) throw new Error("unexpected");
 * ```
 */
export function parseEncoderLabel(label: string): { encoder: EncoderKind; patchSize: number } | null {
  const m = /^(hier|flat)-(\d+)$/.exec(label);
  return m ? { encoder: m[1] as EncoderKind, patchSize: Number(m[2]) } : null;
}

/**
 * Apply one axis value to a configuration (in place).
 *
 * @param config configuration to change
 * @param axis axis name
 * @param value a value already checked by {@linkcode parseSweep}
 * @returns the same configuration
 */
export function applyAxis(config: RunConfig, axis: AxisName, value: number | string): RunConfig {
  const t = config.train;
  switch (axis) {
    case "lambda":
      t.lambda = value as number;
      break;
    case "losses":
      t.losses = parseLossLabel(value as string)!;
      break;
    case "encoder": {
      const e = parseEncoderLabel(value as string)!;
      t.encoder = e.encoder;
      t.patchSize = e.patchSize;
      break;
    }
    case "dim":
      t.embeddingDim = value as number;
      break;
    case "lr":
      t.learningRate = value as number;
      break;
    case "batchSize":
      t.batchSize = value as number;
      break;
    case "classifierHead":
      t.classifierHead = value as RunConfig["train"]["classifierHead"];
      break;
    case "sampling":
      t.sampling = value as RunConfig["train"]["sampling"];
      break;
    case "denseCrops":
      t.denseCrops = value as number;
      break;
  }
  return config;
}

type Check = (v: unknown) => string | null; // null: fine; else "expected ... but found ..."

const found = (v: unknown) => `found ${JSON.stringify(v)}`;
const number = (what: string, ok: (n: number) => boolean): Check => (v) =>
  typeof v === "number" && Number.isFinite(v) && ok(v) ? null : `expected ${what} but ${found(v)}`;
const oneOf = (allowed: readonly string[]): Check => (v) =>
  typeof v === "string" && allowed.includes(v) ? null : `expected one of ${allowed.join(", ")} but ${found(v)}`;

/** Per axis: the check of one value and a hint for the fix. */
const AXIS_CHECKS: Record<AxisName, { check: Check; fix: string }> = {
  lambda: { check: number("a number >= 0", (n) => n >= 0), fix: "use values such as 1e-4, 1e-3, 1e-2" },
  losses: {
    check: (v) =>
      typeof v === "string" && parseLossLabel(v)
        ? null
        : `expected terms svdd, svdd-prime, ssl joined by + but ${found(v)}`,
    fix: 'use labels such as "svdd", "svdd-prime", "svdd-prime+ssl", "ssl"',
  },
  encoder: {
    check: (v) => typeof v === "string" && parseEncoderLabel(v) ? null : `expected <hier|flat>-<K> but ${found(v)}`,
    fix: 'use "flat-64", "hier-32" (f_small alone), "hier-64" or "hier-128"',
  },
  dim: { check: number("a positive integer", (n) => Number.isInteger(n) && n > 0), fix: "use values such as 16, 64" },
  lr: { check: number("a number > 0", (n) => n > 0), fix: "use values such as 1e-4" },
  batchSize: { check: number("a positive integer", (n) => Number.isInteger(n) && n > 0), fix: "use values such as 64" },
  classifierHead: { check: oneOf(["fixed", "trainable"]), fix: 'use "fixed" or "trainable"' },
  sampling: { check: oneOf(["reference", "dense"]), fix: 'use "reference" or "dense"' },
  denseCrops: {
    check: number("a positive integer", (n) => Number.isInteger(n) && n > 0),
    fix: 'use values such as 2, 8 (with "sampling": "dense" in base.train)',
  },
};

const MAP_KEY = /^(k\d+|sum|mult|main)$/;
const CATEGORY = /^[A-Za-z0-9_-]+$/;
const SYNTHETIC_DEFAULTS: SyntheticSpec = {
  kinds: ["texture"],
  size: 64,
  numTrain: 8,
  numTestGood: 4,
  numTestDefect: 2,
  grayscale: false,
  seed: 0,
};

/**
 * The sweep name of a file path: its base name without `.json`.
 *
 * @param file path of the sweep file
 * @returns e.g. "lambda" for "experiments/lambda.json"
 */
export function sweepName(file: string): string {
  return file.split(/[\\/]/).pop()!.replace(/\.json$/i, "");
}

/**
 * Validate a parsed sweep file.
 *
 * @param json the parsed JSON
 * @param file the file's path, for messages and the sweep name
 * @returns the sweep with defaults filled in
 * @throws {SweepError} on the first problem: `FILE: FIELD: expected X but found Y; fix`
 * @example
 * ```ts
 * import { parseSweep } from "./schema.ts";
 * const sweep = parseSweep({ categories: ["bottle"], budget: { steps: 10 }, lambda: [1e-3, 1e-2] }, "lambda.json");
 * if (sweep.axes[0].name !== "lambda" || sweep.seeds[0] !== 0) throw new Error("unexpected");
 * ```
 */
export function parseSweep(json: unknown, file: string): Sweep {
  const fail = (field: string, problem: string, fix: string): never => {
    throw new SweepError(`${file}: ${field}: ${problem}; ${fix}`);
  };
  if (!isPlainObject(json)) {
    fail("(top level)", `expected a JSON object but ${found(json)}`, "see experiments/smoke.json");
  }
  const obj = json as Record<string, unknown>;
  const name = sweepName(file);
  if (!CATEGORY.test(name)) {
    fail(
      "(file name)",
      `expected letters, digits, _ or - but found '${name}'`,
      "rename the file (it names results/<name>/)",
    );
  }

  if ("fp32Steps" in obj) fail("fp32Steps", RETIRED["fp32Steps"], RETIRED_FIX);
  const axes: Axis[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if ((SETTING_NAMES as readonly string[]).includes(key)) continue;
    if (!(AXIS_NAMES as readonly string[]).includes(key)) {
      fail(
        key,
        "unknown axis or setting",
        `axes are ${AXIS_NAMES.join(", ")}; settings are ${SETTING_NAMES.filter((s) => s !== "$comment").join(", ")}`,
      );
    }
    const axis = key as AxisName;
    const { check, fix } = AXIS_CHECKS[axis];
    if (!Array.isArray(value) || value.length === 0) fail(axis, `expected a non-empty list but ${found(value)}`, fix);
    const values = value as unknown[];
    values.forEach((v, i) => {
      const problem = check(v);
      if (problem) fail(`${axis}[${i}]`, problem, fix);
    });
    const dup = values.findIndex((v, i) => values.indexOf(v) !== i);
    if (dup >= 0) fail(`${axis}[${dup}]`, `expected distinct values but ${found(values[dup])} repeats`, "remove it");
    axes.push({ name: axis, values: values as (number | string)[] });
  }

  const description = obj.description ?? "";
  if (typeof description !== "string") {
    fail("description", `expected a string but ${found(description)}`, "write one line");
  }

  const data = obj.data;
  if (data !== undefined && (typeof data !== "string" || data === "")) {
    fail("data", `expected a dataset root or "synthetic" but ${found(data)}`, "or leave it out and pass --data");
  }
  let synthetic: SyntheticSpec | null = null;
  if (obj.synthetic !== undefined && data !== "synthetic") {
    fail("synthetic", 'synthetic options need "data": "synthetic"', 'add "data": "synthetic" or remove "synthetic"');
  }
  if (data === "synthetic") synthetic = parseSynthetic(obj.synthetic ?? {}, fail);

  const base = obj.base ?? {};
  checkBase(base, BASE_SHAPE, "base", fail);

  const budget = parseBudget(obj.budget, fail);

  let categories: string[] | null = null;
  if (obj.categories === undefined) {
    if (!synthetic) {
      fail("categories", "missing", 'list the MVTec categories, e.g. "categories": ["bottle"]');
    }
  } else {
    const list = distinctList(
      obj.categories,
      "categories",
      (v) => typeof v === "string" && CATEGORY.test(v) ? null : `expected a category folder name but ${found(v)}`,
      fail,
    ) as string[];
    categories = list;
    if (synthetic) {
      const names = synthetic.kinds.map((k) => `synthetic_${k}`);
      list.forEach((c, i) => {
        if (!names.includes(c)) {
          fail(
            `categories[${i}]`,
            `expected one of the synthetic categories ${names.join(", ")} but found '${c}'`,
            "or leave categories out",
          );
        }
      });
    }
  }

  const seeds = obj.seeds === undefined ? [0] : distinctList(
    obj.seeds,
    "seeds",
    (v) =>
      Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff
        ? null
        : `expected a non-negative integer but ${found(v)}`,
    fail,
  ) as number[];

  const maps = obj.maps === undefined ? ["main"] : distinctList(
    obj.maps,
    "maps",
    (v) =>
      typeof v === "string" && MAP_KEY.test(v) && (!v.startsWith("k") || isPatchSize(Number(v.slice(1))))
        ? null
        : `expected k32, k64, k128, sum, mult or main but ${found(v)}`,
    fail,
  ) as string[];

  const backend = obj.backend ?? "auto";
  if (!BACKEND_NAMES.includes(backend as BackendName)) {
    fail("backend", `expected one of ${BACKEND_NAMES.join(", ")} but ${found(backend)}`, 'use "auto"');
  }
  const precision = obj.precision ?? "fp32";
  if (!MATMUL_PRECISIONS.includes(precision as MatmulPrecision)) {
    fail("precision", `expected one of ${MATMUL_PRECISIONS.join(", ")} but ${found(precision)}`, 'use "fp32"');
  }
  const nn = obj.nn;
  if (nn !== undefined && nn !== "hnsw" && nn !== "exact") {
    fail("nn", `expected "hnsw" or "exact" but ${found(nn)}`, 'use "exact" for small data');
  }
  const overlays = obj.overlays ?? false;
  if (typeof overlays !== "boolean") fail("overlays", `expected true or false but ${found(overlays)}`, "use false");
  const stopOnCollapse = obj.stopOnCollapse ?? false;
  if (typeof stopOnCollapse !== "boolean") {
    fail("stopOnCollapse", `expected true or false but ${found(stopOnCollapse)}`, "use true to stop collapsed cells");
  }
  const untrained = obj.untrained ?? false;
  if (typeof untrained !== "boolean") {
    fail("untrained", `expected true or false but ${found(untrained)}`, "use true for an untrained-encoder row");
  }

  return {
    name,
    file,
    description: description as string,
    data: data as string | undefined,
    synthetic,
    base: base as DeepPartial<RunConfig>,
    axes,
    categories,
    seeds,
    maps,
    budget,
    backend: backend as BackendName,
    precision: precision as MatmulPrecision,
    stopOnCollapse: stopOnCollapse as boolean,
    nn: nn as Sweep["nn"],
    overlays: overlays as boolean,
    untrained: untrained as boolean,
  };
}

/**
 * Read and validate a sweep file.
 *
 * @param file path of the JSON file
 * @returns the sweep
 * @throws {SweepError} when the file is missing, is not JSON, or fails {@linkcode parseSweep}
 */
export async function loadSweep(file: string): Promise<Sweep> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "does not exist" : `cannot be read (${(e as Error).message})`;
    throw new SweepError(`${file} ${why}; pass a sweep file such as experiments/smoke.json`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SweepError(`${file}: not valid JSON (${(e as Error).message}); fix the syntax`);
  }
  return parseSweep(json, file);
}

type Fail = (field: string, problem: string, fix: string) => never;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isPatchSize(k: number): boolean {
  return Number.isInteger(k) && k >= 32 && Number.isInteger(Math.log2(k / 32));
}

function distinctList(value: unknown, field: string, check: Check, fail: Fail): (string | number)[] {
  if (!Array.isArray(value) || value.length === 0) {
    fail(
      field,
      `expected a non-empty list but ${found(value)}`,
      `list at least one value, e.g. "${field}": ${field === "seeds" ? "[0, 1]" : '["bottle"]'}`,
    );
  }
  const list = value as unknown[];
  list.forEach((v, i) => {
    const problem = check(v);
    if (problem) fail(`${field}[${i}]`, problem, "fix or remove it");
  });
  const dup = list.findIndex((v, i) => list.indexOf(v) !== i);
  if (dup >= 0) fail(`${field}[${dup}]`, `expected distinct values but ${found(list[dup])} repeats`, "remove it");
  return list as (string | number)[];
}

/**
 * Optional training fields (named deviations, absent from {@linkcode DEFAULT_CONFIG}) that a sweep's
 * `base` may set, each with an example value of the right type; their ranges are checked per cell.
 */
const OPTIONAL_TRAIN_EXAMPLES: Partial<RunConfig["train"]> = {
  denseCrops: 2,
  lrSchedule: { kind: "linear", steps: 4800 },
  lrWarmupSteps: 300,
  initSeed: 0,
};

/** Fields of options that were retired, with what they were. */
const RETIRED: Record<string, string> = {
  "fp32Steps": "the float32 warm-up of bf16 runs (train --fp32-steps) was retired",
  "base.train.emaDecay": "the moving average of the weights (train --ema) was retired",
};
const RETIRED_FIX = "remove the field (why: results/time_to_quality/README.md, Retired options)";

/** The shape `base` is checked against: the defaults plus the optional training fields. */
const BASE_SHAPE = { ...DEFAULT_CONFIG, train: { ...DEFAULT_CONFIG.train, ...OPTIONAL_TRAIN_EXAMPLES } };

/** Check a partial override against the shape of the defaults: known keys, same value types. */
function checkBase(value: unknown, shape: unknown, path: string, fail: Fail): void {
  if (!isPlainObject(value)) {
    fail(path, `expected an object but ${found(value)}`, "see DEFAULT_CONFIG in src/config.ts");
  }
  const known = shape as Record<string, unknown>;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = `${path}.${key}`;
    if (field in RETIRED) fail(field, RETIRED[field], RETIRED_FIX);
    if (!(key in known)) {
      fail(field, "unknown field", `known fields here are ${Object.keys(known).join(", ")} (see src/config.ts)`);
    }
    if (field === "base.train.seed") fail(field, "the seed is set per cell", 'list seeds in "seeds" instead');
    const expected = known[key];
    if (isPlainObject(expected)) checkBase(v, expected, field, fail);
    else if (typeof v !== typeof expected) {
      const optional = path === "base.train" && key in OPTIONAL_TRAIN_EXAMPLES;
      const hint = optional
        ? `e.g. ${JSON.stringify(expected)} (absent by default)`
        : `the default is ${JSON.stringify(expected)}`;
      fail(field, `expected a ${typeof expected} but ${found(v)}`, hint);
    }
  }
}

function parseBudget(value: unknown, fail: Fail): Budget {
  const fix = 'give e.g. "budget": { "steps": 1000 } (steps, epochs and/or maxMinutes; whichever ends first)';
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    fail("budget", `expected a non-empty object but ${found(value)}`, fix);
  }
  const budget: Budget = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === "steps") {
      if (!(Number.isInteger(v) && (v as number) >= 0)) {
        fail("budget.steps", `expected an integer >= 0 but ${found(v)}`, fix);
      }
    } else if (key === "epochs" || key === "maxMinutes") {
      if (!(typeof v === "number" && v > 0 && Number.isFinite(v))) {
        fail(`budget.${key}`, `expected a number > 0 but ${found(v)}`, fix);
      }
    } else fail(`budget.${key}`, "unknown field", fix);
    budget[key as keyof Budget] = v as number;
  }
  return budget;
}

function parseSynthetic(value: unknown, fail: Fail): SyntheticSpec {
  if (!isPlainObject(value)) fail("synthetic", `expected an object but ${found(value)}`, "see experiments/smoke.json");
  const spec = structuredClone(SYNTHETIC_DEFAULTS);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = `synthetic.${key}`;
    if (key === "kinds") {
      spec.kinds = distinctList(v, field, oneOf(["texture", "object"]), fail) as SyntheticKind[];
    } else if (key === "grayscale") {
      if (typeof v !== "boolean") fail(field, `expected true or false but ${found(v)}`, "use false");
      spec.grayscale = v as boolean;
    } else if (key in spec) {
      const min = key === "size" ? 64 : key === "numTrain" ? 1 : 0;
      if (!(Number.isInteger(v) && (v as number) >= min)) {
        fail(
          field,
          `expected an integer >= ${min} but ${found(v)}`,
          `the default is ${SYNTHETIC_DEFAULTS[key as keyof SyntheticSpec]}`,
        );
      }
      (spec as unknown as Record<string, number>)[key] = v as number;
    } else {
      fail(field, "unknown field", `known fields are ${Object.keys(SYNTHETIC_DEFAULTS).join(", ")}`);
    }
  }
  if (spec.numTestGood + spec.numTestDefect === 0) {
    fail(
      "synthetic",
      "expected at least one test image but numTestGood and numTestDefect are both 0",
      "raise one of them",
    );
  }
  return spec;
}
