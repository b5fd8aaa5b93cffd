// The work verify and decodeUnverified do is linear in the input, and nil past the
// length limit. Shown by counting, not timing: every step that reads the input
// (base64url decoding, to bytes or to UTF-8 text, JSON.parse, the HMAC) is spied on, and the
// characters each is given are summed. A constant number of steps, each over at
// most the input, is linear work as long as each step is; and those steps are
// single-pass primitives. Wall-clock scaling is measured by scripts/linearity.mjs.
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_MAX_TOKEN_LENGTH, decodeUnverified, sign, verify } from "../../src/index.js";
import * as base64url from "../../src/jwt/base64url.js";
import { NOW, payload, runs, SECRET, tokenChar } from "../support/arbitraries.js";

vi.mock("../../src/jwt/base64url.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/jwt/base64url.js")>();
  return {
    ...original,
    decodeBase64url: vi.fn(original.decodeBase64url),
    decodeCheckedBase64url: vi.fn(original.decodeCheckedBase64url),
    decodeBase64urlText: vi.fn(original.decodeBase64urlText),
  };
});

interface Work {
  /** How many times each step ran. */
  calls: number;
  /** Characters (or bytes) that all steps were given, in total. */
  units: number;
}

let work: Work;

function count(units: number): void {
  work.calls++;
  work.units += units;
}

beforeEach(async () => {
  work = { calls: 0, units: 0 };
  const real = await vi.importActual<typeof base64url>("../../src/jwt/base64url.js");
  const realDecode = real.decodeBase64url;
  vi.mocked(base64url.decodeBase64url).mockImplementation((text, start = 0, end = text.length) => {
    count(end - start);
    return realDecode(text, start, end);
  });
  const realChecked = real.decodeCheckedBase64url;
  vi.mocked(base64url.decodeCheckedBase64url).mockImplementation((text, start, end, into) => {
    count(end - start);
    return realChecked(text, start, end, into);
  });
  // Decoding a segment to text includes its UTF-8 decoding: one step.
  const realDecodeText = real.decodeBase64urlText;
  vi.mocked(base64url.decodeBase64urlText).mockImplementation((text, start, end) => {
    count(end - start);
    return realDecodeText(text, start, end);
  });
  const parse = JSON.parse;
  vi.spyOn(JSON, "parse").mockImplementation((text, reviver) => {
    count(String(text).length);
    return parse(text, reviver);
  });
  const hmacVerify = crypto.subtle.verify.bind(crypto.subtle);
  vi.spyOn(crypto.subtle, "verify").mockImplementation((algorithm, key, signature, data) => {
    count((data as Uint8Array).byteLength);
    return hmacVerify(algorithm, key, signature, data);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

const tokenLike = fc
  .array(fc.string({ unit: tokenChar, maxLength: 3000 }), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join("."));
const anyInput = fc.oneof(tokenLike, fc.string({ unit: "binary", maxLength: 9000 }));

async function attempt(input: string): Promise<void> {
  await verify(input, SECRET, { now: NOW }).catch(() => undefined);
  try {
    decodeUnverified(input);
  } catch {
    // Only the work matters here; the errors are checked in properties.test.ts.
  }
}

describe("work done on a token", () => {
  it("is a few passes over the input, for any input up to the limit", async () => {
    await fc.assert(
      fc.asyncProperty(anyInput, async (input) => {
        work = { calls: 0, units: 0 };
        await attempt(input);
        // verify: at most 1 base64url decode of the signature and 2 to text (n
        // characters in all), 2 JSON.parse (3/4 n each: base64url yields 3 bytes per
        // 4 characters) and 1 HMAC (n: the signing input, checked to be ASCII);
        // decodeUnverified: at most 2 decodes to text and 2 JSON.parse. 10 steps.
        expect(work.calls).toBeLessThanOrEqual(10);
        expect(work.units).toBeLessThanOrEqual(8 * input.length);
      }),
      runs(300),
    );
  });

  it("reads a valid token a fixed number of times, whatever its size", async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const token = await sign(p, SECRET, { now: NOW });
        fc.pre(token.length <= DEFAULT_MAX_TOKEN_LENGTH);
        work = { calls: 0, units: 0 };
        await attempt(token);
        // The header sign writes is recognised without decoding it, so verify takes
        // 4 steps (signature, HMAC, payload's text and JSON) and decodeUnverified 4.
        expect(work.calls).toBe(8);
        expect(work.units).toBeLessThanOrEqual(6 * token.length);
      }),
      runs(100),
    );
  });

  it("does none past maxTokenLength, however long the input", async () => {
    const lengths = fc.integer({ min: DEFAULT_MAX_TOKEN_LENGTH + 1, max: 5_000_000 });
    await fc.assert(
      fc.asyncProperty(lengths, fc.constantFrom("A", ".", "eyJ"), async (length, unit) => {
        const input = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        work = { calls: 0, units: 0 };
        await attempt(input);
        expect(work).toEqual({ calls: 0, units: 0 });
      }),
      runs(20),
    );
  });

  it("does none past a smaller maxTokenLength given to verify", async () => {
    const token = await sign({ exp: 1e10 }, SECRET, { now: NOW });
    work = { calls: 0, units: 0 };
    await expect(verify(token, SECRET, { maxTokenLength: token.length - 1 })).rejects.toThrow(
      `token is longer than ${token.length - 1} characters`,
    );
    expect(work.calls).toBe(0);
    await verify(token, SECRET, { maxTokenLength: token.length, now: NOW });
    expect(work.calls).toBe(4);
  });
});
