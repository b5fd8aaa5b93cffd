// The JWS Compact Serialization (RFC 7515 section 7.1) for HS256 alone.
import { decodeBase64url, encodeBase64url, isBase64url, scratchBuffer } from "./base64url.js";
import { JwtError } from "./errors.js";
import { type HmacBackend, pending } from "./hmac.js";

/**
 * A JOSE header as this library writes and accepts it.
 *
 * @category Sign and verify
 */
export interface JwtHeader {
  alg: "HS256";
  typ?: string;
  kid?: string;
  [parameter: string]: unknown;
}

const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, not U+FFFD. ignoreBOM: a BOM stays in the
// text, where JSON.parse refuses it; JSON in a JWT is plain UTF-8 (RFC 7519 section 7.2).
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The UTF-8 bytes of `text`, in a buffer valid until the next use of the scratch buffer. */
function utf8(text: string): Uint8Array<ArrayBuffer> {
  // UTF-8 takes at most 3 bytes for each UTF-16 code unit.
  const buffer = scratchBuffer(text.length * 3);
  return buffer.subarray(0, encoder.encodeInto(text, buffer).written);
}

/**
 * Base64url of UTF-8 text.
 *
 * @category Sign and verify
 */
export function encodeText(text: string): string {
  return encodeBase64url(utf8(text));
}

const PLAIN_HEADER = encodeText('{"alg":"HS256","typ":"JWT"}');

/**
 * The encoded header segment, computed once for the common header without `kid`.
 *
 * @category Sign and verify
 */
export function encodeHeader(keyId?: string): string {
  if (keyId === undefined) return PLAIN_HEADER;
  if (typeof keyId !== "string") throw new TypeError("keyId must be a string");
  return encodeText(JSON.stringify({ alg: "HS256", typ: "JWT", kid: keyId }));
}

/**
 * The positions of the two dots of a compact token.
 *
 * @category Sign and verify
 */
export interface TokenParts {
  token: string;
  /** Index of the first dot: the header segment ends here. */
  dot1: number;
  /** Index of the second dot: the signing input ends here. */
  dot2: number;
}

/**
 * Finds the three segments, refusing a token that is not a string, too long, not
 * three parts, or with a segment that is not strict base64url.
 *
 * @category Sign and verify
 */
export function splitToken(token: unknown, maxLength: number): TokenParts {
  if (typeof token !== "string") throw malformed("token must be a string");
  // Checked first, so that a huge input costs nothing more than this comparison.
  if (token.length > maxLength) throw malformed(`token is longer than ${maxLength} characters`);
  const dot1 = token.indexOf(".");
  const dot2 = dot1 < 0 ? -1 : token.indexOf(".", dot1 + 1);
  if (dot2 < 0 || token.indexOf(".", dot2 + 1) >= 0) {
    throw malformed("token must have three dot-separated segments");
  }
  // The form of every segment is checked before the key or the signature
  // (RFC 7515 section 5.2, steps 1 to 3), so that a payload that is not
  // base64url is malformed, never a bad signature.
  if (!isBase64url(token, 0, dot1)) throw malformed("header is not valid base64url");
  if (!isBase64url(token, dot1 + 1, dot2)) throw malformed("payload is not valid base64url");
  if (!isBase64url(token, dot2 + 1)) throw malformed("signature is not valid base64url");
  return { token, dot1, dot2 };
}

/**
 * Decodes a segment, whose form {@link splitToken} has checked, as a UTF-8 JSON object.
 *
 * @category Sign and verify
 */
export function parseSegment(
  token: string,
  start: number,
  end: number,
  what: string,
): Record<string, unknown> {
  // splitToken has checked the form of every segment.
  const bytes = decodeBase64url(
    token,
    start,
    end,
    scratchBuffer(end - start),
  ) as Uint8Array<ArrayBuffer>;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch {
    throw malformed(`${what} is not UTF-8 JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw malformed(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Decodes and checks the header: HS256 only, and no extension we would have to understand.
 *
 * @category Sign and verify
 */
export function parseHeader(parts: TokenParts): JwtHeader {
  // The header this library writes, by far the most common, needs no decoding.
  if (parts.dot1 === PLAIN_HEADER.length && parts.token.startsWith(PLAIN_HEADER)) {
    return { alg: "HS256", typ: "JWT" };
  }
  const header = parseSegment(parts.token, 0, parts.dot1, "header");
  // Exact match: "none", other algorithms and other spellings are all refused (RFC 8725 section 3.1).
  if (header.alg !== "HS256")
    throw new JwtError("ERR_JWT_ALGORITHM", 'header "alg" must be "HS256"');
  // RFC 7515 section 4.1.11: a recipient MUST reject a token whose crit names an
  // extension it does not understand, and this library understands none.
  if (header.crit !== undefined)
    throw new JwtError("ERR_JWT_ALGORITHM", 'header "crit" is not supported');
  // RFC 7515 section 4.1.4: kid is a string; a key resolver must never see another type.
  if (header.kid !== undefined && typeof header.kid !== "string")
    throw malformed('header "kid" must be a string');
  return header as JwtHeader;
}

/**
 * The MAC of the signing input `header.payload`, as the backend gives it.
 *
 * @category Sign and verify
 */
export function mac<K>(
  key: K,
  input: string,
  backend: HmacBackend<K>,
): Uint8Array | Promise<Uint8Array> {
  return backend.sign(key, utf8(input));
}

/**
 * Checks the third segment against the first two, in constant time (the
 * backend's verify). Fails with `ERR_JWT_SIGNATURE`. Returns a promise only when the backend does, so
 * that a synchronous backend's hot path waits for nothing.
 *
 * @category Sign and verify
 */
export function verifySignature<K>(
  key: K,
  parts: TokenParts,
  backend: HmacBackend<K>,
): void | PromiseLike<void> {
  const { token, dot2 } = parts;
  const input = token.slice(0, dot2);
  // The signing input and then the signature, in one buffer: a signature is
  // shorter than its text, and UTF-8 takes at most 3 bytes per UTF-16 code unit.
  const buffer = scratchBuffer(input.length * 3 + token.length - dot2);
  const { written } = encoder.encodeInto(input, buffer);
  // splitToken has checked the form of every segment.
  const signature = decodeBase64url(
    token,
    dot2 + 1,
    token.length,
    buffer.subarray(written),
  ) as Uint8Array<ArrayBuffer>;
  const matches = backend.verify(key, buffer.subarray(0, written), signature);
  return pending(matches) ? matches.then(requireMatch) : requireMatch(matches);
}

function requireMatch(matches: boolean): void {
  if (!matches) throw new JwtError("ERR_JWT_SIGNATURE", "signature does not match");
}

export function malformed(message: string): JwtError {
  return new JwtError("ERR_JWT_MALFORMED", message);
}
