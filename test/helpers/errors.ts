/**
 * Assertions on `EdgewiseError` codes: `expectCode(fn, 'CODE')` and
 * `await expectCodeAsync(promiseOrFn, 'CODE')` fail unless the call throws
 * (rejects with) an `EdgewiseError` of that code; a `message` pattern, when
 * given, must match too. Both return the error for further checks.
 */
import { expect } from 'vitest';
import { EdgewiseError, type ErrorCode } from '../../src/errors';

function check(err: unknown, threw: boolean, code: ErrorCode, message?: RegExp): EdgewiseError {
  expect(threw, `expected an EdgewiseError ${code}, but nothing was thrown`).toBe(true);
  expect(
    err instanceof EdgewiseError,
    `expected an EdgewiseError ${code}, got ${String(err)}`,
  ).toBe(true);
  const e = err as EdgewiseError;
  expect(e.code, `EdgewiseError code (message: ${e.message})`).toBe(code);
  if (message !== undefined) expect(e.message).toMatch(message);
  return e;
}

/** Runs `fn`; it must throw an `EdgewiseError` with `code` (and a message matching `message`). */
export function expectCode(fn: () => unknown, code: ErrorCode, message?: RegExp): EdgewiseError {
  try {
    fn();
  } catch (e) {
    return check(e, true, code, message);
  }
  return check(undefined, false, code, message);
}

/** Awaits `p` (or `p()`); it must reject with an `EdgewiseError` with `code` (and `message`). */
export async function expectCodeAsync(
  p: Promise<unknown> | (() => unknown),
  code: ErrorCode,
  message?: RegExp,
): Promise<EdgewiseError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return check(e, true, code, message);
  }
  return check(undefined, false, code, message);
}
