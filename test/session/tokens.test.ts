import { describe, expect, it, vi } from "vitest";
import {
  authenticate,
  createTokens,
  decodeUnverified,
  JwtError,
  memoryStore,
  type RefreshStore,
  StoreError,
  sign,
  type TokenPair,
  verify,
} from "../../src/index.js";
import { expectJwtError } from "../support/expect.js";
import { describeTokenFlow } from "../support/flow.js";

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
    const bare = await sign({ type: "ATK" }, secret, {
      expiresIn: 60,
      issuer: "https://api.example",
      audience: "app",
    });
    const error = await expectJwtError(tokens.verifyAccess(bare), "ERR_JWT_CLAIM");
    expect(error.claim).toBe("sub");
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
    await expect(tokens.revokeSubject("alice")).rejects.toThrow(TypeError);
    await expect(tokens.revokeAccess(pair.accessToken)).rejects.toThrow(
      /revokeAccess needs a store/,
    );
  });

  it("refuses claims it sets itself, and a missing subject", async () => {
    await expect(tokens.issue({ sub: "", role: "x" })).rejects.toThrow(/claims.sub/);
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
    expect(() => createTokens({ secret, accessTtl: "15 min" })).toThrow(/accessTtl/);
    expect(() => createTokens({ secret, refreshTtl: 0 })).toThrow(/positive/);
    expect(() => createTokens({ secret, checkRevoked: true })).toThrow(
      /checkRevoked needs a store/,
    );
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
