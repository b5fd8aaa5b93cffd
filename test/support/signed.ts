// Test helpers that build tokens with Node's own crypto and Buffer, so that the
// tests check src/ against an implementation that shares no code with it.
import { createHmac } from "node:crypto";
import { expect } from "vitest";
import { JwtError, type JwtErrorCode } from "../../src/jwt/errors.js";

import { SECRET } from "./fixtures.js";

export { NOW, NOW_SECONDS, SECRET } from "./fixtures.js";

export function b64url(data: string | Uint8Array): string {
  return Buffer.from(data).toString("base64url");
}

/** The HS256 signature segment of `input`, by node:crypto. */
export function hmac(input: string, secret: string | Uint8Array): string {
  return createHmac("sha256", secret).update(input).digest("base64url");
}

/**
 * A token from raw header and payload text (or bytes), correctly signed, so that
 * a test can reach the checks that come after the signature.
 */
export function rawToken(
  header: string | Uint8Array,
  payload: string | Uint8Array,
  secret: string | Uint8Array = SECRET,
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${hmac(input, secret)}`;
}

export const HEADER = '{"alg":"HS256","typ":"JWT"}';

/** A correctly signed token whose payload is `claims`. */
export function tokenFor(claims: object, secret: string | Uint8Array = SECRET): string {
  return rawToken(HEADER, JSON.stringify(claims), secret);
}

/** Calls `fn` and checks it throws a JwtError with `code`; returns it for more checks. */
export function throwsWith(fn: () => unknown, code: JwtErrorCode): JwtError {
  let error: unknown;
  try {
    fn();
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(JwtError);
  expect((error as JwtError).code).toBe(code);
  return error as JwtError;
}
