// The public types as an application meets them.
import {
  createTokens,
  createVerifier,
  isJwtError,
  type JwtError,
  type JwtErrorCode,
  memoryStore,
  sign,
  type TokenPair,
  verify,
} from "hs256";
import { describe, expectTypeOf, it } from "vitest";

declare const token: string;
const secret = "0123456789abcdef0123456789abcdef";

describe("verify<P>", () => {
  it("types the payload as P plus the registered claims", async () => {
    const { payload, header } = await verify<{ role: "admin" | "user" }>(token, secret);
    expectTypeOf(payload.role).toEqualTypeOf<"admin" | "user">();
    expectTypeOf(payload.exp).toEqualTypeOf<number | undefined>();
    expectTypeOf(payload.aud).toEqualTypeOf<string | string[] | undefined>();
    expectTypeOf(header.alg).toEqualTypeOf<"HS256">();
    expectTypeOf(header.kid).toEqualTypeOf<string | undefined>();
  });

  it("defaults to any claims, each unknown", async () => {
    const { payload } = await verify(token, secret);
    expectTypeOf(payload.anything).toEqualTypeOf<unknown>();
  });

  it("takes a key resolver that may know no key", () => {
    const keys = new Map<string, string>();
    void verify(token, (header) => (header.kid === undefined ? undefined : keys.get(header.kid)));
  });

  it("takes options that may be undefined (exactOptionalPropertyTypes)", async () => {
    const issuer: string | undefined = process.env.ISSUER;
    await verify(token, secret, { issuer, clockTolerance: undefined });
    await sign({}, secret, { expiresIn: "15m", issuer, keyId: undefined });
  });
});

describe("createVerifier", () => {
  it("serves read-only payloads, shared by every cache hit", async () => {
    const check = createVerifier<{ role: string }>(secret, { cache: { max: 100 } });
    const { payload } = await check(token);
    expectTypeOf(payload).toExtend<Readonly<{ role: string }>>();
    // @ts-expect-error a cached payload is frozen
    payload.role = "admin";
  });
});

describe("createTokens<C>", () => {
  const tokens = createTokens<{ role: "admin" | "user" }>({ secret, store: memoryStore() });

  it("asks issue for C and a subject", async () => {
    expectTypeOf(tokens.issue)
      .parameter(0)
      .toEqualTypeOf<{ role: "admin" | "user" } & { sub: string }>();
    expectTypeOf(await tokens.issue({ sub: "alice", role: "admin" })).toEqualTypeOf<TokenPair>();
    // @ts-expect-error role is not one of C's values
    await tokens.issue({ sub: "alice", role: "root" });
    // @ts-expect-error sub is required
    await tokens.issue({ role: "admin" });
  });

  it("types verifyAccess as C and the access-token claims", async () => {
    const claims = await tokens.verifyAccess(token);
    expectTypeOf(claims.role).toEqualTypeOf<"admin" | "user">();
    expectTypeOf(claims.sub).toEqualTypeOf<string>();
    expectTypeOf(claims.type).toEqualTypeOf<"ATK">();
    expectTypeOf(claims.exp).toEqualTypeOf<number>();
  });

  it("types refresh's fresh claims and verifyRefresh's carried ones as C", async () => {
    await tokens.refresh(token, { claims: { role: "user" } });
    // @ts-expect-error fresh claims must be C
    await tokens.refresh(token, { claims: { role: "root" } });
    const rtk = await tokens.verifyRefresh(token);
    expectTypeOf(rtk.type).toEqualTypeOf<"RTK">();
    expectTypeOf(rtk.fam).toEqualTypeOf<string>();
    expectTypeOf(rtk.claims).toEqualTypeOf<{ role: "admin" | "user" } | undefined>();
  });
});

describe("isJwtError", () => {
  it("narrows to the code given, with that code's fields", () => {
    const error: unknown = new Error("x");
    if (isJwtError(error, "ERR_JWT_EXPIRED")) {
      expectTypeOf(error.code).toEqualTypeOf<"ERR_JWT_EXPIRED">();
      expectTypeOf(error.expiredAt).toEqualTypeOf<Date>();
      expectTypeOf(error.status).toEqualTypeOf<number>();
      expectTypeOf(error.wwwAuthenticate).toEqualTypeOf<string>();
    }
    if (isJwtError(error, "ERR_JWT_CLAIM")) expectTypeOf(error.claim).toEqualTypeOf<string>();
    if (isJwtError(error, "ERR_JWT_TYPE")) {
      expectTypeOf(error.expected).toEqualTypeOf<readonly string[]>();
      expectTypeOf(error.actual).toEqualTypeOf<unknown>();
    }
    if (isJwtError(error, "ERR_JWT_SIGNATURE")) {
      expectTypeOf(error.expiredAt).toEqualTypeOf<Date | undefined>();
    }
  });

  it("without a code, gives a union that a check of code narrows", () => {
    const error: unknown = new Error("x");
    if (isJwtError(error)) {
      expectTypeOf(error).toExtend<JwtError>();
      expectTypeOf(error.code).toEqualTypeOf<JwtErrorCode>();
      if (error.code === "ERR_JWT_EXPIRED") expectTypeOf(error.expiredAt).toEqualTypeOf<Date>();
      if (error.code === "ERR_JWT_CLAIM") expectTypeOf(error.claim).toEqualTypeOf<string>();
    }
  });

  it("takes only known codes", () => {
    // @ts-expect-error not a code
    isJwtError(new Error("x"), "ERR_JWT_EXPIRD");
  });
});
