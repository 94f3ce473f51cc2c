/**
 * Grid expansion: a {@linkcode Sweep} becomes an ordered list of cells (seeds, then
 * categories, then the axes in file order, the last varying fastest), each with a full
 * resolved configuration and a stable id `<readable prefix>-<hash>`; plus sharding.
 *
 * The hash covers everything that determines a cell's result (the resolved RunConfig, the
 * category, the budget and the dataset's identity), so a changed config gets a new id and
 * never overwrites an old run folder. The dataset root's path is not part of it: the same
 * sweep on a machine where the data lies elsewhere keeps its ids.
 *
 * A sweep with `"untrained": true` gets, per seed and category, one more cell before the axis
 * combinations: the base configuration trained for 0 steps, id `untrained_seed=S_<category>-<hash>`,
 * its hash covering only the base, category, seed, data and the 0-step budget, so every sweep with
 * the same base shares it (the runner copies a finished twin instead of evaluating it again).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { ConfigError, DEFAULT_CONFIG, mergeConfig, type RunConfig, validateConfig } from "../../config.ts";
import { UserError } from "../../errors.ts";
import { applyAxis, type Budget, type Sweep, SweepError, type SyntheticSpec } from "./schema.ts";

/** The dataset a sweep runs on, as far as cell ids are concerned. */
export type DataIdentity =
  /** An MVTec-layout folder (the root's path is deliberately left out). */
  | { kind: "folder" }
  /** The kit's synthetic generator with these parameters. */
  | { kind: "synthetic"; spec: SyntheticSpec };

/** One cell of the grid. */
export interface Cell {
  /** Position in the full expanded order (sharding uses it). */
  index: number;
  /** `<prefix>-<hash>`: the run folder's name. */
  id: string;
  /** Readable part: axis values, seed and category, e.g. `losses=ssl_seed=0_bottle`. */
  prefix: string;
  /** 8 hex digits of the SHA-256 of the resolved cell. */
  hash: string;
  /** Axis values of this cell, in file order. */
  axes: Record<string, number | string>;
  /** Seed. */
  seed: number;
  /** Category. */
  category: string;
  /** Full resolved configuration. */
  config: RunConfig;
  /** Training budget. */
  budget: Budget;
  /** True for the untrained-encoder cell (base configuration, 0 steps; axes empty). */
  untrained?: boolean;
}

/** The budget of an untrained-encoder cell. */
export const UNTRAINED_BUDGET: Readonly<Budget> = { steps: 0 };

/**
 * The categories a sweep runs on: its list, or the synthetic dataset's `synthetic_<kind>`.
 *
 * @param sweep the sweep
 * @returns category names
 */
export function sweepCategories(sweep: Sweep): string[] {
  if (sweep.categories) return sweep.categories;
  return (sweep.synthetic?.kinds ?? []).map((k) => `synthetic_${k}`);
}

/**
 * JSON with object keys sorted at every level, so equal values hash equally whatever
 * their key order.
 *
 * @param value a JSON value
 * @returns the canonical text
 * @example
 * ```ts
 * import { canonicalJson } from "./grid.ts";
 * if (canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }) !== '{"a":[2,{"c":4,"d":3}],"b":1}') throw new Error();
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The hnsw index's settings: they cannot change a cell whose search is exact. */
const HNSW_FIELDS = ["hnswM", "hnswEfConstruction", "hnswEfSearch", "hnswShards"] as const;

/**
 * The short stable hash of a resolved cell.
 *
 * Only what can change the cell's result is hashed: with `inspect.nn` "exact" the hnsw
 * settings are left out, so retuning the hnsw defaults keeps exact-search cells (every
 * committed ablation) resumable and mergeable.
 *
 * @param resolved everything that determines the cell's result (`precision` only when not
 *   "fp32", so float32 cells keep the hashes they had before the option existed)
 * @returns 8 lowercase hex digits
 * @example
 * ```ts
 * import { cellHash } from "./grid.ts";
 * import { DEFAULT_CONFIG } from "../../config.ts";
 * const exact = structuredClone(DEFAULT_CONFIG);
 * exact.inspect.nn = "exact";
 * const retuned = structuredClone(exact);
 * retuned.inspect.hnswEfSearch += 1;
 * const cell = { category: "bottle", budget: { steps: 1 }, data: { kind: "folder" as const } };
 * if (cellHash({ ...cell, config: exact }) !== cellHash({ ...cell, config: retuned })) throw new Error();
 * ```
 */
export function cellHash(
  resolved: {
    config: RunConfig;
    category: string;
    budget: Budget;
    data: DataIdentity;
    precision?: string;
  },
): string {
  let config: unknown = resolved.config;
  if (resolved.config.inspect.nn === "exact") {
    const inspect: Record<string, unknown> = { ...resolved.config.inspect };
    for (const field of HNSW_FIELDS) delete inspect[field];
    config = { ...resolved.config, inspect };
  }
  return createHash("sha256").update(canonicalJson({ ...resolved, config })).digest("hex").slice(0, 8);
}

/** Render an axis value for a folder name: letters, digits, `.`, `+`, `-` only. */
function slug(value: number | string): string {
  return String(value).replace(/[^A-Za-z0-9.+-]+/g, "-");
}

/**
 * Expand a sweep into its cells, validating every cell's configuration.
 *
 * @param sweep the validated sweep
 * @param data the dataset identity (part of every hash)
 * @returns cells in the deterministic order: seeds, categories, then axes (last fastest)
 * @throws {SweepError} when a cell's configuration is invalid (names the cell and the fix)
 * @example
 * ```ts
 * import { parseSweep } from "./schema.ts";
 * import { expandGrid } from "./grid.ts";
 * const sweep = parseSweep({ categories: ["bottle"], seeds: [0, 1], budget: { steps: 1 }, lambda: [1e-3, 1] }, "l.json");
 * const cells = expandGrid(sweep, { kind: "folder" });
 * if (cells.length !== 4 || cells[1].prefix !== "lambda=1_seed=0_bottle") throw new Error(cells[1].prefix);
 * ```
 */
export function expandGrid(sweep: Sweep, data: DataIdentity): Cell[] {
  let base: RunConfig;
  try {
    base = mergeConfig(DEFAULT_CONFIG, sweep.base);
  } catch (e) {
    throw new SweepError(`${sweep.file}: base: ${(e as Error).message}; fix the override`);
  }
  if (sweep.nn) base.inspect.nn = sweep.nn;
  // All combinations of axis values, the last axis varying fastest.
  let combos: Record<string, number | string>[] = [{}];
  for (const axis of sweep.axes) {
    combos = combos.flatMap((c) => axis.values.map((v) => ({ ...c, [axis.name]: v })));
  }
  const cells: Cell[] = [];
  const precision = sweep.precision === "fp32" ? {} : { precision: sweep.precision };
  for (const seed of sweep.seeds) {
    for (const category of sweepCategories(sweep)) {
      if (sweep.untrained) {
        const config = structuredClone(base);
        config.train.seed = seed;
        const prefix = `untrained_seed=${seed}_${category}`;
        checkCell(sweep, config, prefix);
        const budget = { ...UNTRAINED_BUDGET };
        const hash = cellHash({ config, category, budget, data, ...precision });
        cells.push({
          index: cells.length,
          id: `${prefix}-${hash}`,
          prefix,
          hash,
          axes: {},
          seed,
          category,
          config,
          budget,
          untrained: true,
        });
      }
      for (const axes of combos) {
        const config = structuredClone(base);
        for (const axis of sweep.axes) applyAxis(config, axis.name, axes[axis.name]);
        config.train.seed = seed;
        const parts = [...Object.entries(axes).map(([k, v]) => `${k}=${slug(v)}`), `seed=${seed}`, category];
        const prefix = parts.join("_");
        checkCell(sweep, config, prefix);
        const hash = cellHash({ config, category, budget: sweep.budget, data, ...precision });
        cells.push({
          index: cells.length,
          id: `${prefix}-${hash}`,
          prefix,
          hash,
          axes,
          seed,
          category,
          config,
          budget: sweep.budget,
        });
      }
    }
  }
  return cells;
}

function checkCell(sweep: Sweep, config: RunConfig, prefix: string): void {
  const where = sweep.axes.length ? `cell ${prefix}` : "base";
  const fix = sweep.axes.length ? "change base or the axis values" : "change base";
  try {
    validateConfig(config);
  } catch (e) {
    if (e instanceof ConfigError) throw new SweepError(`${sweep.file}: ${where}: ${e.message}; ${fix}`);
    throw e;
  }
  // Two K-patches (an SVDD' pair jittered by >= 1 px) only fit in an image larger than K.
  if (config.imageSize <= config.train.patchSize) {
    throw new SweepError(
      `${sweep.file}: ${where}: expected imageSize > patch size K but found imageSize ${config.imageSize} and K=${config.train.patchSize}; raise base.imageSize or use a smaller K`,
    );
  }
}

/** A shard: this process takes the cells whose index % count == index. */
export interface Shard {
  /** This shard, 0-based. */
  index: number;
  /** Number of shards. */
  count: number;
}

/**
 * Parse `--shard i/n`.
 *
 * @param text e.g. "3/8"
 * @returns the shard
 * @throws {UserError} unless 0 <= i < n
 * @example
 * ```ts
 * import { parseShard } from "./grid.ts";
 * const s = parseShard("3/8");
 * if (s.index !== 3 || s.count !== 8) throw new Error();
 * ```
 */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count)) {
    throw new UserError(`Expected --shard i/n with 0 <= i < n (e.g. 0/8) but found '${text}'`);
  }
  return { index, count };
}

/**
 * The cells of one shard: those whose index % count == shard index (deterministic, and the
 * shards of a count partition the grid).
 *
 * @param cells the full expanded grid
 * @param shard which shard (undefined: all cells)
 * @returns the shard's cells, in grid order
 */
export function shardCells(cells: Cell[], shard?: Shard): Cell[] {
  return shard ? cells.filter((c) => c.index % shard.count === shard.index) : cells;
}
