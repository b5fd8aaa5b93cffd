import { jwtVerify, SignJWT } from "jose";
import jwt from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { decodeUnverified, sign, verify } from "../../src/index.js";
import { JwtError } from "../../src/jwt/errors.js";
import { SECRET } from "../support/fixtures.js";

// RFC 7515 Appendix A.1: the JWS example that uses HMAC SHA-256. The key is the
// JWK "k" of A.1.1, base64url of 64 bytes; the header is {"typ":"JWT",\r\n "alg":"HS256"}.
const RFC7515_A1_TOKEN =
  "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
  ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
  ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC7515_A1_K =
  "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const RFC7515_A1_EXP = 1300819380;
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

describe("RFC 7515 Appendix A.1", () => {
  const key = new Uint8Array(Buffer.from(RFC7515_A1_K, "base64url"));
  const before = { now: new Date((RFC7515_A1_EXP - 1) * 1000) };

  it("has the header and payload the RFC shows", () => {
    expect(key.length).toBe(64);
    const [header, payload] = RFC7515_A1_TOKEN.split(".") as [string, string];
    expect(Buffer.from(header, "base64url").toString()).toBe('{"typ":"JWT",\r\n "alg":"HS256"}');
    expect(Buffer.from(payload, "base64url").toString()).toBe(
      '{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}',
    );
  });

  it("verifies with its key before its exp", async () => {
    const result = await verify(RFC7515_A1_TOKEN, key, before);
    expect(result.header).toEqual({ typ: "JWT", alg: "HS256" });
    expect(result.payload).toEqual({
      iss: "joe",
      exp: RFC7515_A1_EXP,
      "http://example.com/is_root": true,
    });
    expect(decodeUnverified(RFC7515_A1_TOKEN)).toEqual(result);
  });

  it("is expired at its exp", async () => {
    const error = await verify(RFC7515_A1_TOKEN, key, {
      now: new Date(RFC7515_A1_EXP * 1000),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "ERR_JWT_EXPIRED",
      expiredAt: new Date(RFC7515_A1_EXP * 1000),
    });
  });

  it("fails when any single character is changed to any other base64url character", async () => {
    const allowed = new Set(["ERR_JWT_SIGNATURE", "ERR_JWT_MALFORMED", "ERR_JWT_ALGORITHM"]);
    const seen = new Set<string>();
    let attempts = 0;
    for (let i = 0; i < RFC7515_A1_TOKEN.length; i++) {
      for (const char of BASE64URL) {
        if (char === RFC7515_A1_TOKEN[i]) continue;
        const changed = RFC7515_A1_TOKEN.slice(0, i) + char + RFC7515_A1_TOKEN.slice(i + 1);
        const outcome = await verify(changed, key, before).then(
          () => "VERIFIED",
          (error: unknown) => (error instanceof JwtError ? error.code : String(error)),
        );
        attempts++;
        seen.add(outcome);
        if (!allowed.has(outcome)) {
          expect.fail(`changing position ${i} to ${char} gave ${outcome}`);
        }
      }
    }
    expect(attempts).toBe(RFC7515_A1_TOKEN.length * 63 + 2);
    expect([...seen].sort()).toEqual([...allowed].sort());
  });
});

const secretBytes = new TextEncoder().encode(SECRET);

const claims = {
  sub: "alice",
  role: "admin",
  scopes: ["read", "write"],
  profile: { name: "Zoë 🌍", age: 37, verified: true, nothing: null },
  ratio: 0.25,
};

describe("tokens from sign", () => {
  it("verify in jose", async () => {
    const token = await sign(claims, SECRET, {
      expiresIn: "15m",
      issuer: "https://issuer.example",
      audience: "api",
      jwtId: "id-1",
    });
    const mine = decodeUnverified(token).payload;
    const { payload, protectedHeader } = await jwtVerify(token, secretBytes, {
      algorithms: ["HS256"],
      issuer: "https://issuer.example",
      audience: "api",
      typ: "JWT",
    });
    expect(protectedHeader).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toEqual(mine);
    expect(payload).toMatchObject(claims);
  });

  it("verify in jsonwebtoken", async () => {
    const token = await sign(claims, SECRET, {
      expiresIn: 60,
      keyId: "k1",
      audience: ["api", "web"],
    });
    const decoded = jwt.verify(token, SECRET, {
      algorithms: ["HS256"],
      audience: "web",
      complete: true,
    });
    expect(decoded.header).toEqual({ alg: "HS256", typ: "JWT", kid: "k1" });
    expect(decoded.payload).toEqual(decodeUnverified(token).payload);
    expect(decoded.payload).toMatchObject(claims);
  });

  it("are refused by both when the secret differs", async () => {
    const token = await sign(claims, SECRET, { expiresIn: 60 });
    await expect(jwtVerify(token, new TextEncoder().encode(`${SECRET}!`))).rejects.toThrow();
    expect(() => jwt.verify(token, `${SECRET}!`, { algorithms: ["HS256"] })).toThrow(/signature/);
  });
});

describe("HS256 tokens from other libraries", () => {
  it("from jose verify with verify", async () => {
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt()
      .setExpirationTime("15m")
      .setIssuer("https://issuer.example")
      .setAudience(["api", "web"])
      .sign(secretBytes);
    const result = await verify(token, SECRET, {
      issuer: "https://issuer.example",
      audience: "api",
    });
    const expected = (await jwtVerify(token, secretBytes)).payload;
    expect(result.header).toEqual({ alg: "HS256" });
    expect(result.payload).toEqual(expected);
    expect(result.payload).toMatchObject(claims);
  });

  it("from jsonwebtoken verify with verify", async () => {
    const token = jwt.sign(claims, SECRET, {
      algorithm: "HS256",
      expiresIn: "15m",
      notBefore: 0,
      jwtid: "id-2",
      keyid: "k2",
    });
    const result = await verify(token, (header) => (header.kid === "k2" ? SECRET : "wrong"));
    expect(result.header).toEqual({ alg: "HS256", typ: "JWT", kid: "k2" });
    expect(result.payload).toEqual(jwt.verify(token, SECRET, { algorithms: ["HS256"] }));
    expect(result.payload).toMatchObject({ ...claims, jti: "id-2" });
  });

  it("from jose with another HMAC algorithm are refused", async () => {
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS512" })
      .setExpirationTime("15m")
      .sign(secretBytes);
    await expect(verify(token, SECRET)).rejects.toMatchObject({ code: "ERR_JWT_ALGORITHM" });
    const none = jwt.sign(claims, null, { algorithm: "none", expiresIn: "15m" });
    await expect(verify(none, SECRET)).rejects.toMatchObject({ code: "ERR_JWT_ALGORITHM" });
  });
});
