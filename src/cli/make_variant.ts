/**
 * `deno task make-variant --data ROOT --category C --out OUTROOT [--name N] [--gray] [--rotate]
 * [--shift F] [--scale F] [--noise STD] [--seed S]`: write a grayscale, rotated or shifted copy of a category in the MVTec
 * layout (src/data/variant.ts), to check a recipe on kinds of data the kit has not been tuned on.
 *
 * @module
 */

import { dataRoot, exists, numberFlag, parseCli, runMain } from "./common.ts";
import { UserError } from "../errors.ts";
import { makeVariant } from "../data/variant.ts";

const USAGE =
  "deno task make-variant --data ROOT --category C --out OUTROOT [--name N] [--gray] [--rotate] [--shift F] [--scale F] [--noise STD] [--seed S]";

await runMain(async () => {
  const { values: v } = parseCli(Deno.args, {
    "data": { type: "string" },
    "category": { type: "string" },
    "out": { type: "string" },
    "name": { type: "string" },
    "gray": { type: "boolean" },
    "rotate": { type: "boolean" },
    "shift": { type: "string" },
    "scale": { type: "string" },
    "noise": { type: "string" },
    "seed": { type: "string" },
    "help": { type: "boolean" },
  }, USAGE);
  if (v.help) return console.log(USAGE);
  if (typeof v.category !== "string" || typeof v.out !== "string") {
    throw new UserError(`Missing --category or --out. Usage: ${USAGE}`);
  }
  const shift = numberFlag(v.shift, "--shift", "nonneg");
  if (shift !== undefined && shift >= 0.5) throw new UserError(`Expected --shift to be < 0.5 but found ${shift}`);
  const scale = numberFlag(v.scale, "--scale", "number");
  if (scale !== undefined && !(scale > 0 && scale <= 1)) {
    throw new UserError(`Expected --scale to be in (0, 1] but found ${scale}`);
  }
  const noise = numberFlag(v.noise, "--noise", "nonneg");
  const suffix = [
    v.gray ? "gray" : "",
    v.rotate ? "rot" : "",
    shift ? "shift" : "",
    scale ? "small" : "",
    noise ? "noisy" : "",
  ]
    .filter(Boolean).join("_");
  const name = typeof v.name === "string" ? v.name : `${v.category}_${suffix || "copy"}`;
  if (await exists(`${v.out}/${name}`)) {
    throw new UserError(`${v.out}/${name} already exists; remove it or pass another --name`);
  }
  const summary = await makeVariant(dataRoot(v.data), v.category, v.out, name, {
    gray: v.gray === true,
    rotate: v.rotate === true,
    shift,
    scale,
    noise,
    seed: numberFlag(v.seed, "--seed", "int"),
  });
  console.log(`wrote ${summary.images} images and ${summary.masks} masks to ${v.out}/${name}`);
});
