/**
 * The few assertions the tests use, on top of `node:assert` (no network needed).
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deep equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepStrictEqual(actual, expected, message);
}

/** |actual - expected| <= tolerance. */
export function assertAlmostEquals(actual: number, expected: number, tolerance = 1e-7, message?: string): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new assert.AssertionError({
      message: `${message ? message + ": " : ""}expected ${expected} +- ${tolerance} but found ${actual}`,
    });
  }
}

/** `fn` throws an instance of `errorClass` whose message contains `includes`. */
export function assertThrows(fn: () => unknown, errorClass: new (...args: never[]) => Error, includes = ""): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof errorClass)) {
      throw new assert.AssertionError({ message: `expected ${errorClass.name}, got ${e}` });
    }
    if (!e.message.includes(includes)) {
      throw new assert.AssertionError({ message: `expected a message containing "${includes}", got "${e.message}"` });
    }
    return;
  }
  throw new assert.AssertionError({ message: `expected ${errorClass.name} to be thrown` });
}
