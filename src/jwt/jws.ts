// The JWS Compact Serialization (RFC 7515 section 7.1) for HS256 alone.
import {
  decodeBase64urlText,
  decodeCheckedBase64url,
  encoder,
  encodeText,
  isBase64url,
} from "./base64url.js";
import { JwtError } from "./errors.js";
import type { HmacBackend } from "./hmac.js";

export { encodeText } from "./base64url.js";

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

// The bytes given to the backend are written into one buffer kept between calls:
// a new array handed to native code (Web Crypto) costs it more than the HMAC, as
// its memory must be moved off the JavaScript heap and later collected. A backend
// keeps a view only until it returns (see HmacBackend), so the next call may
// reuse it. Grown when a token needs more, up to SCRATCH_LIMIT: a larger one is
// made for one call and not kept.
const SCRATCH_LIMIT = 65536;
let scratch = new Uint8Array(1024);

/** A buffer of at least `size` bytes, valid until the next call. */
function scratchBuffer(size: number): Uint8Array<ArrayBuffer> {
  if (size <= scratch.length) return scratch;
  const buffer = new Uint8Array(size);
  if (size <= SCRATCH_LIMIT) scratch = buffer;
  return buffer;
}

/** The bytes of a signing input, which is base64url and so ASCII: one byte per character. */
function asciiBytes(input: string, buffer: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return buffer.subarray(0, encoder.encodeInto(input, buffer).written);
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
  let value: unknown;
  try {
    // splitToken has checked the form of every segment.
    value = JSON.parse(decodeBase64urlText(token, start, end));
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
  return backend.sign(key, asciiBytes(input, scratchBuffer(input.length)));
}

/**
 * Whether the third segment is the MAC of the first two, compared in constant
 * time (the backend's verify); {@link requireMatch} turns a mismatch into
 * `ERR_JWT_SIGNATURE`. A promise only when the backend gives one, so that a
 * synchronous backend's hot path waits for nothing.
 *
 * @category Sign and verify
 */
export function verifySignature<K>(
  key: K,
  parts: TokenParts,
  backend: HmacBackend<K>,
): boolean | PromiseLike<boolean> {
  const { token, dot2 } = parts;
  // The signing input and then the signature, in one buffer: a signature has
  // fewer bytes than characters.
  const buffer = scratchBuffer(token.length);
  const input = asciiBytes(token.slice(0, dot2), buffer);
  // splitToken has checked the form of every segment.
  const signature = decodeCheckedBase64url(
    token,
    dot2 + 1,
    token.length,
    buffer.subarray(input.length),
  );
  return backend.verify(key, input, signature);
}

/**
 * Refuses a signature that does not match.
 *
 * @category Sign and verify
 */
export function requireMatch(matches: boolean): void {
  if (!matches) throw new JwtError("ERR_JWT_SIGNATURE", "signature does not match");
}

export function malformed(message: string): JwtError {
  return new JwtError("ERR_JWT_MALFORMED", message);
}
