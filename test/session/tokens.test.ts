import { describe, expect, it } from "vitest";
import {
  authenticate,
  createTokens,
  decodeUnverified,
  type HmacBackend,
  JwtError,
  memoryStore,
  type RefreshStore,
  StoreError,
  sign,
  type TokenPair,
  verify,
} from "../../src/index.js";
import { webCryptoHmac } from "../../src/jwt/hmac.js";
import { expectJwtError } from "../support/expect.js";
import { describeTokenFlow } from "../support/flow.js";
import { HEADER, rawToken } from "../support/signed.js";

const secret = "access-secret-access-secret-0123456789";
const refreshSecret = "refresh-secret-refresh-secret-0123456789";

type Claims = { role: string };

describe("createTokens without a store", () => {
  const tokens = createTokens<Claims>({ secret, issuer: "https://api.example", audience: "app" });

  it("issues an access and a refresh token with the documented claims", async () => {
    const pair = await tokens.issue({ sub: "alice", role: "admin" });
    expect(pair.tokenType).toBe("Bearer");
    expect(pair.expiresIn).toBe(900);
    expect(pair.refreshExpiresIn).toBe(14 * 86400);
    const access = decodeUnverified(pair.accessToken).payload;
    expect(access).toMatchObject({
      sub: "alice",
      role: "admin",
      type: "ATK",
      iss: "https://api.example",
      aud: "app",
    });
    expect(access.exp).toBe((access.iat as number) + 900);
    expect(typeof access.jti).toBe("string");
    const refresh = decodeUnverified(pair.refreshToken).payload;
    expect(refresh).toMatchObject({ sub: "alice", type: "RTK", claims: { role: "admin" } });
    expect(refresh.exp).toBe((refresh.iat as number) + 14 * 86400);
    expect(typeof refresh.jti).toBe("string");
    expect(typeof refresh.fam).toBe("string");
    expect(refresh.jti).not.toBe(access.jti);
  });

  it("writes no claims object into a refresh token when the login has no claims of its own", async () => {
    const pair = await tokens.issue({ sub: "bob" } as Claims & { sub: string });
    expect(decodeUnverified(pair.refreshToken).payload).not.toHaveProperty("claims");
  });

  it("gives every token and login an id of its own, across many draws of randomness", async () => {
    const ids: unknown[] = [];
    for (let login = 0; login < 300; login++) {
      const pair = await tokens.issue({ sub: "alice", role: "admin" });
      const refresh = decodeUnverified(pair.refreshToken).payload;
      ids.push(decodeUnverified(pair.accessToken).payload.jti, refresh.jti, refresh.fam);
    }
    expect(ids.every((id) => typeof id === "string" && /^[\w-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("verifies each token only as its own type", async () => {
    const pair = await tokens.issue({ sub: "alice", role: "admin" });
    const access = await tokens.verifyAccess(pair.accessToken);
    expect(access.role).toBe("admin");
    expect(access.sub).toBe("alice");
    expect((await tokens.verifyRefresh(pair.refreshToken)).sub).toBe("alice");
    const asAccess = await expectJwtError(tokens.verifyAccess(pair.refreshToken), "ERR_JWT_TYPE");
    expect(asAccess.expected).toEqual(["ATK"]);
    expect(asAccess.actual).toBe("RTK");
    await expectJwtError(tokens.verifyRefresh(pair.accessToken), "ERR_JWT_TYPE");
  });

  it("checks issuer and audience on the way in", async () => {
    const other = createTokens({ secret, issuer: "https://other.example", audience: "app" });
    const pair = await other.issue({ sub: "alice" });
    await expectJwtError(tokens.verifyAccess(pair.accessToken), "ERR_JWT_CLAIM");
  });

  it("refuses a token signed by itself with sign() but without sub or jti", async () => {
    const stateless = createTokens({ secret });
    const bare = await sign({}, secret, { type: "ATK", expiresIn: 60 });
    await expect(stateless.verifyAccess(bare)).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM",
      claim: "sub",
      message: 'token has no "sub" claim',
    });
    // Without a store nothing else asks for the ids, so the verifier must.
    for (const [claims, missing] of [
      [{ sub: "alice", fam: "f" }, "jti"],
      [{ sub: "alice", jti: "j" }, "fam"],
    ] as const) {
      const refresh = await sign(claims, secret, { type: "RTK", expiresIn: 60 });
      await expect(stateless.verifyRefresh(refresh)).rejects.toMatchObject({
        code: "ERR_JWT_CLAIM",
        claim: missing,
        message: `token has no "${missing}" claim`,
      });
    }
  });

  it("refreshes statelessly, carrying the claims given at issue time", async () => {
    const pair = await tokens.issue({ sub: "alice", role: "admin" });
    const next = await tokens.refresh(pair.refreshToken);
    expect(await tokens.verifyAccess(next.accessToken)).toMatchObject({
      sub: "alice",
      role: "admin",
    });
    const fresh = await tokens.refresh(next.refreshToken, { claims: { role: "reader" } });
    expect((await tokens.verifyAccess(fresh.accessToken)).role).toBe("reader");
    expect(decodeUnverified(fresh.refreshToken).payload.fam).toBe(
      decodeUnverified(pair.refreshToken).payload.fam,
    );
  });

  it("does not refresh with an access token", async () => {
    const pair = await tokens.issue({ sub: "alice", role: "admin" });
    await expectJwtError(tokens.refresh(pair.accessToken), "ERR_JWT_TYPE");
  });

  it("says that the revoke methods need a store", async () => {
    const pair = await tokens.issue({ sub: "alice", role: "admin" });
    await expect(tokens.revoke(pair.refreshToken)).rejects.toThrow(/revoke needs a store/);
    await expect(tokens.revokeSubject("alice")).rejects.toThrow(
      new TypeError("revokeSubject needs a store: pass one to createTokens"),
    );
    await expect(tokens.revokeAccess(pair.accessToken)).rejects.toThrow(
      /revokeAccess needs a store/,
    );
  });

  it("refuses claims it sets itself, and a missing subject", async () => {
    await expect(tokens.issue({ sub: "", role: "x" })).rejects.toThrow(/claims.sub/);
    // Claims are a plain object: not null, nor a function that happens to carry a sub.
    const notObjects = [null, Object.assign(() => {}, { sub: "alice", role: "x" })];
    for (const claims of notObjects) {
      await expect(tokens.issue(claims as unknown as Claims & { sub: string })).rejects.toThrow(
        new TypeError("claims.sub must be a non-empty string"),
      );
    }
    await expect(
      tokens.issue({ role: "x" } as unknown as Claims & { sub: string }),
    ).rejects.toThrow(TypeError);
    for (const name of ["type", "jti", "exp", "iss", "aud", "fam"]) {
      await expect(tokens.issue({ sub: "a", role: "x", [name]: "y" })).rejects.toThrow(
        new RegExp(`claims.${name}`),
      );
    }
  });

  it("validates its options", () => {
    expect(() => createTokens({} as never)).toThrow(/needs a secret/);
    expect(() => createTokens(undefined as never)).toThrow(
      new TypeError("createTokens needs a secret"),
    );
    expect(() => createTokens({ secret, accessTtl: "15 min" })).toThrow(/accessTtl/);
    expect(() => createTokens({ secret, refreshTtl: 0 })).toThrow(/^refreshTtl must be positive$/);
    expect(() => createTokens({ secret, checkRevoked: true })).toThrow(
      /checkRevoked needs a store/,
    );
  });

  it("reads its options once: switching checkRevoked off afterwards still denies a logged-out ATK", async () => {
    const options = { secret, store: memoryStore(), checkRevoked: true };
    const tokens = createTokens(options);
    const pair = await tokens.issue({ sub: "alice" });
    await tokens.revoke(pair.refreshToken);
    options.checkRevoked = false;
    await expect(tokens.verifyAccess(pair.accessToken)).rejects.toMatchObject({
      code: "ERR_JWT_REVOKED",
      status: 401,
    });
  });

  it("signs refresh tokens with refreshSecret when given", async () => {
    const split = createTokens({ secret, refreshSecret });
    const pair = await split.issue({ sub: "bob" });
    await verify(pair.refreshToken, refreshSecret);
    await expectJwtError(verify(pair.refreshToken, secret), "ERR_JWT_SIGNATURE");
    await expectJwtError(verify(pair.accessToken, refreshSecret), "ERR_JWT_SIGNATURE");
    expect((await split.refresh(pair.refreshToken)).tokenType).toBe("Bearer");
  });

  it("honours the TTLs and the clock", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const timed = createTokens({ secret, accessTtl: "2m", refreshTtl: "1h", now: () => now });
    const pair = await timed.issue({ sub: "carol" });
    expect(pair.expiresIn).toBe(120);
    now = new Date(now.getTime() + 119_000);
    await timed.verifyAccess(pair.accessToken);
    now = new Date(now.getTime() + 1_000);
    const expired = await expectJwtError(timed.verifyAccess(pair.accessToken), "ERR_JWT_EXPIRED");
    expect(expired.expiredAt?.toISOString()).toBe("2030-01-01T00:02:00.000Z");
    await timed.refresh(pair.refreshToken);
    now = new Date("2030-01-01T01:00:00Z");
    await expectJwtError(timed.refresh(pair.refreshToken), "ERR_JWT_EXPIRED");
  });

  it("accepts a token within clockTolerance", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const tolerant = createTokens({ secret, accessTtl: 60, clockTolerance: "30s", now: () => now });
    const pair = await tolerant.issue({ sub: "dan" });
    now = new Date(now.getTime() + 80_000);
    await tolerant.verifyAccess(pair.accessToken);
  });
});

describeTokenFlow("the memory store", () => memoryStore());

describe("a failing store", () => {
  // A memory store whose methods named in `down` reject, as a store that lost
  // its server would; with `lost`, the call is made and only its reply is lost.
  const flaky = () => {
    const inner = memoryStore();
    const down = new Set<string>();
    const lost = new Set<string>();
    const failure = new Error("store is down");
    const entries = Object.entries(inner).map(([name, method]) => [
      name,
      async (...args: unknown[]) => {
        if (down.has(name)) throw failure;
        const reply = await (method as (...a: unknown[]) => Promise<unknown>)(...args);
        if (lost.has(name)) throw failure;
        return reply;
      },
    ]);
    return { store: Object.fromEntries(entries) as RefreshStore, down, lost, failure };
  };

  type Call = (tokens: ReturnType<typeof createTokens>, pair: TokenPair) => Promise<unknown>;
  const calls: [string, keyof RefreshStore, Call][] = [
    ["issue", "open", (t) => t.issue({ sub: "bob" })],
    ["refresh", "rotate", (t, pair) => t.refresh(pair.refreshToken)],
    ["verifyRefresh", "state", (t, pair) => t.verifyRefresh(pair.refreshToken)],
    ["verifyAccess", "accessState", (t, pair) => t.verifyAccess(pair.accessToken)],
    ["authenticate", "accessState", (t, pair) => authenticate(t, `Bearer ${pair.accessToken}`)],
    ["revoke", "revokeFamily", (t, pair) => t.revoke(pair.refreshToken)],
    ["revokeSubject", "revokeSubject", (t) => t.revokeSubject("alice")],
    ["revokeAccess", "denyAccess", (t, pair) => t.revokeAccess(pair.accessToken)],
  ];

  it.each(calls)(
    "%s rejects with a StoreError (503) when %s fails, its cause attached",
    async (_, method, call) => {
      const { store, down, failure } = flaky();
      const tokens = createTokens({ secret, store, checkRevoked: true });
      const pair = await tokens.issue({ sub: "alice" });
      down.add(method);
      const error = await call(tokens, pair).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({
        name: "StoreError",
        code: "ERR_STORE_UNAVAILABLE",
        status: 503,
        message: "the session store did not answer",
        cause: failure,
      });
    },
  );

  it("changes nothing when rotate fails: once the store is back, the same refresh token works", async () => {
    const { store, down } = flaky();
    const tokens = createTokens({ secret, store });
    const login = await tokens.issue({ sub: "alice" });
    down.add("rotate");
    await expect(tokens.refresh(login.refreshToken)).rejects.toMatchObject({ name: "StoreError" });
    down.delete("rotate");
    const next = await tokens.refresh(login.refreshToken);
    await tokens.verifyRefresh(next.refreshToken);
  });

  it("answers the store's failure, not the new pair's, when both fail", async () => {
    const { store, down } = flaky();
    // The new pair is signed while the store answers; an HMAC that fails from
    // the third token on (after the login's two) makes it fail.
    let signed = 0;
    const hmac: HmacBackend<CryptoKey> = {
      ...webCryptoHmac,
      sign: (key, data) =>
        ++signed > 2 ? Promise.reject(new Error("no HMAC")) : webCryptoHmac.sign(key, data),
    };
    const tokens = createTokens({ secret, store, hmac });
    const login = await tokens.issue({ sub: "alice" });
    down.add("rotate");
    await expect(tokens.refresh(login.refreshToken)).rejects.toMatchObject({ name: "StoreError" });
    expect(signed).toBe(4);
  });

  // Bad new claims are refused before anything is spent: once the refresh
  // token had rotated, sign refusing them would cost the login its token, and
  // the retry (a reuse) its whole family.
  it("refuses new claims it could not sign before the refresh token is spent", async () => {
    const tokens = createTokens<Record<string, unknown>>({ secret, store: memoryStore() });
    const login = await tokens.issue({ sub: "alice", role: "admin" });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const refusals: [unknown, RegExp | string][] = [
      [{ type: "RTK" }, "claims.type is set by createTokens and may not be given"],
      [{ iss: "elsewhere" }, "claims.iss is set by createTokens and may not be given"],
      [{ sub: "mallory" }, "claims.sub is the login's and may not be given"],
      [{ n: 1n }, /BigInt/],
      [cyclic, /circular/],
      [null, "claims must be an object"],
      [["admin"], "claims must be an object"],
      ["admin", "claims must be an object"],
      [() => ({}), "claims must be an object"],
    ];
    for (const [claims, message] of refusals) {
      await expect(
        tokens.refresh(login.refreshToken, { claims: claims as Record<string, unknown> }),
      ).rejects.toThrow(message instanceof RegExp ? message : new TypeError(message));
    }
    const next = await tokens.refresh(login.refreshToken, { claims: { role: "reader" } });
    expect(await tokens.verifyAccess(next.accessToken)).toMatchObject({
      sub: "alice",
      role: "reader",
    });
  });

  it("with reuseGrace, lets the retry after a lost reply succeed with the successor it missed", async () => {
    const { store, lost } = flaky();
    const tokens = createTokens({ secret, store, reuseGrace: "10s" });
    const login = await tokens.issue({ sub: "alice" });
    lost.add("rotate");
    await expect(tokens.refresh(login.refreshToken)).rejects.toMatchObject({ name: "StoreError" });
    lost.delete("rotate");
    const retry = await tokens.refresh(login.refreshToken);
    await tokens.verifyRefresh(retry.refreshToken);
    await tokens.refresh(retry.refreshToken);
  });

  it("without reuseGrace, counts the retry after a lost reply as reuse", async () => {
    const { store, lost } = flaky();
    const tokens = createTokens({ secret, store });
    const login = await tokens.issue({ sub: "alice" });
    lost.add("rotate");
    await expect(tokens.refresh(login.refreshToken)).rejects.toMatchObject({ name: "StoreError" });
    lost.delete("rotate");
    await expect(tokens.refresh(login.refreshToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_REVOKED",
      status: 401,
    });
  });

  it("passes a TypeError or a JwtError of the store through as it is", async () => {
    const tokens = createTokens({ secret, store: memoryStore() });
    await expect(tokens.revokeSubject("")).rejects.toThrow(TypeError);
    const refusing = {
      ...memoryStore(),
      rotate: () => Promise.reject(new JwtError("ERR_JWT_REVOKED", "no")),
    };
    const strict = createTokens({ secret, store: refusing });
    const pair = await strict.issue({ sub: "alice" });
    await expect(strict.refresh(pair.refreshToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_REVOKED",
    });
  });
});

/** A clock shared by createTokens and memoryStore, moved by hand. */
function manualClock(start = "2030-01-01T00:00:00Z") {
  let ms = new Date(start).getTime();
  return {
    now: () => new Date(ms),
    store: () => memoryStore({ now: () => ms }),
    advance: (seconds: number) => {
      ms += seconds * 1000;
    },
  };
}

describe("createTokens options", () => {
  it.each([
    ["a negative reuseGrace", { reuseGrace: -1 }, /reuseGrace/],
    ["a reuseGrace that is no duration", { reuseGrace: "10 s" }, /reuseGrace/],
    ["a negative clockTolerance", { clockTolerance: "-5s" }, /clockTolerance/],
    [
      "a negative number of seconds of clockTolerance",
      { clockTolerance: -5 },
      /reuseGrace and clockTolerance must be zero or more seconds/,
    ],
    ["a clockTolerance that is no duration", { clockTolerance: "5 s" }, /^clockTolerance must be/],
    ["a zero sessionTtl", { sessionTtl: 0 }, /sessionTtl must be positive/],
    ["an empty keyring", { secret: [] }, /secret must hold at least one key/],
    [
      "a keyring with a kid twice",
      {
        refreshSecret: [
          { kid: "a", secret },
          { kid: "a", secret },
        ],
      },
      /refreshSecret/,
    ],
  ])("refuses %s at start-up with a TypeError", (_, extra, message) => {
    expect(() => createTokens({ secret, ...extra })).toThrow(TypeError);
    expect(() => createTokens({ secret, ...extra })).toThrow(message);
  });
});

describe("reuseGrace", () => {
  it("answers the same refresh token and a fresh access token inside the grace, and revokes after it", async () => {
    const clock = manualClock();
    const tokens = createTokens({
      secret,
      store: clock.store(),
      reuseGrace: "10s",
      now: clock.now,
    });
    const login = await tokens.issue({ sub: "alice" });
    const firstTab = await tokens.refresh(login.refreshToken);
    clock.advance(9);
    const secondTab = await tokens.refresh(login.refreshToken);
    expect(secondTab.refreshToken).toBe(firstTab.refreshToken);
    expect(secondTab.accessToken).not.toBe(firstTab.accessToken);
    await tokens.verifyAccess(secondTab.accessToken);
    clock.advance(1);
    await expect(tokens.refresh(login.refreshToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_REVOKED",
      message: "refresh token was used before; its family is revoked",
    });
    await expect(tokens.refresh(firstTab.refreshToken)).rejects.toMatchObject({
      code: "ERR_JWT_REVOKED",
    });
  });

  it("keeps the successor's lifetime in the answer given inside the grace", async () => {
    const clock = manualClock();
    const tokens = createTokens({ secret, store: clock.store(), reuseGrace: 10, now: clock.now });
    const login = await tokens.issue({ sub: "alice" });
    const first = await tokens.refresh(login.refreshToken);
    clock.advance(4);
    const again = await tokens.refresh(login.refreshToken);
    expect(first.refreshExpiresIn).toBe(14 * 86400);
    expect(again.refreshExpiresIn).toBe(14 * 86400 - 4);
    expect(decodeUnverified(again.refreshToken).payload.exp).toBe(
      decodeUnverified(first.refreshToken).payload.exp,
    );
  });
});

describe("sessionTtl", () => {
  it("ends a login at its login time plus sessionTtl, however often it is refreshed", async () => {
    const clock = manualClock();
    const tokens = createTokens({
      secret,
      store: clock.store(),
      accessTtl: "15m",
      refreshTtl: "1d",
      sessionTtl: "2d",
      now: clock.now,
    });
    let pair = await tokens.issue({ sub: "alice" });
    const authTime = decodeUnverified(pair.refreshToken).payload.auth_time as number;
    expect(authTime).toBe(decodeUnverified(pair.refreshToken).payload.iat);
    for (let hour = 0; hour < 47; hour++) {
      clock.advance(3600);
      pair = await tokens.refresh(pair.refreshToken);
      const { payload } = decodeUnverified(pair.refreshToken);
      expect(payload.auth_time).toBe(authTime);
      expect(payload.exp).toBe(Math.min((payload.iat as number) + 86400, authTime + 2 * 86400));
    }
    // One hour before the end: no token of the login outlives it.
    expect(pair.refreshExpiresIn).toBe(3600);
    expect(pair.expiresIn).toBe(900);
    clock.advance(3000);
    pair = await tokens.refresh(pair.refreshToken);
    expect(pair.expiresIn).toBe(600);
    expect(decodeUnverified(pair.accessToken).payload.exp).toBe(authTime + 2 * 86400);
    clock.advance(600);
    await expect(tokens.refresh(pair.refreshToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_EXPIRED",
      status: 401,
    });
  });

  it("refuses a refresh from the session end on, even inside the clock tolerance", async () => {
    const clock = manualClock();
    const tokens = createTokens({ secret, sessionTtl: 100, clockTolerance: 30, now: clock.now });
    const pair = await tokens.issue({ sub: "alice" });
    clock.advance(100);
    await tokens.verifyRefresh(pair.refreshToken);
    await expect(tokens.refresh(pair.refreshToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_EXPIRED",
      message: "the login has reached its sessionTtl",
      expiredAt: new Date("2030-01-01T00:01:40Z"),
    });
  });

  it("counts a refresh token made without auth_time from its own iat", async () => {
    const clock = manualClock();
    const tokens = createTokens({ secret, sessionTtl: 100, now: clock.now });
    const bare = await sign({ sub: "alice", jti: "j", fam: "f" }, secret, {
      type: "RTK",
      expiresIn: 1000,
      now: clock.now(),
    });
    clock.advance(40);
    const next = await tokens.refresh(bare);
    expect(next.refreshExpiresIn).toBe(60);
    expect(decodeUnverified(next.refreshToken).payload.auth_time).toBe(
      decodeUnverified(bare).payload.iat,
    );
  });

  it("refuses a refresh token whose auth_time is not a number", async () => {
    const tokens = createTokens({ secret, sessionTtl: 100 });
    const odd = await sign({ sub: "alice", jti: "j", fam: "f", auth_time: "0" }, secret, {
      type: "RTK",
      expiresIn: 1000,
    });
    await expect(tokens.refresh(odd)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_CLAIM",
      claim: "auth_time",
      message: '"auth_time" claim must be a number',
    });
    // JSON reads 1e999 as Infinity, which would end the login never.
    const exp = Math.floor(Date.now() / 1000) + 1000;
    const endless = rawToken(
      HEADER,
      `{"sub":"alice","jti":"j","fam":"f","type":"RTK","auth_time":1e999,"exp":${exp}}`,
      secret,
    );
    await expect(tokens.refresh(endless)).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM",
      claim: "auth_time",
      message: '"auth_time" claim must be a number',
    });
  });
});

describe("key rotation with keyrings", () => {
  const first = "first-key-first-key-first-key-first-key!";
  const second = "second-key-second-key-second-key-second!";

  it("logs nobody out: new key first, old key kept, then dropped once its tokens are gone", async () => {
    const clock = manualClock();
    const store = clock.store();
    const options = { store, checkRevoked: true, accessTtl: 60, now: clock.now };
    // Before rotation began: one secret, tokens without kid.
    const before = createTokens({ ...options, secret: first });
    const login = await before.issue({ sub: "alice" });

    const during = createTokens({
      ...options,
      secret: [{ kid: "2", secret: second }, { secret: first }],
    });
    await during.verifyAccess(login.accessToken);
    const rotated = await during.refresh(login.refreshToken);
    expect(decodeUnverified(rotated.accessToken).header.kid).toBe("2");
    expect(decodeUnverified(rotated.refreshToken).header.kid).toBe("2");

    clock.advance(61); // every access token of the old key has expired
    const after = createTokens({ ...options, secret: [{ kid: "2", secret: second }] });
    const next = await after.refresh(rotated.refreshToken);
    await after.verifyAccess(next.accessToken);
    await expect(after.verifyAccess(login.accessToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_KEY",
      status: 401,
    });
  });

  it("rotates the refresh keys apart from the access keys", async () => {
    const tokens = createTokens({
      secret,
      refreshSecret: [
        { kid: "r2", secret: second },
        { kid: "r1", secret: first },
      ],
      store: memoryStore(),
    });
    const pair = await tokens.issue({ sub: "alice" });
    expect(decodeUnverified(pair.accessToken).header.kid).toBeUndefined();
    expect(decodeUnverified(pair.refreshToken).header.kid).toBe("r2");
    await verify(pair.refreshToken, second);
    const old = await sign({ sub: "alice", jti: "j", fam: "f" }, first, {
      type: "RTK",
      expiresIn: 60,
      keyId: "r1",
    });
    await expect(tokens.verifyRefresh(old)).rejects.toMatchObject({ code: "ERR_JWT_REVOKED" });
  });

  it("verifies access tokens of every key from the cache", async () => {
    const tokens = createTokens({
      secret: [
        { kid: "2", secret: second },
        { kid: "1", secret: first },
      ],
      cache: { max: 8 },
    });
    const old = createTokens({ secret: [{ kid: "1", secret: first }] });
    for (const source of [tokens, old]) {
      const { accessToken } = await source.issue({ sub: "alice" });
      expect((await tokens.verifyAccess(accessToken)).sub).toBe("alice");
      expect(Object.isFrozen(await tokens.verifyAccess(accessToken))).toBe(true);
    }
  });
});

describe("the errors of createTokens", () => {
  const store = memoryStore();
  const withRealm = createTokens({ secret, store, realm: "api" });
  const withoutRealm = createTokens({ secret, store });
  const methods: [string, (t: typeof withRealm) => Promise<unknown>][] = [
    ["verifyAccess", (t) => t.verifyAccess("x")],
    ["verifyRefresh", (t) => t.verifyRefresh("x")],
    ["refresh", (t) => t.refresh("x")],
    ["revoke", (t) => t.revoke("x")],
    ["revokeAccess", (t) => t.revokeAccess("x")],
  ];

  it.each(methods)(
    "%s gives every JwtError status 401 and an RFC 6750 challenge",
    async (_, call) => {
      await expect(call(withRealm)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_MALFORMED",
        status: 401,
        wwwAuthenticate:
          'Bearer realm="api", error="invalid_token", error_description="token must have three dot-separated segments"',
      });
      await expect(call(withoutRealm)).rejects.toMatchObject({
        wwwAuthenticate: expect.stringMatching(
          /^Bearer error="invalid_token", error_description="/,
        ),
      });
    },
  );

  it("keeps quotes and control characters out of the challenge", async () => {
    const odd = createTokens({ secret, realm: 'a "b"\n' });
    await expect(odd.verifyAccess("x")).rejects.toMatchObject({
      wwwAuthenticate: expect.stringMatching(/^Bearer realm="a 'b'", error="invalid_token"/),
    });
  });

  it("answers a refresh of a login the store does not hold with ERR_JWT_REVOKED: log in again", async () => {
    const issuer = createTokens({ secret, store: memoryStore() });
    const pair = await issuer.issue({ sub: "alice" });
    const forgetful = createTokens({ secret, store: memoryStore(), checkRevoked: true });
    // Each call starts only when the one before has settled: a rejection
    // nobody awaits yet would be reported as unhandled.
    for (const attempt of [
      () => forgetful.refresh(pair.refreshToken),
      () => forgetful.verifyRefresh(pair.refreshToken),
      () => forgetful.verifyAccess(pair.accessToken),
    ]) {
      await expect(attempt()).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_REVOKED",
        status: 401,
      });
    }
    await expect(forgetful.refresh(pair.refreshToken)).rejects.toThrow(
      /unknown to the store: log in again/,
    );
  });

  it("tells a refresh token that was used from one whose login was revoked", async () => {
    const tokens = createTokens({ secret, store: memoryStore() });
    const login = await tokens.issue({ sub: "alice" });
    const next = await tokens.refresh(login.refreshToken);
    await expect(tokens.verifyRefresh(login.refreshToken)).rejects.toMatchObject({
      code: "ERR_JWT_REVOKED",
      message: "refresh token was already used",
    });
    await tokens.revoke(next.refreshToken);
    await expect(tokens.verifyRefresh(next.refreshToken)).rejects.toMatchObject({
      code: "ERR_JWT_REVOKED",
      message: "refresh token has been revoked",
    });
  });
});

describe("verifyAccess asks only for the claims its options need", () => {
  const made = (claims: object) => sign(claims, secret, { type: "ATK", expiresIn: 60 });

  it("verifies an access token made with sign() alone, without jti or fam, when checkRevoked is off", async () => {
    const tokens = createTokens({ secret, store: memoryStore() });
    expect((await tokens.verifyAccess(await made({ sub: "alice" }))).sub).toBe("alice");
  });

  it.each([
    ["no jti", { sub: "alice", fam: "f" }, "jti", 'token has no "jti" claim'],
    ["no fam", { sub: "alice", jti: "j" }, "fam", 'token has no "fam" claim'],
    ["a numeric fam", { sub: "alice", jti: "j", fam: 1 }, "fam", "fam must be a non-empty string"],
    ["an empty jti", { sub: "alice", jti: "", fam: "f" }, "jti", "jti must be a non-empty string"],
    [
      "a sub with a lone surrogate",
      { sub: "\uD800", jti: "j", fam: "f" },
      "sub",
      "sub must be well-formed UTF-16",
    ],
  ])(
    "with checkRevoked, refuses a token with %s as a bad claim",
    async (_, claims, claim, message) => {
      const tokens = createTokens({ secret, store: memoryStore(), checkRevoked: true });
      await expect(tokens.verifyAccess(await made(claims))).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_CLAIM",
        claim,
        message,
        status: 401,
      });
    },
  );

  it("revokes only access tokens of this flow: typed ATK, with sub, jti and fam", async () => {
    const tokens = createTokens({ secret, store: memoryStore() });
    const pair = await tokens.issue({ sub: "alice" });
    await expect(tokens.revokeAccess(pair.refreshToken)).rejects.toMatchObject({
      code: "ERR_JWT_TYPE",
      status: 401,
    });
    await expect(tokens.revokeAccess(await made({ sub: "alice" }))).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM",
      claim: "jti",
      message: 'token has no "jti" claim',
    });
  });
});

describe("the deny list and the clock tolerance", () => {
  it("keeps a revoked access token refused inside the tolerance after its exp", async () => {
    const clock = manualClock();
    const options = {
      secret,
      store: clock.store(),
      accessTtl: 60,
      clockTolerance: 30,
      now: clock.now,
    };
    const tokens = createTokens({ ...options, checkRevoked: true });
    const pair = await tokens.issue({ sub: "alice" });
    const kept = await tokens.issue({ sub: "alice" });
    await tokens.revokeAccess(pair.accessToken);
    clock.advance(80);
    await expect(tokens.verifyAccess(pair.accessToken)).rejects.toMatchObject({
      code: "ERR_JWT_REVOKED",
    });
    expect((await tokens.verifyAccess(kept.accessToken)).sub).toBe("alice");
  });

  it("accepts an unused refresh token inside the tolerance after its exp, as unused", async () => {
    const clock = manualClock();
    // Both tokens expire at 60 s: the store keeps the login for the tolerance after.
    const tokens = createTokens({
      secret,
      store: clock.store(),
      accessTtl: 60,
      refreshTtl: 60,
      clockTolerance: 30,
      now: clock.now,
    });
    const pair = await tokens.issue({ sub: "alice" });
    clock.advance(80);
    const next = await tokens.refresh(pair.refreshToken);
    await tokens.verifyRefresh(next.refreshToken);
  });
});
