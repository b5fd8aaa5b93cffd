// Base64url without padding (RFC 7515 section 2 and RFC 4648 section 5). The
// conversion itself is atob and btoa, which every runtime has natively (HTML's
// forgiving-base64, the same everywhere) and which cost a fraction of a loop in
// JavaScript; the strictness that they lack is checked here first.

// Base64url text: the alphabet of RFC 4648 section 5, nothing else. A plain
// loop over one class: a pattern for the groups of 4 would backtrack as deep as
// a long token is, and overflow the stack.
const ALPHABET_ONLY = /^[\w-]*$/;
// Text that is its own UTF-8 (and its own Latin-1, as atob and btoa read it).
const ASCII_ONLY = /^[\0-\x7f]*$/;

const CHUNK = 8192;

/**
 * The one TextEncoder of the core, shared by its modules.
 *
 * @category Sign and verify
 */
export const encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, not U+FFFD. ignoreBOM: a BOM stays in the
// text, where JSON.parse refuses it; JSON in a JWT is plain UTF-8 (RFC 7519 section 7.2).
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * True when `text[start, end)` is strict base64url: only the alphabet (no padding,
 * no whitespace), not a length of 1 mod 4, and no non-zero bits after the last
 * byte (RFC 4648 section 3.5 lets decoders refuse those, and we do, so that every
 * byte string has exactly one token text).
 *
 * @category Sign and verify
 */
export function isBase64url(text: string, start = 0, end = text.length): boolean {
  const rest = (end - start) & 3;
  return (
    rest !== 1 &&
    ALPHABET_ONLY.test(text.slice(start, end)) &&
    // The last character of a group of 2 (or 3) carries 4 (or 2) bits after the
    // last byte: those listed are the ones whose extra bits are zero.
    (rest === 0 || (rest === 2 ? "AQgw" : "AEIMQUYcgkosw048").includes(text.charAt(end - 1)))
  );
}

/** Base64url of the bytes of a Latin-1 string. */
function base64urlOf(binary: string): string {
  // btoa pads to a multiple of 4; unpadded, n bytes take ceil(4n / 3) characters.
  const length = Math.ceil((binary.length * 4) / 3);
  return btoa(binary).slice(0, length).replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * Encodes bytes as base64url with no padding.
 *
 * @category Sign and verify
 */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = "";
  // In chunks: apply passes every byte as an argument, and engines limit their number.
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return base64urlOf(binary);
}

/**
 * Base64url of the UTF-8 bytes of `text`.
 *
 * @category Sign and verify
 */
export function encodeText(text: string): string {
  // ASCII text, as JSON mostly is, is its own UTF-8: no bytes to make.
  return ASCII_ONLY.test(text) ? base64urlOf(text) : encodeBase64url(encoder.encode(text));
}

/**
 * Decodes strict base64url (see {@link isBase64url}), or returns `undefined`
 * when the text is not the one canonical encoding of some bytes. With `into`,
 * which must have room (fewer bytes than characters), the bytes are written
 * there and a view of them returned.
 *
 * @category Sign and verify
 */
export function decodeBase64url(
  text: string,
  start = 0,
  end = text.length,
  into?: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> | undefined {
  if (!isBase64url(text, start, end)) return undefined;
  return decodeCheckedBase64url(text, start, end, into);
}

/**
 * {@link decodeBase64url} of text that {@link isBase64url} has accepted.
 *
 * @category Sign and verify
 */
export function decodeCheckedBase64url(
  text: string,
  start: number,
  end: number,
  into?: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> {
  const binary = binaryOf(text, start, end);
  return bytesOf(binary, into?.subarray(0, binary.length));
}

/**
 * Decodes base64url that {@link isBase64url} has accepted as UTF-8 text.
 * Throws a TypeError when the bytes are not UTF-8.
 *
 * @category Sign and verify
 */
export function decodeBase64urlText(text: string, start: number, end: number): string {
  const binary = binaryOf(text, start, end);
  // ASCII, as JSON mostly is, is its own UTF-8: no bytes to make.
  return ASCII_ONLY.test(binary) ? binary : decoder.decode(bytesOf(binary));
}

/** The bytes of base64url text already checked, as a Latin-1 string (one character per byte). */
function binaryOf(text: string, start: number, end: number): string {
  return atob(text.slice(start, end).replaceAll("-", "+").replaceAll("_", "/"));
}

function bytesOf(binary: string, bytes = new Uint8Array(binary.length)): Uint8Array<ArrayBuffer> {
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
