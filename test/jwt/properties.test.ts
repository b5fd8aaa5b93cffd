// Properties of sign and verify that must hold for every input, not just the examples.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeUnverified, JwtError, sign, verify } from "../../src/index.js";
import {
  expectCleanError,
  NOW,
  NOW_SECONDS,
  OTHER_SECRET,
  payload,
  runs,
  SECRET,
  tokenChar,
} from "../support/arbitraries.js";
import { refusalCode } from "../support/signed.js";

const RUNS = runs(200);

const signNow = (p: object, secret = SECRET, keyId?: string) =>
  sign(p, secret, { now: NOW, ...(keyId === undefined ? {} : { keyId }) });
const verifyNow = (token: string, secret = SECRET) => verify(token, secret, { now: NOW });

describe("sign then verify", () => {
  it("returns the signed payload, with iat added when absent", async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (p) => {
        const token = await signNow(p);
        const { header, payload: out } = await verifyNow(token);
        expect(out).toEqual({ ...p, iat: p.iat ?? NOW_SECONDS });
        expect(header).toEqual({ alg: "HS256", typ: "JWT" });
        expect(decodeUnverified(token)).toEqual({ header, payload: out });
      }),
      RUNS,
    );
  });

  it("carries any kid in the header", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary" }), async (kid) => {
        const token = await signNow({ exp: NOW_SECONDS + 60 }, SECRET, kid);
        const { header } = await verifyNow(token);
        expect(header).toEqual({ alg: "HS256", typ: "JWT", kid });
      }),
      RUNS,
    );
  });

  it("refuses to sign a registered claim of the wrong type, naming it", async () => {
    const wrong = {
      exp: fc.oneof(fc.string(), fc.constantFrom(Number.NaN, Infinity, -Infinity, null, true)),
      nbf: fc.oneof(fc.string(), fc.constantFrom(Number.NaN, Infinity, null, [1])),
      iat: fc.oneof(fc.string(), fc.constantFrom(-Infinity, null, {})),
      iss: fc.oneof(fc.double(), fc.constantFrom(null, ["a"], {})),
      sub: fc.oneof(fc.integer(), fc.constantFrom(null, false)),
      jti: fc.oneof(fc.integer(), fc.constantFrom(null, [])),
      aud: fc.oneof(fc.integer(), fc.constantFrom(null, [1], ["a", 2], { a: "b" })),
    };
    const claimAndValue = fc.oneof(
      ...Object.entries(wrong).map(([name, value]) => fc.tuple(fc.constant(name), value)),
    );
    await fc.assert(
      fc.asyncProperty(payload, claimAndValue, async (p, [name, value]) => {
        const attempt = signNow({ ...p, [name]: value });
        await expect(attempt).rejects.toThrow(TypeError);
        await expect(attempt).rejects.toThrow(`"${name}" claim has the wrong type`);
      }),
      RUNS,
    );
  });

  it("keeps a __proto__ claim as plain data and never touches Object.prototype", async () => {
    const evil = JSON.parse('{"__proto__":{"polluted":true},"exp":1999999999}') as object;
    const token = await signNow(evil);
    const { payload: out } = await verifyNow(token);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((out as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("a changed token is refused, never accepted, never another error", () => {
  it("refuses any single-character change", async () => {
    await fc.assert(
      fc.asyncProperty(payload, fc.nat(), tokenChar, async (p, at, char) => {
        const token = await signNow(p);
        const index = at % token.length;
        fc.pre(token[index] !== char);
        const changed = token.slice(0, index) + char + token.slice(index + 1);
        await expect(verifyNow(changed)).rejects.toMatchObject({
          name: "JwtError",
          code: refusalCode(changed),
        });
        expectDecodeOnlyMalformed(changed);
      }),
      runs(500),
    );
  });

  it("refuses a change to the signature alone with ERR_JWT_SIGNATURE or, for non-zero trailing bits, ERR_JWT_MALFORMED", async () => {
    const alphabet = fc.constantFrom(
      ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    );
    await fc.assert(
      fc.asyncProperty(payload, fc.nat(42), alphabet, async (p, offset, char) => {
        const token = await signNow(p);
        const index = token.lastIndexOf(".") + 1 + offset;
        fc.pre(token[index] !== char);
        const changed = token.slice(0, index) + char + token.slice(index + 1);
        // Only the last of 43 characters holds unused bits (RFC 4648 section 3.5).
        const code = refusalCode(changed);
        if (offset < 42) expect(code).toBe("ERR_JWT_SIGNATURE");
        await expect(verifyNow(changed)).rejects.toMatchObject({ name: "JwtError", code });
      }),
      RUNS,
    );
  });

  it("refuses every truncation, from either end", async () => {
    await fc.assert(
      fc.asyncProperty(payload, fc.nat(), fc.boolean(), async (p, at, fromEnd) => {
        const token = await signNow(p);
        const cut = at % token.length;
        const truncated = fromEnd ? token.slice(0, cut) : token.slice(cut + 1);
        await expect(verifyNow(truncated)).rejects.toMatchObject({
          name: "JwtError",
          code: refusalCode(truncated),
        });
        expectDecodeOnlyMalformed(truncated);
      }),
      RUNS,
    );
  });

  it("refuses a token with an extra or a missing segment as malformed", async () => {
    await fc.assert(
      fc.asyncProperty(
        payload,
        fc.nat(3),
        fc.string({ unit: fc.constantFrom(..."ABCabc012-_") }),
        fc.boolean(),
        async (p, position, extra, remove) => {
          const segments = (await signNow(p)).split(".");
          if (remove) segments.splice(position % 3, 1);
          else segments.splice(position, 0, extra);
          const changed = segments.join(".");
          await expect(verifyNow(changed)).rejects.toMatchObject({
            name: "JwtError",
            code: "ERR_JWT_MALFORMED",
          });
          expect(() => decodeUnverified(changed)).toThrow(JwtError);
        },
      ),
      RUNS,
    );
  });

  it("refuses segments swapped between two tokens, or reordered within one", async () => {
    const secret = fc.constantFrom(SECRET, OTHER_SECRET);
    const kid = fc.option(fc.string(), { nil: undefined });
    const source = fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 }));
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(payload, secret, kid),
        fc.tuple(payload, secret, kid),
        fc.tuple(source, source, source),
        async ([p1, s1, k1], [p2, s2, k2], picks) => {
          const a = await signNow(p1, s1, k1);
          const b = await signNow(p2, s2, k2);
          const tokens = [a.split("."), b.split(".")];
          const mixed = picks.map(([t, s]) => tokens[t]?.[s]).join(".");
          fc.pre(mixed !== a && mixed !== b);
          await expect(verify(mixed, s1, { now: NOW })).rejects.toMatchObject({
            name: "JwtError",
            code: refusalCode(mixed, s1),
          });
        },
      ),
      RUNS,
    );
  });
});

describe("any input to verify and decodeUnverified", () => {
  const tokenLike = fc
    .array(fc.string({ unit: tokenChar, maxLength: 60 }), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.join("."));
  const jsonSegments = fc
    .tuple(fc.json(), fc.json(), fc.string({ unit: tokenChar }))
    .map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`);
  const anyString = fc.oneof(fc.string({ unit: "binary" }), tokenLike, jsonSegments);
  const huge = fc.constantFrom(
    "a".repeat(8193),
    ".".repeat(100_000),
    `${"A".repeat(3_000_000)}.${"B".repeat(3_000_000)}.c`,
    "\u{1F600}".repeat(5000),
  );
  const notAString = fc
    .oneof(
      fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }),
      fc.constantFrom(
        undefined,
        0,
        Number.NaN,
        Symbol("token"),
        () => "a.b.c",
        new String("a.b.c"),
      ),
    )
    .filter((value) => typeof value !== "string");

  it("fails only with JwtError or TypeError, with a message, and never rejects unobserved", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof(anyString, huge, notAString), async (input) => {
          try {
            await verify(input as string, SECRET, { now: NOW });
          } catch (error) {
            expectCleanError(error);
          }
          try {
            decodeUnverified(input as string);
          } catch (error) {
            expectCleanError(error);
          }
        }),
        runs(500),
      );
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("refuses non-strings as malformed, saying a string is needed", async () => {
    await fc.assert(
      fc.asyncProperty(notAString, async (input) => {
        await expect(verify(input as string, SECRET)).rejects.toMatchObject({
          name: "JwtError",
          code: "ERR_JWT_MALFORMED",
          message: "token must be a string",
        });
        expect(() => decodeUnverified(input as string)).toThrow("token must be a string");
      }),
      RUNS,
    );
  });

  it("refuses any secret that is not a secret with TypeError or ERR_JWT_KEY", async () => {
    const token = await signNow({ exp: NOW_SECONDS + 60 });
    const badSecret = fc.oneof(
      fc.anything({ withBigInt: true, withTypedArray: true }),
      fc.string({ maxLength: 31, unit: "grapheme-ascii" }),
      fc.uint8Array({ maxLength: 31 }),
    );
    await fc.assert(
      fc.asyncProperty(badSecret, fc.boolean(), async (secret, viaResolver) => {
        fc.pre(!(typeof secret === "string" && new TextEncoder().encode(secret).length >= 32));
        fc.pre(!(secret instanceof Uint8Array && secret.length >= 32));
        const given = viaResolver ? () => secret : secret;
        let error: unknown;
        await verify(token, given as string).catch((caught: unknown) => {
          error = caught;
        });
        expectCleanError(error);
        if (error instanceof JwtError) expect(error.code).toBe("ERR_JWT_KEY");
      }),
      RUNS,
    );
  });
});

function b64(text: string): string {
  return Buffer.from(text).toString("base64url");
}

function expectDecodeOnlyMalformed(token: string): void {
  try {
    decodeUnverified(token);
  } catch (error) {
    expect(error).toBeInstanceOf(JwtError);
    expect((error as JwtError).code).toBe("ERR_JWT_MALFORMED");
  }
}
