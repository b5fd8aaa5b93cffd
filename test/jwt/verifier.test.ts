import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { authenticate, createTokens, memoryStore, sign } from "../../src/index.js";
import { type HmacBackend, webCryptoHmac } from "../../src/jwt/hmac.js";
import { createVerifier } from "../../src/jwt/verifier.js";
import { NOW_SECONDS, SECRET } from "../support/fixtures.js";

const T0 = NOW_SECONDS;

function countingBackend(): HmacBackend<CryptoKey> & { verifies: number } {
  const backend = {
    ...webCryptoHmac,
    verifies: 0,
    verify(key: CryptoKey, data: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer>) {
      backend.verifies++;
      return webCryptoHmac.verify(key, data, signature);
    },
  };
  return backend;
}

function at(seconds: number): void {
  vi.setSystemTime(seconds * 1000);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  at(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createVerifier without a cache", () => {
  it("verifies with the bound secret and options", async () => {
    const verifier = createVerifier(SECRET, { issuer: "me" });
    const good = await sign({ sub: "a" }, SECRET, { issuer: "me", expiresIn: 60 });
    const other = await sign({ sub: "a" }, SECRET, { issuer: "you", expiresIn: 60 });
    expect((await verifier(good)).payload.sub).toBe("a");
    await expect(verifier(other)).rejects.toMatchObject({ code: "ERR_JWT_CLAIM", claim: "iss" });
  });

  it("verifies each call again", async () => {
    const hmac = countingBackend();
    const verifier = createVerifier(SECRET, { hmac });
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
    await verifier(token);
    await verifier(token);
    expect(hmac.verifies).toBe(2);
  });

  it("takes the time of one call", async () => {
    const verifier = createVerifier(SECRET);
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
    await expect(verifier(token, new Date((T0 + 60) * 1000))).rejects.toMatchObject({
      code: "ERR_JWT_EXPIRED",
    });
    expect((await verifier(token)).payload.sub).toBe("a");
  });

  it("takes a secret resolver", async () => {
    const verifier = createVerifier((header) => (header.kid === "k1" ? SECRET : "x".repeat(32)));
    const token = await sign({ sub: "a" }, SECRET, { keyId: "k1", expiresIn: 60 });
    expect((await verifier(token)).payload.sub).toBe("a");
  });
});

describe("createVerifier checks its options once, when it is made", () => {
  const bad: [string, object][] = [
    ["maxTokenAge", { maxTokenAge: "1 day" }],
    ["clockTolerance", { clockTolerance: "soon" }],
    ["clockTolerance", { clockTolerance: -1 }],
    ["clockTolerance", { clockTolerance: `${"9".repeat(400)}s` }],
    ["maxTokenLength", { maxTokenLength: Number.NaN }],
    ["issuer", { issuer: 5 }],
    ["audience", { audience: ["api", 1] }],
    ["type", { type: { ATK: true } }],
    ["subject", { subject: 7 }],
    ["requireExpiration", { requireExpiration: "no" }],
    ["now", { now: new Date(Number.NaN) }],
  ];

  it.each(bad)("refuses a bad %s with a TypeError at creation", (option, options) => {
    expect(() => createVerifier(SECRET, options)).toThrow(TypeError);
    expect(() => createVerifier(SECRET, options)).toThrow(option);
    expect(() => createVerifier(SECRET, { ...options, cache: { max: 10 } })).toThrow(TypeError);
  });

  it("makes createTokens refuse a bad option when it is made, not per request", () => {
    expect(() => createTokens({ secret: SECRET, clockTolerance: "soon" })).toThrow(TypeError);
  });
});

describe("createVerifier with a cache", () => {
  // The cache belongs to the key's bytes, as the imported key does (see key.ts).
  it("empties when the secret's bytes are changed in place", async () => {
    const bytes = new TextEncoder().encode(SECRET);
    const verifier = createVerifier(bytes, { cache: { max: 10 } });
    const token = await sign({ sub: "a" }, bytes, { expiresIn: 60 });
    expect((await verifier(token)).payload.sub).toBe("a");
    bytes.fill(0x41);
    await expect(verifier(token)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    const fresh = await sign({ sub: "b" }, bytes, { expiresIn: 60 });
    expect((await verifier(fresh)).payload.sub).toBe("b");
  });

  it("does not keep a result verified while the bytes changed", async () => {
    const bytes = new TextEncoder().encode(SECRET);
    const hmac = countingBackend();
    const verifier = createVerifier(bytes, { hmac, cache: { max: 10 } });
    const token = await sign({ sub: "a" }, bytes, { expiresIn: 60 });
    const pending = verifier(token);
    bytes.fill(0x41);
    await pending;
    await expect(verifier(token)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
  });

  it("does not keep a result verified with the old bytes once another call saw them change", async () => {
    const bytes = new TextEncoder().encode(SECRET);
    const verifier = createVerifier(bytes, { cache: { max: 10 } });
    const oldToken = await sign({ sub: "old" }, bytes, { expiresIn: 60 });
    const newBytes = new Uint8Array(bytes.length).fill(0x41);
    const newToken = await sign({ sub: "new" }, newBytes, { expiresIn: 60 });
    const first = verifier(oldToken);
    bytes.set(newBytes);
    const second = verifier(newToken);
    await first;
    expect((await second).payload.sub).toBe("new");
    await expect(verifier(oldToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
  });

  it("serves a token of a byte secret verified before without another HMAC", async () => {
    const hmac = countingBackend();
    const bytes = new TextEncoder().encode(SECRET);
    const verifier = createVerifier(bytes, { hmac, cache: { max: 10 } });
    const token = await sign({ sub: "a" }, bytes, { expiresIn: 60 });
    await verifier(token);
    expect((await verifier(token)).payload.sub).toBe("a");
    expect(hmac.verifies).toBe(1);
  });

  it("serves a token verified before without another HMAC", async () => {
    const hmac = countingBackend();
    const verifier = createVerifier(SECRET, { hmac, cache: { max: 10 } });
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
    const first = await verifier(token);
    const second = await verifier(token);
    expect(second).toEqual(first);
    expect(second.payload.sub).toBe("a");
    expect(hmac.verifies).toBe(1);
  });

  it("still refuses a cached token once it has expired", async () => {
    const verifier = createVerifier(SECRET, { cache: { max: 10 } });
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
    await verifier(token);
    at(T0 + 59);
    expect((await verifier(token)).payload.sub).toBe("a");
    at(T0 + 60);
    await expect(verifier(token)).rejects.toMatchObject({ code: "ERR_JWT_EXPIRED" });
  });

  it("applies the clock tolerance on a hit as on a miss", async () => {
    const verifier = createVerifier(SECRET, { clockTolerance: "30s", cache: { max: 10 } });
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
    await verifier(token);
    at(T0 + 89);
    expect((await verifier(token)).payload.sub).toBe("a");
    at(T0 + 90);
    await expect(verifier(token)).rejects.toMatchObject({ code: "ERR_JWT_EXPIRED" });
  });

  it("checks nbf on a hit against the current time", async () => {
    const verifier = createVerifier(SECRET, { cache: { max: 10 } });
    const token = await sign({ sub: "a", nbf: T0 - 10 }, SECRET, { expiresIn: 600 });
    await verifier(token);
    // A clock set back after the token was cached: the hit is judged on the time now.
    at(T0 - 20);
    await expect(verifier(token)).rejects.toMatchObject({ code: "ERR_JWT_NOT_YET_VALID" });
  });

  it("checks maxTokenAge on a hit", async () => {
    const verifier = createVerifier(SECRET, { maxTokenAge: 30, cache: { max: 10 } });
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 600 });
    await verifier(token);
    at(T0 + 31);
    await expect(verifier(token)).rejects.toMatchObject({ code: "ERR_JWT_EXPIRED" });
  });

  it("drops a hit that failed, so it is verified afresh next time", async () => {
    const hmac = countingBackend();
    const verifier = createVerifier(SECRET, { hmac, cache: { max: 10 } });
    const token = await sign({ sub: "a", nbf: T0 - 10 }, SECRET, { expiresIn: 600 });
    await verifier(token);
    at(T0 - 20);
    await expect(verifier(token)).rejects.toMatchObject({ code: "ERR_JWT_NOT_YET_VALID" });
    at(T0);
    await verifier(token);
    expect(hmac.verifies).toBe(2);
  });

  it("keeps only successes", async () => {
    const hmac = countingBackend();
    const verifier = createVerifier(SECRET, { hmac, cache: { max: 10 } });
    const token = await sign({ sub: "a", nbf: T0 + 100 }, SECRET, { expiresIn: 600 });
    await expect(verifier(token)).rejects.toMatchObject({ code: "ERR_JWT_NOT_YET_VALID" });
    await expect(verifier(token)).rejects.toMatchObject({ code: "ERR_JWT_NOT_YET_VALID" });
    expect(hmac.verifies).toBe(2);
    at(T0 + 100);
    expect((await verifier(token)).payload.sub).toBe("a");
  });

  it("never serves a different token, however alike", async () => {
    const verifier = createVerifier(SECRET, { cache: { max: 10 } });
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
    await verifier(token);
    const forged = `${token.slice(0, -1)}${token.endsWith("A") ? "Q" : "A"}`;
    await expect(verifier(forged)).rejects.toMatchObject({ code: "ERR_JWT_SIGNATURE" });
    await expect(verifier(`${token} `)).rejects.toMatchObject({ code: "ERR_JWT_MALFORMED" });
    const otherSecret = await sign({ sub: "a" }, `${SECRET}!`, { expiresIn: 60 });
    await expect(verifier(otherSecret)).rejects.toMatchObject({ code: "ERR_JWT_SIGNATURE" });
  });

  it("belongs to one verifier: other options never see its entries", async () => {
    const token = await sign({ sub: "a", type: "RTK" }, SECRET, { expiresIn: 60 });
    const refresh = createVerifier(SECRET, { type: "RTK", cache: { max: 10 } });
    const access = createVerifier(SECRET, { type: "ATK", cache: { max: 10 } });
    await refresh(token);
    await expect(access(token)).rejects.toMatchObject({ code: "ERR_JWT_TYPE" });
  });

  it("binds the options given at creation", async () => {
    const options = { issuer: "me", cache: { max: 10 } };
    const verifier = createVerifier(SECRET, options);
    options.issuer = "you";
    options.cache.max = 0;
    const token = await sign({ sub: "a" }, SECRET, { issuer: "me", expiresIn: 60 });
    expect((await verifier(token)).payload.sub).toBe("a");
    expect((await verifier(token)).payload.sub).toBe("a");
  });

  it("drops the least recently used token beyond max", async () => {
    const hmac = countingBackend();
    const verifier = createVerifier(SECRET, { hmac, cache: { max: 2 } });
    const [a, b, c] = await Promise.all(
      ["a", "b", "c"].map((sub) => sign({ sub }, SECRET, { expiresIn: 60 })),
    );
    await verifier(a as string);
    await verifier(b as string);
    await verifier(a as string); // a is now the most recent
    await verifier(c as string); // so b is dropped
    expect(hmac.verifies).toBe(3);
    await verifier(a as string);
    expect(hmac.verifies).toBe(3);
    await verifier(b as string);
    expect(hmac.verifies).toBe(4);
  });

  it("freezes what it returns, since every hit shares it", async () => {
    const verifier = createVerifier(SECRET, { cache: { max: 10 } });
    const token = await sign({ sub: "a", roles: ["user"], meta: { n: 1 } }, SECRET, {
      expiresIn: 60,
    });
    const { header, payload } = await verifier(token);
    expect(Object.isFrozen(header)).toBe(true);
    expect(Object.isFrozen(payload)).toBe(true);
    expect(Object.isFrozen(payload.roles)).toBe(true);
    expect(Object.isFrozen(payload.meta)).toBe(true);
    expect(() => {
      (payload.roles as string[]).push("admin");
    }).toThrow(TypeError);
    expect((await verifier(token)).payload.roles).toEqual(["user"]);
  });

  it("caches a payload holding null", async () => {
    const verifier = createVerifier(SECRET, { cache: { max: 10 } });
    const token = await sign({ sub: "a", manager: null, tags: [null] }, SECRET, { expiresIn: 60 });
    expect((await verifier(token)).payload).toMatchObject({ manager: null, tags: [null] });
    expect((await verifier(token)).payload.manager).toBeNull();
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, undefined])(
    "refuses max %s",
    (max) => {
      expect(() => createVerifier(SECRET, { cache: { max } as { max: number } })).toThrow(
        new TypeError("cache.max must be a positive integer"),
      );
    },
  );

  it("refuses a null cache as it refuses a cache without max", () => {
    expect(() => createVerifier(SECRET, { cache: null as unknown as { max: number } })).toThrow(
      new TypeError("cache.max must be a positive integer"),
    );
  });

  it("keeps a single token with max 1", async () => {
    const hmac = countingBackend();
    const verifier = createVerifier(SECRET, { hmac, cache: { max: 1 } });
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
    await verifier(token);
    await verifier(token);
    expect(hmac.verifies).toBe(1);
  });

  it("judges a hit at the time given to the call", async () => {
    const verifier = createVerifier(SECRET, { cache: { max: 10 } });
    const token = await sign({ sub: "a" }, SECRET, { expiresIn: 60 });
    await verifier(token, new Date(T0 * 1000));
    await expect(verifier(token, new Date((T0 + 60) * 1000))).rejects.toMatchObject({
      code: "ERR_JWT_EXPIRED",
    });
  });

  it("refuses a secret resolver", () => {
    expect(() => createVerifier(() => SECRET, { cache: { max: 10 } })).toThrow(/fixed secret/);
  });
});

describe("createTokens with a cache", () => {
  it("verifies an access token seen before without another HMAC", async () => {
    const hmac = countingBackend();
    const tokens = createTokens<{ role: string }>({ secret: SECRET, hmac, cache: { max: 10 } });
    const { accessToken } = await tokens.issue({ sub: "alice", role: "admin" });
    expect((await tokens.verifyAccess(accessToken)).role).toBe("admin");
    const again = await authenticate(tokens, `Bearer ${accessToken}`);
    expect(again).toMatchObject({ sub: "alice", role: "admin", type: "ATK" });
    expect(hmac.verifies).toBe(1);
  });

  it("consults the deny list on a hit", async () => {
    const tokens = createTokens({
      secret: SECRET,
      store: memoryStore(),
      checkRevoked: true,
      cache: { max: 10 },
    });
    const { accessToken } = await tokens.issue({ sub: "alice" });
    await tokens.verifyAccess(accessToken);
    await tokens.revokeAccess(accessToken);
    await expect(tokens.verifyAccess(accessToken)).rejects.toMatchObject({
      code: "ERR_JWT_REVOKED",
    });
  });

  it("refuses a cached access token once it has expired, by the tokens' clock", async () => {
    let now = new Date(T0 * 1000);
    const tokens = createTokens({
      secret: SECRET,
      accessTtl: 60,
      cache: { max: 10 },
      now: () => now,
    });
    const { accessToken } = await tokens.issue({ sub: "alice" });
    await tokens.verifyAccess(accessToken);
    now = new Date((T0 + 60) * 1000);
    await expect(tokens.verifyAccess(accessToken)).rejects.toMatchObject({
      code: "ERR_JWT_EXPIRED",
    });
  });

  it("does not serve a refresh token as an access token", async () => {
    const tokens = createTokens({ secret: SECRET, cache: { max: 10 } });
    const { refreshToken } = await tokens.issue({ sub: "alice" });
    await tokens.verifyRefresh(refreshToken);
    await expect(tokens.verifyAccess(refreshToken)).rejects.toMatchObject({
      code: "ERR_JWT_TYPE",
    });
  });
});
