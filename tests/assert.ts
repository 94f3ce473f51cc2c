/**
 * Minimal assertions for the test suite (jsr:@std/assert is not reachable from our
 * machines, so the few we need come from node:assert).
 *
 * @module
 */
export {
  deepStrictEqual as assertEquals,
  notDeepStrictEqual as assertNotEquals,
  ok as assert,
  rejects as assertRejects,
  throws as assertThrows,
} from "node:assert/strict";
