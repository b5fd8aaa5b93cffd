// Cases that mutation testing (npm run mutate) found no other test to pin down:
// each would pass if the check it names were weakened. See docs/mutation.md.
import { describe, expect, it } from "vitest";
import { JwtError, sign, verify } from "../../src/index.js";
import { decodeBase64url } from "../../src/jwt/base64url.js";
import { toSeconds } from "../../src/jwt/duration.js";
import { NOW, NOW_SECONDS as NOW_S, SECRET } from "../support/fixtures.js";

async function refusal(attempt: Promise<unknown>): Promise<JwtError> {
  const error = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(JwtError);
  return error as JwtError;
}

describe("base64url: the first character past ASCII", () => {
  it("refuses U+0080 and its neighbours in every position, not as 'A'", () => {
    for (const char of ["\u0080", "\u00ff", "\u0100", "\u7fff"]) {
      for (const text of [`${char}AAA`, `AAA${char}`, `A${char}`, `AA${char}`, `${char}A`]) {
        expect(decodeBase64url(text), JSON.stringify(text)).toBeUndefined();
      }
    }
  });
});

describe("duration: fractions of more than one digit", () => {
  it("reads 1.25m as 75 seconds and 0.125h as 450", () => {
    expect(toSeconds("1.25m", "x")).toBe(75);
    expect(toSeconds("0.125h", "x")).toBe(450);
  });
});

describe("jws: which segment failed, and why", () => {
  it("names the header when it is not base64url", async () => {
    const error = await refusal(verify("e=30.e30.AA", SECRET));
    expect(error.code).toBe("ERR_JWT_MALFORMED");
    expect(error.message).toBe("header is not valid base64url");
  });

  it("names the signature when it is not base64url", async () => {
    const token = await sign({ exp: NOW_S + 60 }, SECRET, { now: NOW });
    const error = await refusal(verify(`${token}=`, SECRET, { now: NOW }));
    expect(error.message).toBe("signature is not valid base64url");
  });
});

describe("jwt: a maxTokenLength of zero is a limit, not an error", () => {
  it("refuses every token with ERR_JWT_MALFORMED", async () => {
    const token = await sign({ exp: NOW_S + 60 }, SECRET, { now: NOW });
    const error = await refusal(verify(token, SECRET, { now: NOW, maxTokenLength: 0 }));
    expect(error.code).toBe("ERR_JWT_MALFORMED");
    expect(error.message).toBe("token is longer than 0 characters");
  });
});

describe("claims: each refusal says which claim and why", () => {
  const cases: [string, object, object, string, string][] = [
    ["no exp", {}, {}, "exp", 'token has no "exp" claim'],
    [
      "no iat with maxTokenAge",
      { exp: NOW_S + 60, iat: undefined },
      { maxTokenAge: 60 },
      "iat",
      'token has no "iat" claim, which maxTokenAge needs',
    ],
    [
      "iat in the future",
      { exp: NOW_S + 60, iat: NOW_S + 30 },
      { maxTokenAge: 60 },
      "iat",
      '"iat" claim is in the future',
    ],
    [
      "another issuer",
      { exp: NOW_S + 60, iss: "b" },
      { issuer: "a" },
      "iss",
      '"iss" claim is not an accepted issuer',
    ],
    [
      "another audience",
      { exp: NOW_S + 60, aud: ["b"] },
      { audience: "a" },
      "aud",
      '"aud" claim has no accepted audience',
    ],
    [
      "another subject",
      { exp: NOW_S + 60, sub: "b" },
      { subject: "a" },
      "sub",
      '"sub" claim is not the expected subject',
    ],
  ];

  it.each(cases)("%s", async (_, payload, options, claim, message) => {
    const token = await sign(payload, SECRET, { now: NOW, requireExpiration: false });
    // sign adds iat; drop it again where the case needs none.
    const input = "iat" in payload && payload.iat === undefined ? await withoutIat(token) : token;
    const error = await refusal(verify(input, SECRET, { now: NOW, ...options }));
    expect(error.code).toBe("ERR_JWT_CLAIM");
    expect(error.claim).toBe(claim);
    expect(error.message).toBe(message);
  });
});

async function withoutIat(token: string): Promise<string> {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString());
  delete payload.iat;
  const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${header}.${body}`));
  return `${header}.${body}.${Buffer.from(mac).toString("base64url")}`;
}

describe("key: a CryptoKey of another algorithm with SHA-256", () => {
  it("is refused as not an HMAC key, not for its length", async () => {
    const token = await sign({ exp: NOW_S + 60 }, SECRET, { now: NOW });
    const rsa = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        hash: "SHA-256",
        modulusLength: 1024,
        publicExponent: new Uint8Array([1, 0, 1]),
      },
      false,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const error = await refusal(verify(token, rsa.publicKey, { now: NOW }));
    expect(error.code).toBe("ERR_JWT_KEY");
    expect(error.message).toBe("CryptoKey must be an HMAC key with SHA-256");
  });
});
