import { describe, expect, it } from "vitest";
import { decodeUnverified, sign } from "../../src/index.js";
import { keyringResolver, keyringVerifier, signingKey } from "../../src/jwt/keyring.js";

const OLD = "old-keyring-secret-old-keyring-secret-0";
const NEW = "new-keyring-secret-new-keyring-secret-0";
const ring = [{ kid: "2026-12", secret: NEW }, { secret: OLD }];

describe("signingKey", () => {
  it("signs with the first entry of a keyring and its kid, and with a single secret without kid", () => {
    expect(signingKey(ring, "secret")).toEqual({ secret: NEW, keyId: "2026-12" });
    expect(signingKey(OLD, "secret")).toEqual({ secret: OLD, keyId: undefined });
  });

  it.each([
    ["an empty keyring", [], /at least one key/],
    ["an entry without secret", [{ kid: "a" }], /\{ kid\?: string, secret \}/],
    ["a null entry", [null], /\{ kid\?: string, secret \}/],
    ["an undefined entry", [undefined], /\{ kid\?: string, secret \}/],
    ["an empty kid", [{ kid: "", secret: NEW }], /non-empty string/],
    ["a numeric kid", [{ kid: 1, secret: NEW }], /non-empty string/],
    [
      "a kid given twice",
      [
        { kid: "a", secret: NEW },
        { kid: "a", secret: OLD },
      ],
      /"a" twice/,
    ],
    ["two entries without kid", [{ secret: NEW }, { secret: OLD }], /only one key without kid/],
  ])("refuses %s with a TypeError naming the option", (_, keys, message) => {
    expect(() => signingKey(keys as never, "refreshSecret")).toThrow(TypeError);
    expect(() => signingKey(keys as never, "refreshSecret")).toThrow(/refreshSecret/);
    expect(() => signingKey(keys as never, "refreshSecret")).toThrow(message);
  });
});

describe("keyringResolver", () => {
  const resolve = keyringResolver(ring, "secret");

  it("picks the entry of the token's kid, and the entry without kid for a token without one", () => {
    expect(resolve({ alg: "HS256", kid: "2026-12" })).toBe(NEW);
    expect(resolve({ alg: "HS256" })).toBe(OLD);
  });

  it.each([
    ["an unknown kid", "2025-01"],
    ["a kid that is not a string", 7],
  ])("refuses %s with ERR_JWT_KEY", (_, kid) => {
    expect(() => resolve({ alg: "HS256", kid: kid as string })).toThrow(
      expect.objectContaining({
        name: "JwtError",
        code: "ERR_JWT_KEY",
        message: "no key of the keyring has the token's kid",
      }),
    );
  });

  it("refuses a token without kid when every entry has one", () => {
    const strict = keyringResolver([{ kid: "a", secret: NEW }], "secret");
    expect(() => strict({ alg: "HS256" })).toThrow(
      expect.objectContaining({ code: "ERR_JWT_KEY" }),
    );
  });
});

describe.each([
  ["without a cache", {}],
  ["with a cache per key", { cache: { max: 4 } }],
])("keyringVerifier %s", (_, options) => {
  const verify = keyringVerifier(ring, "secret", options);

  it("verifies tokens of every key of the ring, each with its own key", async () => {
    const current = await sign({ sub: "a" }, NEW, { keyId: "2026-12", expiresIn: 60 });
    const before = await sign({ sub: "b" }, OLD, { expiresIn: 60 });
    expect((await verify(current)).payload.sub).toBe("a");
    expect((await verify(before)).payload.sub).toBe("b");
    expect((await verify(current)).payload.sub).toBe("a");
    expect(decodeUnverified(current).header.kid).toBe("2026-12");
  });

  it.each([
    [
      "a token of another key under a known kid",
      () => sign({}, OLD, { keyId: "2026-12", expiresIn: 60 }),
      "ERR_JWT_SIGNATURE",
    ],
    [
      "a token with an unknown kid",
      () => sign({}, NEW, { keyId: "2025-01", expiresIn: 60 }),
      "ERR_JWT_KEY",
    ],
    ["a malformed token", async () => "not.a-token", "ERR_JWT_MALFORMED"],
  ])("refuses %s", async (_, make, code) => {
    await expect(verify(await make())).rejects.toMatchObject({ name: "JwtError", code });
  });

  // The length is the first check, before the header is even read for its kid.
  it("refuses a token longer than maxTokenLength before looking up its kid", async () => {
    const limited = keyringVerifier(ring, "secret", { ...options, maxTokenLength: 50 });
    const token = await sign({}, NEW, { keyId: "2025-01", expiresIn: 60 });
    await expect(limited(token)).rejects.toMatchObject({
      code: "ERR_JWT_MALFORMED",
      message: "token is longer than 50 characters",
    });
  });

  it("verifies a single secret whatever kid a token carries", async () => {
    const single = keyringVerifier(OLD, "secret", options);
    const token = await sign({ sub: "c" }, OLD, { keyId: "any", expiresIn: 60 });
    expect((await single(token)).payload.sub).toBe("c");
  });
});
