/**
 * Losses: L_SVDD (centre), L_SVDD' (pairs), L_SSL (position), and their weighted total.
 *
 * @module
 */
export * from "./svdd.ts";
export * from "./svdd_prime.ts";
export * from "./ssl.ts";
export * from "./total.ts";
