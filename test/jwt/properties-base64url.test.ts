// Base64url must have exactly one text per byte string (RFC 4648 section 3.5), or a
// token could be changed without changing what it decodes to.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "../../src/jwt/base64url.js";
import { runs } from "../support/arbitraries.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const RUNS = runs(1000);

/** Node's encoder, as an independent reference for the encoding (not for the strictness). */
const reference = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

const bytes = fc.uint8Array({ maxLength: 200 });
const encoded = bytes.map((b) => ({ bytes: b, text: encodeBase64url(b) }));

describe("encodeBase64url then decodeBase64url", () => {
  it("round-trips any bytes, and encodes as RFC 4648 section 5 without padding", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const text = encodeBase64url(b);
        expect(text).toBe(reference(b));
        expect(decodeBase64url(text)).toEqual(b);
      }),
      RUNS,
    );
  });

  it("decodes a slice of a longer text, ignoring what lies outside it", () => {
    fc.assert(
      fc.property(encoded, fc.string(), fc.string(), (e, before, after) => {
        const text = before + e.text + after;
        const end = before.length + e.text.length;
        expect(decodeBase64url(text, before.length, end)).toEqual(e.bytes);
      }),
      RUNS,
    );
  });
});

describe("decodeBase64url refuses every non-canonical text", () => {
  it("accepts a text exactly when it is the encoding of what it decodes to", () => {
    const chars = fc.constantFrom(...ALPHABET, "=", "+", "/", " ", "\n", ".", "\u0141", "\u00c1");
    fc.assert(
      fc.property(fc.string({ unit: chars, maxLength: 40 }), (text) => {
        const decoded = decodeBase64url(text);
        // Node decodes leniently, so re-encoding its result yields the canonical text.
        const canonical = reference(Buffer.from(text, "base64url")) === text;
        expect(decoded !== undefined).toBe(canonical);
        if (decoded) expect(encodeBase64url(decoded)).toBe(text);
      }),
      runs(3000),
    );
  });

  it("refuses padding", () => {
    fc.assert(
      fc.property(encoded, fc.integer({ min: 1, max: 3 }), fc.nat(), (e, count, at) => {
        const index = at % (e.text.length + 1);
        const padded = e.text.slice(0, index) + "=".repeat(count) + e.text.slice(index);
        expect(decodeBase64url(padded)).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("refuses whitespace anywhere", () => {
    const space = fc.constantFrom(" ", "\t", "\n", "\r", "\f", "\v", "\u00a0", "\u2028", "\ufeff");
    fc.assert(
      fc.property(encoded, space, fc.nat(), (e, ws, at) => {
        const index = at % (e.text.length + 1);
        expect(decodeBase64url(e.text.slice(0, index) + ws + e.text.slice(index))).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("refuses any character outside the base64url alphabet", () => {
    const foreign = fc.oneof(
      fc.constantFrom("+", "/", ".", "=", "%", "\0"),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      // Characters whose low byte is in the alphabet must not alias it.
      fc.constantFrom(...ALPHABET).map((c) => String.fromCharCode(c.charCodeAt(0) + 256)),
    );
    fc.assert(
      fc.property(encoded, foreign, fc.nat(), (e, char, at) => {
        fc.pre(e.text.length > 0 && !ALPHABET.includes(char));
        const index = at % e.text.length;
        const changed = e.text.slice(0, index) + char + e.text.slice(index + 1);
        expect(decodeBase64url(changed)).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("refuses non-zero bits after the last byte", () => {
    fc.assert(
      fc.property(encoded, fc.integer({ min: 1, max: 15 }), (e, bits) => {
        const rest = e.text.length % 4;
        fc.pre(rest !== 0);
        // 2 chars carry 1 byte (4 spare bits), 3 chars carry 2 bytes (2 spare bits).
        const spare = rest === 2 ? 15 : 3;
        fc.pre((bits & spare) !== 0);
        const last = ALPHABET.indexOf(e.text.at(-1) as string);
        const changed = e.text.slice(0, -1) + ALPHABET[last | (bits & spare)];
        expect(decodeBase64url(changed)).toBeUndefined();
      }),
      RUNS,
    );
  });

  it("refuses a length of 1 mod 4, whatever the characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 60 }), (text) => {
        fc.pre(text.length % 4 === 1);
        expect(decodeBase64url(text)).toBeUndefined();
      }),
      RUNS,
    );
  });
});
