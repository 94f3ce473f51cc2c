/**
 * Sampling: SVDD' jitter pairs and SSL 8-position pairs (seeded), and patch cropping.
 *
 * @module
 */
export * from "./pairs.ts";
export * from "./crop.ts";
