import { expect } from 'vitest';
import { BaseError } from '../../protocol/errors.js';

/**
 * The `code` of the error `work` rejects with (`uncoded: …` for an error without one), or
 * `accepted` when it resolves: a table case compares one string whatever happened.
 */
export async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    return err instanceof BaseError ? err.code : `uncoded: ${String(err)}`;
  }
  return 'accepted';
}

/**
 * The error `work` throws, after asserting that it throws one and that it is a `type` (the
 * test fails otherwise), so the test can go on to check its code, message and hint.
 */
export function thrownBy<E extends Error>(type: abstract new (...args: never[]) => E, work: () => unknown): E {
  let caught: unknown;
  try {
    work();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(type);
  return caught as E;
}
