import { expect } from "vitest";
import { JwtError, type JwtErrorCode } from "../../src/index.js";

/** Awaits a promise that must reject with a JwtError of `code`, and returns the error. */
export async function expectJwtError(
  promise: Promise<unknown>,
  code: JwtErrorCode,
): Promise<JwtError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected a JwtError ${code}`).toBeInstanceOf(JwtError);
  expect((error as JwtError).code).toBe(code);
  return error as JwtError;
}

/** The code a verification fails with, or "accepted"; any other error is rethrown. */
export async function codeOf(attempt: Promise<unknown>): Promise<JwtErrorCode | "accepted"> {
  try {
    await attempt;
    return "accepted";
  } catch (error) {
    if (error instanceof JwtError) return error.code;
    throw error;
  }
}
