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

const strictText = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(strictText.decode(Buffer.from(segment, "base64url")));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The one code `verify` must refuse a token with, worked out with node:crypto
 * and Buffer alone, in the order RFC 7515 section 5.2 gives: form (three strict
 * base64url segments, at most 8192 characters), header (JSON, alg, crit, kid),
 * signature, then the payload's form. For a token whose signature matches, the
 * claims decide, so "signed" is returned.
 */
export function refusalCode(
  token: string,
  secret: string | Uint8Array = SECRET,
): JwtErrorCode | "signed" {
  const segments = token.split(".");
  if (token.length > 8192 || segments.length !== 3) return "ERR_JWT_MALFORMED";
  const strict = (s: string) =>
    /^[A-Za-z0-9_-]*$/.test(s) && b64url(Buffer.from(s, "base64url")) === s;
  if (!segments.every(strict)) return "ERR_JWT_MALFORMED";
  const [header, payload, signature] = segments as [string, string, string];
  const parsed = decodeSegment(header);
  if (parsed === undefined) return "ERR_JWT_MALFORMED";
  if (parsed.alg !== "HS256" || parsed.crit !== undefined) return "ERR_JWT_ALGORITHM";
  if (parsed.kid !== undefined && typeof parsed.kid !== "string") return "ERR_JWT_MALFORMED";
  if (hmac(`${header}.${payload}`, secret) !== signature) return "ERR_JWT_SIGNATURE";
  return decodeSegment(payload) === undefined ? "ERR_JWT_MALFORMED" : "signed";
}
