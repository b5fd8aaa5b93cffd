import { describe, expect, it } from "vitest";
import {
  decodeBase64url,
  decodeBase64urlText,
  encodeBase64url,
  encodeText,
} from "../../src/jwt/base64url.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Deterministic bytes, so that a failure can be reproduced.
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 255;
  }
  return bytes;
}

// Node's Buffer is the independent oracle: it decodes leniently, so a text is
// canonical exactly when re-encoding what Buffer decodes gives the same text.
function oracleDecode(text: string): Uint8Array | undefined {
  const bytes = Buffer.from(text, "base64url");
  return bytes.toString("base64url") === text ? new Uint8Array(bytes) : undefined;
}

describe("encodeBase64url", () => {
  it("matches Buffer for every length from 0 to 70", () => {
    for (let length = 0; length <= 70; length++) {
      for (let seed = 1; seed <= 8; seed++) {
        const bytes = pseudoRandomBytes(length, length * 31 + seed);
        expect(encodeBase64url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
      }
    }
  });

  it("matches Buffer for every byte value, alone and in every position of a block", () => {
    for (let value = 0; value < 256; value++) {
      for (const bytes of [
        [value],
        [0, value],
        [value, 255],
        [1, 2, value],
        [value, 0, 0, value],
      ]) {
        const array = Uint8Array.from(bytes);
        expect(encodeBase64url(array)).toBe(Buffer.from(array).toString("base64url"));
      }
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(encodeBase64url(all)).toBe(Buffer.from(all).toString("base64url"));
  });

  it("writes no padding and only the url-safe alphabet", () => {
    const text = encodeBase64url(Uint8Array.from([0xfb, 0xff, 0xbf, 0xfe]));
    expect(text).toBe("-_-__g");
    expect(encodeBase64url(new Uint8Array(0))).toBe("");
  });
});

describe("decodeBase64url", () => {
  it("round-trips arbitrary bytes of every length from 0 to 70", () => {
    for (let length = 0; length <= 70; length++) {
      for (let seed = 1; seed <= 8; seed++) {
        const bytes = pseudoRandomBytes(length, length * 17 + seed);
        const text = Buffer.from(bytes).toString("base64url");
        expect(decodeBase64url(text)).toEqual(bytes);
        expect(decodeBase64url(encodeBase64url(bytes))).toEqual(bytes);
      }
    }
  });

  it("round-trips every byte value in every position of a block", () => {
    for (let value = 0; value < 256; value++) {
      for (const bytes of [[value], [value, value], [0, value], [1, 2, value], [value, 9, 9, 9]]) {
        const array = Uint8Array.from(bytes);
        expect(decodeBase64url(Buffer.from(array).toString("base64url"))).toEqual(array);
      }
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeBase64url(Buffer.from(all).toString("base64url"))).toEqual(all);
  });

  it("agrees with Buffer on every text of 2 and 3 characters, canonical or not", () => {
    for (const a of ALPHABET) {
      for (const b of ALPHABET) {
        expect(decodeBase64url(a + b)).toEqual(oracleDecode(a + b));
        for (const c of ALPHABET) {
          const text = a + b + c;
          const decoded = decodeBase64url(text);
          const expected = oracleDecode(text);
          if (expected === undefined ? decoded !== undefined : !equalBytes(decoded, expected)) {
            expect(decoded).toEqual(expected);
          }
        }
      }
    }
  });

  it("refuses non-zero bits after the last byte", () => {
    // "AQ" is the canonical text of [1]; "AR" to "Af" decode to the same byte in lenient decoders.
    expect(decodeBase64url("AQ")).toEqual(Uint8Array.from([1]));
    expect(decodeBase64url("AR")).toBeUndefined();
    expect(decodeBase64url("Af")).toBeUndefined();
    expect(decodeBase64url("AAE")).toEqual(Uint8Array.from([0, 1]));
    expect(decodeBase64url("AAF")).toBeUndefined();
    expect(decodeBase64url("AAH")).toBeUndefined();
    expect(decodeBase64url("AAAAAR")).toBeUndefined();
  });

  it("refuses a length of 1 mod 4", () => {
    for (const text of ["A", "AAAAA", "AAAAAAAAA", "_"]) {
      expect(decodeBase64url(text)).toBeUndefined();
    }
  });

  it("refuses padding, whitespace and characters outside the alphabet in every position", () => {
    const bad = ["=", "+", "/", " ", "\t", "\n", "\r", ".", "*", "~", "\0", "\u007f"];
    // Non-ASCII characters whose low 7 bits are an alphabet character ("A", "a", "0", "-").
    bad.push("\u00c1", "\u00e1", "\u00b0", "\u00ad", "\u0141", "\uff21", "é", "\ud83d");
    for (const base of ["AAAA", "AAAAAA", "AAAAAAA", "AAAAAAAA"]) {
      for (let i = 0; i < base.length; i++) {
        for (const char of bad) {
          const text = base.slice(0, i) + char + base.slice(i + 1);
          expect(decodeBase64url(text), JSON.stringify(text)).toBeUndefined();
        }
      }
    }
    expect(decodeBase64url("AQ==")).toBeUndefined();
    expect(decodeBase64url("AAE=")).toBeUndefined();
  });

  it("decodes only the range between start and end", () => {
    const text = "**AQID**";
    expect(decodeBase64url(text, 2, 6)).toEqual(Uint8Array.from([1, 2, 3]));
    expect(decodeBase64url(text, 2, 4)).toEqual(Uint8Array.from([1]));
    expect(decodeBase64url(text, 2, 2)).toEqual(new Uint8Array(0));
    expect(decodeBase64url(text, 1, 6)).toBeUndefined();
    expect(decodeBase64url("xxAQID", 2)).toEqual(Uint8Array.from([1, 2, 3]));
  });

  it("returns bytes on a plain ArrayBuffer of the exact length", () => {
    const bytes = decodeBase64url("AQIDBA") as Uint8Array;
    expect(bytes.buffer).toBeInstanceOf(ArrayBuffer);
    expect(bytes.byteLength).toBe(4);
    expect(bytes.buffer.byteLength).toBe(4);
  });
});

function equalBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((value, i) => value === b[i]);
}

// ASCII text takes a shortcut (it is its own UTF-8); text with none must not.
describe("encodeText and decodeBase64urlText", () => {
  it.each(["é", "日本語", "é-ascii", "ascii"])("round-trip %j as UTF-8", (text) => {
    const encoded = encodeText(text);
    expect(encoded).toBe(Buffer.from(text, "utf8").toString("base64url"));
    expect(decodeBase64urlText(encoded, 0, encoded.length)).toBe(text);
  });
});
