// The attacks docs/security.md lists, one by one, each shown to be refused.
import { describe, expect, it, vi } from "vitest";
import { authenticate, createTokens, JwtError, memoryStore, sign, verify } from "../src/index.js";
import { codeOf } from "./support/expect.js";
import { NOW, NOW_SECONDS, SECRET } from "./support/fixtures.js";
import { b64url, hmac } from "./support/signed.js";

const NOW_S = NOW_SECONDS;
const enc = new TextEncoder();

const b64json = (value: unknown) => b64url(JSON.stringify(value));

/** A token with any header and payload, correctly HMAC-signed with `secret`. */
function forge(header: unknown, payload: unknown, secret = SECRET): string {
  const input = `${b64json(header)}.${b64json(payload)}`;
  return `${input}.${hmac(input, secret)}`;
}

const live = { sub: "alice", exp: NOW_S + 60 };
const verifyNow = (token: string, secret: Parameters<typeof verify>[1] = SECRET) =>
  verify(token, secret, { now: NOW });

describe("alg none and alg confusion (RFC 8725 section 2.1)", () => {
  it("refuses alg none, with or without a signature", async () => {
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      const unsigned = `${b64json({ alg, typ: "JWT" })}.${b64json(live)}.`;
      await expect(verifyNow(unsigned)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_ALGORITHM",
      });
      await expect(verifyNow(await forge({ alg }, live))).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_ALGORITHM",
      });
    }
  });

  it("refuses every alg but exactly HS256, even when the HMAC is right", async () => {
    const algs = [
      "HS384",
      "HS512",
      "RS256",
      "ES256",
      "PS256",
      "hs256",
      "Hs256",
      "HS256 ",
      " HS256",
    ];
    for (const alg of [...algs, "HS256\u0000", "", null, 256, true, ["HS256"], { name: "HS256" }]) {
      await expect(verifyNow(await forge({ alg }, live))).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_ALGORITHM",
      });
    }
    await expect(verifyNow(await forge({ typ: "JWT" }, live))).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_ALGORITHM",
    });
  });

  it("refuses an RS256 token HMAC-signed with a public key, before asking for a key", async () => {
    const publicKey =
      "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----";
    const token = await forge({ alg: "RS256", kid: "rsa-1" }, live, publicKey);
    const resolver = vi.fn(() => publicKey);
    await expect(verifyNow(token, resolver)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_ALGORITHM",
    });
    expect(resolver).not.toHaveBeenCalled();
  });
});

describe("crit (RFC 7515 section 4.1.11)", () => {
  it("refuses any crit header, since no extension is understood", async () => {
    for (const crit of [["exp"], ["b64"], [], "exp"]) {
      const token = await forge({ alg: "HS256", crit, exp: 1 }, live);
      await expect(verifyNow(token)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_ALGORITHM",
      });
    }
  });
});

describe("weak secrets (RFC 7518 section 3.2)", () => {
  const short = "s".repeat(31);

  it("refuses a secret of fewer than 32 bytes, to sign and to verify, without echoing it", async () => {
    const token = await sign(live, SECRET, { now: NOW });
    for (const secret of [short, enc.encode(short), enc.encode(short).buffer, ""]) {
      const signing = await sign(live, secret).catch((error: unknown) => error);
      expect(signing).toBeInstanceOf(JwtError);
      expect((signing as JwtError).code).toBe("ERR_JWT_KEY");
      expect((signing as JwtError).message).not.toContain(short);
      await expect(verifyNow(token, secret)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
    }
  });

  it("counts bytes, not characters", async () => {
    const sixteenChars = "ü".repeat(16); // 32 bytes of UTF-8
    const token = await sign(live, sixteenChars, { now: NOW });
    expect(await codeOf(verifyNow(token, sixteenChars))).toBe("accepted");
  });

  it("refuses a short, non-HMAC-SHA-256 or non-verifying CryptoKey", async () => {
    const token = await sign(live, SECRET, { now: NOW });
    const hmac = (hash: string, length: number, usages: KeyUsage[]) =>
      crypto.subtle.generateKey(
        { name: "HMAC", hash, length },
        false,
        usages,
      ) as Promise<CryptoKey>;
    for (const key of [
      await hmac("SHA-256", 128, ["sign", "verify"]),
      await hmac("SHA-512", 512, ["sign", "verify"]),
      await hmac("SHA-256", 256, ["sign"]),
    ]) {
      await expect(verifyNow(token, key)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
    }
  });
});

describe("forged and truncated signatures", () => {
  it("refuses a signature made with another key, empty, truncated or extended", async () => {
    const token = await sign(live, SECRET, { now: NOW });
    const input = token.slice(0, token.lastIndexOf("."));
    const signature = Buffer.from(token.slice(input.length + 1), "base64url");
    const other = hmac(input, `${SECRET}!`);
    await expect(verifyNow(`${input}.${other}`)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    await expect(verifyNow(`${input}.`)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    expect(await codeOf(verifyNow(`${input}.${b64url(signature.subarray(0, 16))}`))).toBe(
      "ERR_JWT_SIGNATURE",
    );
    const longer = Buffer.concat([signature, Buffer.from([0])]);
    await expect(verifyNow(`${input}.${b64url(longer)}`)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    expect(await codeOf(verifyNow(token))).toBe("accepted");
  });
});

describe("access and refresh tokens are not interchangeable", () => {
  it("refuses a refresh token as access token and the reverse, with one secret for both", async () => {
    const tokens = createTokens({ secret: SECRET, store: memoryStore() });
    const { accessToken, refreshToken } = await tokens.issue({ sub: "alice" });
    await expect(tokens.verifyAccess(refreshToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_TYPE",
    });
    await expect(authenticate(tokens, `Bearer ${refreshToken}`)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_TYPE",
    });
    await expect(tokens.verifyRefresh(accessToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_TYPE",
    });
    await expect(tokens.refresh(accessToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_TYPE",
    });
    await expect(tokens.revoke(accessToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_TYPE",
    });
  });

  it("refuses a token of the right key that has no type, or another spelling", async () => {
    const tokens = createTokens({ secret: SECRET });
    for (const type of [undefined, "atk", "ATK ", "RTK", "JWT"]) {
      const token = await sign({ sub: "alice", jti: "j", ...(type ? { type } : {}) }, SECRET, {
        expiresIn: 60,
      });
      await expect(tokens.verifyAccess(token)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_TYPE",
      });
    }
  });
});

describe("replayed and reused refresh tokens (RFC 9700 section 4.14.2)", () => {
  it("accepts a refresh token once; a second use revokes the whole family", async () => {
    const tokens = createTokens({ secret: SECRET, store: memoryStore() });
    const first = await tokens.issue({ sub: "alice" });
    const second = await tokens.refresh(first.refreshToken);
    await expect(tokens.refresh(first.refreshToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_REVOKED",
    });
    // The thief or the user, whoever comes second, finds the family revoked.
    await expect(tokens.refresh(second.refreshToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_REVOKED",
    });
    await expect(tokens.verifyRefresh(second.refreshToken)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_REVOKED",
    });
    // Another login of the same subject is another family, untouched.
    const other = await tokens.issue({ sub: "alice" });
    expect(await codeOf(tokens.refresh(other.refreshToken))).toBe("accepted");
  });
});

describe("prototype pollution", () => {
  it("keeps __proto__ in header and payload as data, and injects no claim", async () => {
    const header = JSON.parse('{"alg":"HS256","__proto__":{"alg":"none","crit":["x"]}}');
    const payload = JSON.parse(
      '{"sub":"a","exp":1999999999,"__proto__":{"aud":"admin","isAdmin":true},"constructor":{"prototype":{"polluted":1}}}',
    );
    const token = await forge(header, payload);
    const result = await verify(token, SECRET, { now: NOW });
    expect(result.header.alg).toBe("HS256");
    expect(result.payload.aud).toBeUndefined();
    expect((result.payload as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await codeOf(verify(token, SECRET, { now: NOW, audience: "admin" }))).toBe(
      "ERR_JWT_CLAIM",
    );
  });

  it("does not take inherited properties for required claims", async () => {
    const token = await sign(live, SECRET, { now: NOW });
    for (const claim of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      const error = await verify(token, SECRET, { now: NOW, requiredClaims: [claim] }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(JwtError);
      expect((error as JwtError).claim).toBe(claim);
    }
  });
});

describe("oversized tokens", () => {
  it("refuses a 10 MB token at once, before any decoding or crypto, even when its signature is good", async () => {
    const big = await sign({ ...live, data: "x".repeat(10 * 1024 * 1024) }, SECRET, { now: NOW });
    const subtleVerify = vi.spyOn(crypto.subtle, "verify");
    const importKey = vi.spyOn(crypto.subtle, "importKey");
    const resolver = vi.fn(() => SECRET);
    await expect(verifyNow(big, resolver)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_MALFORMED",
      message: "token is longer than 8192 characters",
    });
    expect(subtleVerify).not.toHaveBeenCalled();
    expect(importKey).not.toHaveBeenCalled();
    expect(resolver).not.toHaveBeenCalled();
    subtleVerify.mockRestore();
    importKey.mockRestore();
    // The token is otherwise good: only the limit refused it.
    const raised = verify(big, SECRET, { now: NOW, maxTokenLength: big.length });
    expect(await codeOf(raised)).toBe("accepted");
  });

  it("refuses a maxTokenLength that would lift the limit by failing every comparison", async () => {
    const token = await sign(live, SECRET, { now: NOW });
    for (const bad of [Number.NaN, "lots", -1, {}]) {
      const attempt = verify(token, SECRET, { now: NOW, maxTokenLength: bad as number });
      await expect(attempt).rejects.toThrow(TypeError);
      await expect(attempt).rejects.toThrow("maxTokenLength must be a number of characters");
    }
  });
});

describe("options that would switch a check off", () => {
  const expired = { sub: "a", exp: NOW_S - 3600 };
  const old = { sub: "a", exp: NOW_S + 60, iat: NOW_S - 7200 };
  const huge = `${"9".repeat(400)}d`;

  it.each([
    ["clockTolerance", huge, expired],
    ["maxTokenAge", huge, old],
    ["clockTolerance", Number.POSITIVE_INFINITY, expired],
    ["maxTokenAge", Number.POSITIVE_INFINITY, old],
  ])("refuses a %s that reads as Infinity (%s)", async (option, value, payload) => {
    const token = forge({ alg: "HS256" }, payload);
    const options = { [option]: value };
    await expect(verify(token, SECRET, { now: NOW, ...options })).rejects.toThrow(TypeError);
  });
});

describe("key ids chosen by the client (RFC 7515 section 4.1.4)", () => {
  const keys = new Map([["2030-01", SECRET]]);
  const resolver = (header: { kid?: string }) =>
    header.kid === undefined ? undefined : keys.get(header.kid);

  it.each(["__proto__", "constructor", "toString", "unknown"])(
    "answers an unknown kid %j with ERR_JWT_KEY, a 401, not an exception",
    async (kid) => {
      const token = forge({ alg: "HS256", kid }, live);
      await expect(verifyNow(token, resolver)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
    },
  );

  it("refuses a kid that is not a string before the resolver sees it", async () => {
    const spy = vi.fn(resolver);
    const token = forge({ alg: "HS256", kid: { toString: "2030-01" } }, live);
    await expect(verifyNow(token, spy)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_MALFORMED",
    });
    expect(spy).not.toHaveBeenCalled();
  });
});

describe("unexpected input", () => {
  it("parses JSON nested 200,000 deep without a stack overflow", async () => {
    const depth = 200_000;
    const nested = `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const header = b64url(`{"alg":"HS256","x":${nested}}`);
    const token = `${header}.${b64json(live)}.AAAA`;
    const attempt = verify(token, SECRET, { now: NOW, maxTokenLength: token.length });
    await expect(attempt).rejects.toMatchObject({ name: "JwtError", code: "ERR_JWT_SIGNATURE" });
  });
});

describe("order of checks: form, header, key, signature, then claims", () => {
  const expired = { sub: "a", exp: NOW_S - 1 };

  it("reports a bad alg before a bad signature or an expiry", async () => {
    const token = `${b64json({ alg: "none" })}.${b64json(expired)}.AAAA`;
    await expect(verifyNow(token)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_ALGORITHM",
    });
  });

  it("reports a bad signature before any claim, and before reading the payload", async () => {
    const forged = await forge({ alg: "HS256" }, expired, `${SECRET}-other`);
    await expect(verifyNow(forged)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
    const notJson = `${b64json({ alg: "HS256" })}.${b64url("{not json")}.AAAA`;
    await expect(verifyNow(notJson)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_SIGNATURE",
    });
  });

  it("reports a claim only once the signature is good", async () => {
    await expect(verifyNow(await forge({ alg: "HS256" }, expired))).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_EXPIRED",
    });
  });

  it("asks for a key only for a well-formed HS256 header", async () => {
    const resolver = vi.fn(() => SECRET);
    for (const token of ["x.y", "!.e30.AA", `${b64json({ alg: "HS512" })}.e30.AA`]) {
      await verifyNow(token, resolver).catch(() => undefined);
    }
    expect(resolver).not.toHaveBeenCalled();
    await verifyNow(await forge({ alg: "HS256", kid: "k1" }, live), resolver);
    expect(resolver).toHaveBeenCalledWith({ alg: "HS256", kid: "k1" });
  });
});
