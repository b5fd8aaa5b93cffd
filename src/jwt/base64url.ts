// Base64url without padding (RFC 7515 section 2 and RFC 4648 section 5), in plain
// TypeScript so that it runs the same on every runtime: no Buffer, atob or btoa.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ENCODE = new Uint8Array(64);
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  const code = ALPHABET.charCodeAt(i);
  ENCODE[i] = code;
  DECODE[code] = i;
}

// UTF-8 is the one encoding every runtime must decode, and ASCII is a subset of it.
const ascii = new TextDecoder();

// Scratch buffers, reused because every use ends before the next begins: a fresh
// small typed array handed to native code costs more than the encoding itself.
// Buffers above SCRATCH_LIMIT are made for one call and not kept.
const SCRATCH_LIMIT = 65536;
let scratch = new Uint8Array(1024);
let charScratch = new Uint8Array(1024);

/**
 * A buffer of at least `size` bytes, valid until the next call.
 *
 * @category Sign and verify
 */
export function scratchBuffer(size: number): Uint8Array<ArrayBuffer> {
  if (size <= scratch.length) return scratch;
  const buffer = new Uint8Array(size);
  if (size <= SCRATCH_LIMIT) scratch = buffer;
  return buffer;
}

/**
 * Encodes bytes as base64url with no padding.
 *
 * @category Sign and verify
 */
export function encodeBase64url(bytes: Uint8Array): string {
  const length = bytes.length;
  const size = Math.ceil((length * 4) / 3);
  let out = charScratch;
  if (size > out.length) {
    out = new Uint8Array(size);
    if (size <= SCRATCH_LIMIT) charScratch = out;
  }
  let o = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = ENCODE[n >> 18] as number;
    out[o++] = ENCODE[(n >> 12) & 63] as number;
    out[o++] = ENCODE[(n >> 6) & 63] as number;
    out[o++] = ENCODE[n & 63] as number;
  }
  const rest = length - i;
  if (rest === 1) {
    const n = bytes[i] as number;
    out[o++] = ENCODE[n >> 2] as number;
    out[o++] = ENCODE[(n & 3) << 4] as number;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    out[o++] = ENCODE[n >> 10] as number;
    out[o++] = ENCODE[(n >> 4) & 63] as number;
    out[o++] = ENCODE[(n & 15) << 2] as number;
  }
  return ascii.decode(out.subarray(0, o));
}

/**
 * Decodes strict base64url, or returns `undefined` when the text is not the one
 * canonical encoding of some bytes: a character outside the alphabet, padding,
 * whitespace, a length of 1 mod 4, or non-zero bits after the last byte
 * (RFC 4648 section 3.5 lets decoders refuse those, and we do, so that every
 * byte string has exactly one token text). With `into`, which must have room
 * (fewer bytes than characters), the bytes are written there and a view of them returned.
 *
 * @category Sign and verify
 */
export function decodeBase64url(
  text: string,
  start = 0,
  end = text.length,
  into?: Uint8Array<ArrayBuffer>,
): Uint8Array<ArrayBuffer> | undefined {
  const length = end - start;
  const rest = length & 3;
  if (rest === 1) return undefined;
  const size = (length >> 2) * 3 + (rest === 0 ? 0 : rest - 1);
  const out = into ? into.subarray(0, size) : new Uint8Array(size);
  let o = 0;
  let i = start;
  const full = start + length - rest;
  for (; i < full; i += 4) {
    const n =
      (sextet(text, i) << 18) |
      (sextet(text, i + 1) << 12) |
      (sextet(text, i + 2) << 6) |
      sextet(text, i + 3);
    if (n < 0) return undefined;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (rest === 2) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    if ((a | b) < 0 || (b & 15) !== 0) return undefined;
    out[o] = (a << 2) | (b >> 4);
  } else if (rest === 3) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    if ((a | b | c) < 0 || (c & 3) !== 0) return undefined;
    out[o++] = (a << 2) | (b >> 4);
    out[o] = ((b & 15) << 4) | (c >> 2);
  }
  return out;
}

// -1 (all bits set) for a character outside the alphabet, so one OR of the
// four sextets tells whether any was invalid.
function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? (DECODE[code] as number) : -1;
}

/**
 * True when `text[start, end)` is strict base64url, as {@link decodeBase64url}
 * would accept it, without writing the bytes anywhere.
 *
 * @category Sign and verify
 */
export function isBase64url(text: string, start = 0, end = text.length): boolean {
  const length = end - start;
  const rest = length & 3;
  if (rest === 1) return false;
  let bits = 0;
  for (let i = start; i < end; i++) bits |= sextet(text, i);
  if (bits < 0) return false;
  // The unused low bits of the last character must be zero (RFC 4648 section 3.5).
  if (rest === 2) return (sextet(text, end - 1) & 15) === 0;
  if (rest === 3) return (sextet(text, end - 1) & 3) === 0;
  return true;
}
