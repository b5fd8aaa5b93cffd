import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_MAX_TOKEN_LENGTH,
  decodeUnverified,
  importSecret,
  isJwtError,
  JwtError,
  type JwtHeader,
  type Secret,
  type SignOptions,
  sign,
  verify,
} from "../../src/index.js";
import { expectJwtError } from "../support/expect.js";
import {
  b64url,
  HEADER,
  hmac,
  NOW,
  NOW_SECONDS,
  rawToken,
  SECRET,
  throwsWith,
  tokenFor,
} from "../support/signed.js";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const EXP = NOW_SECONDS + 60;
const at = { now: NOW };

function segments(token: string): [string, string, string] {
  const parts = token.split(".");
  expect(parts).toHaveLength(3);
  return parts as [string, string, string];
}

function decodeJson(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
}

describe("the public entry", () => {
  it("exports the core API", () => {
    expect(typeof sign).toBe("function");
    expect(typeof verify).toBe("function");
    expect(typeof decodeUnverified).toBe("function");
    expect(typeof importSecret).toBe("function");
    expect(typeof isJwtError).toBe("function");
    expect(new JwtError("ERR_JWT_KEY", "x")).toBeInstanceOf(Error);
    expect(DEFAULT_MAX_TOKEN_LENGTH).toBe(8192);
  });
});

describe("sign", () => {
  it('writes the header {"alg":"HS256","typ":"JWT"} and an HMAC SHA-256 signature', async () => {
    const token = await sign({ sub: "alice" }, SECRET, { ...at, expiresIn: 60 });
    const [header, payload, signature] = segments(token);
    expect(Buffer.from(header, "base64url").toString()).toBe('{"alg":"HS256","typ":"JWT"}');
    expect(decodeJson(payload)).toEqual({ sub: "alice", iat: NOW_SECONDS, exp: EXP });
    expect(signature).toBe(hmac(`${header}.${payload}`, SECRET));
  });

  it("adds kid to the header with keyId", async () => {
    const token = await sign({}, SECRET, { ...at, expiresIn: 60, keyId: "2025-01" });
    expect(decodeJson(segments(token)[0])).toEqual({ alg: "HS256", typ: "JWT", kid: "2025-01" });
  });

  it("sets iat to now, in whole seconds", async () => {
    const token = await sign({}, SECRET, {
      now: new Date(NOW_SECONDS * 1000 + 999),
      requireExpiration: false,
    });
    expect(decodeUnverified(token).payload.iat).toBe(NOW_SECONDS);
  });

  it("reads the system clock without the now option", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(1_234_567_890_250));
    const token = await sign({}, SECRET, { expiresIn: 10 });
    expect(decodeUnverified(token).payload).toEqual({ iat: 1_234_567_890, exp: 1_234_567_900 });
  });

  it("keeps an iat given in the payload and counts expiresIn from it", async () => {
    const token = await sign({ iat: NOW_SECONDS - 100 }, SECRET, { ...at, expiresIn: 60 });
    expect(decodeUnverified(token).payload).toEqual({
      iat: NOW_SECONDS - 100,
      exp: NOW_SECONDS - 40,
    });
  });

  it("sets exp and nbf from seconds or durations", async () => {
    const cases: [number | string, number][] = [
      [90, 90],
      [0, 0],
      ["30s", 30],
      ["15m", 900],
      ["2h", 7200],
      ["7d", 604800],
      ["1w", 604800],
      ["45", 45],
      [1.9, 1],
      ["1.5s", 1],
      [-10, -10],
    ];
    for (const [duration, seconds] of cases) {
      const token = await sign({}, SECRET, { ...at, expiresIn: duration, notBefore: duration });
      const { payload } = decodeUnverified(token);
      expect(payload.exp, String(duration)).toBe(NOW_SECONDS + seconds);
      expect(payload.nbf, String(duration)).toBe(NOW_SECONDS + seconds);
    }
  });

  it("sets iss, aud, sub, jti and type from the options", async () => {
    const token = await sign({ role: "admin" }, SECRET, {
      ...at,
      issuer: "https://issuer.example",
      audience: ["api", "web"],
      subject: "alice",
      jwtId: "id-1",
      type: "ATK",
      requireExpiration: false,
    });
    expect(decodeUnverified(token).payload).toEqual({
      role: "admin",
      iat: NOW_SECONDS,
      iss: "https://issuer.example",
      aud: ["api", "web"],
      sub: "alice",
      jti: "id-1",
      type: "ATK",
    });
    const single = await sign({}, SECRET, { ...at, expiresIn: 60, audience: "api" });
    expect(decodeUnverified(single).payload.aud).toBe("api");
  });

  // verify refuses a token without exp by default (requireExpiration), so sign does too.
  it("refuses to make a token without exp unless requireExpiration is false", async () => {
    await expect(sign({ sub: "alice" }, SECRET, at)).rejects.toThrow(
      new TypeError(
        'token has no "exp": set expiresIn (or "exp" in the payload), or requireExpiration: false for a token that never expires',
      ),
    );
    // Other claims set by options are no exp.
    await expect(
      sign({ sub: "alice" }, SECRET, { ...at, notBefore: 0, issuer: "i", type: "ATK" }),
    ).rejects.toThrow(/^token has no "exp"/);
    const forever = await sign({ sub: "alice" }, SECRET, { ...at, requireExpiration: false });
    expect(decodeUnverified(forever).payload).toEqual({ sub: "alice", iat: NOW_SECONDS });
    const inPayload = await sign({ sub: "alice", exp: EXP }, SECRET, at);
    expect((await verify(inPayload, SECRET, at)).payload.exp).toBe(EXP);
  });

  it("does not change the payload it is given", async () => {
    const payload = { sub: "alice", nested: { a: 1 } };
    await sign(payload, SECRET, { ...at, expiresIn: "1h", issuer: "i" });
    expect(payload).toEqual({ sub: "alice", nested: { a: 1 } });
  });

  it("refuses an unknown duration unit or a non-finite number with a clear TypeError", async () => {
    await expect(sign({}, SECRET, { expiresIn: "15min" })).rejects.toThrow(
      new TypeError(
        'expiresIn must be seconds or a duration such as "30s", "15m", "2h", "7d" or "1w", got "15min"',
      ),
    );
    await expect(sign({}, SECRET, { notBefore: "1y" })).rejects.toThrow(/^notBefore must be/);
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(sign({}, SECRET, { expiresIn: value })).rejects.toThrow(
        new TypeError(`expiresIn must be a finite number of seconds, got ${value}`),
      );
    }
  });

  it("refuses a payload that is not a plain object with a TypeError", async () => {
    class Claims {
      sub = "alice";
    }
    const values: unknown[] = [
      [],
      [{ sub: "a" }],
      null,
      undefined,
      "payload",
      42,
      true,
      new Date(),
      new Claims(),
      new Map([["sub", "a"]]),
      Object.create({ sub: "a" }),
      () => ({}),
    ];
    for (const value of values) {
      await expect(sign(value as object, SECRET)).rejects.toThrow(
        new TypeError("payload must be a plain JSON object"),
      );
    }
  });

  it("accepts an object without a prototype", async () => {
    const payload = Object.assign(Object.create(null) as object, { sub: "alice" });
    const token = await sign(payload, SECRET, { ...at, expiresIn: 60 });
    expect((await verify(token, SECRET, at)).payload.sub).toBe("alice");
  });

  it("refuses an option that sets a claim the payload already has", async () => {
    const conflicts: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{ exp: EXP }, { expiresIn: 60 }, 'options.expiresIn sets "exp"'],
      [{ nbf: NOW_SECONDS }, { notBefore: 0 }, 'options.notBefore sets "nbf"'],
      [{ iss: "a" }, { issuer: "a" }, 'options.issuer sets "iss"'],
      [{ aud: "a" }, { audience: "b" }, 'options.audience sets "aud"'],
      [{ sub: "a" }, { subject: "a" }, 'options.subject sets "sub"'],
      [{ jti: "a" }, { jwtId: "b" }, 'options.jwtId sets "jti"'],
      [{ type: "ATK" }, { type: "RTK" }, 'options.type sets "type"'],
    ];
    for (const [payload, options, message] of conflicts) {
      await expect(sign(payload, SECRET, { ...at, ...options })).rejects.toThrow(
        new TypeError(`${message}, which the payload already has`),
      );
    }
  });

  it("refuses registered claims of the wrong type, in the payload or the options", async () => {
    await expect(sign({ exp: "tomorrow" }, SECRET)).rejects.toThrow(
      new TypeError('"exp" claim has the wrong type'),
    );
    // The payload's own wrong type is what is reported, not the clash with the option.
    await expect(sign({ exp: "tomorrow" }, SECRET, { expiresIn: 60 })).rejects.toThrow(
      new TypeError('"exp" claim has the wrong type'),
    );
    await expect(sign({ aud: [1] }, SECRET)).rejects.toThrow(/"aud" claim/);
    await expect(sign({}, SECRET, { issuer: 5 as unknown as string })).rejects.toThrow(
      new TypeError('"iss" claim has the wrong type'),
    );
    await expect(sign({}, SECRET, { audience: [7] as unknown as string[] })).rejects.toThrow(
      new TypeError('"aud" claim has the wrong type'),
    );
  });

  it("refuses an invalid now with a TypeError", async () => {
    await expect(sign({}, SECRET, { now: new Date("nope") })).rejects.toThrow(TypeError);
  });

  // The claims it adds are written after the payload's own, in a fixed order.
  it("writes the payload's claims, then iat, then those of the options, as JSON", async () => {
    const payloadOf = async (payload: object, options: SignOptions) =>
      Buffer.from(
        segments(await sign(payload, SECRET, { ...at, ...options }))[1],
        "base64url",
      ).toString();
    expect(
      await payloadOf(
        { role: "admin", n: [1, "é"] },
        {
          expiresIn: 60,
          notBefore: 0,
          issuer: "i",
          audience: ["a", "b"],
          subject: "s",
          jwtId: "j",
          type: "ATK",
        },
      ),
    ).toBe(
      `{"role":"admin","n":[1,"é"],"iat":${NOW_SECONDS},"exp":${EXP},"nbf":${NOW_SECONDS},"iss":"i","aud":["a","b"],"sub":"s","jti":"j","type":"ATK"}`,
    );
    expect(await payloadOf({}, { expiresIn: 60 })).toBe(`{"iat":${NOW_SECONDS},"exp":${EXP}}`);
    expect(await payloadOf({ iat: 5, exp: 6 }, {})).toBe('{"iat":5,"exp":6}');
    // A claim the payload holds as undefined is absent: the option sets it, once.
    expect(await payloadOf({ exp: undefined, sub: "a" }, { expiresIn: 60 })).toBe(
      `{"sub":"a","iat":${NOW_SECONDS},"exp":${EXP}}`,
    );
  });

  // toJSON would write something else than the claims that were checked.
  it("refuses a payload with a toJSON", async () => {
    const payloads = [{ sub: "a", toJSON: () => ({ sub: "b" }) }, { toJSON: () => 5 }];
    for (const payload of payloads) {
      await expect(sign(payload, SECRET, { ...at, expiresIn: 60 })).rejects.toThrow(
        new TypeError("payload must be a plain JSON object"),
      );
    }
  });

  it("refuses an exp from expiresIn that is no finite number", async () => {
    await expect(
      sign({ iat: Number.MAX_VALUE }, SECRET, { expiresIn: Number.MAX_VALUE }),
    ).rejects.toThrow(new TypeError('"exp" claim has the wrong type'));
    await expect(
      sign({}, SECRET, { ...at, type: 7 as unknown as string, expiresIn: 60 }),
    ).rejects.toThrow(new TypeError('"type" claim has the wrong type'));
  });
});

describe("verify", () => {
  it("returns the header and payload of a good token", async () => {
    const token = await sign({ sub: "alice", role: "admin" }, SECRET, { ...at, expiresIn: 60 });
    const result = await verify<{ role: string }>(token, SECRET, at);
    expect(result).toEqual({
      header: { alg: "HS256", typ: "JWT" },
      payload: { sub: "alice", role: "admin", iat: NOW_SECONDS, exp: EXP },
    });
    expect(result.payload.role).toBe("admin");
  });

  it("reads the system clock without the now option", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
    const real = NOW_SECONDS;
    await expect(verify(tokenFor({ exp: real + 120 }), SECRET)).resolves.toBeDefined();
    await expect(verify(tokenFor({ exp: real - 120 }), SECRET)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_EXPIRED",
    });
  });

  it("refuses an invalid now with a TypeError", async () => {
    await expect(
      verify(tokenFor({ exp: EXP }), SECRET, { now: new Date(Number.NaN) }),
    ).rejects.toThrow(TypeError);
  });

  it.each([
    ["null options", null],
    ["options that are a string", "strict"],
    ["an hmac backend that is no object", { hmac: "node" }],
  ])("refuses %s with a TypeError, never taking them for the defaults", async (_, options) => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
    const token = tokenFor({ exp: EXP });
    await expect(verify(token, SECRET, options as never)).rejects.toThrow(TypeError);
  });

  it.each([null, "strict"])("says options %j must be an object", async (options) => {
    const token = tokenFor({ exp: EXP });
    await expect(verify(token, SECRET, options as never)).rejects.toThrow(
      new TypeError("options must be an object"),
    );
  });

  it("checks the claim options", async () => {
    const token = await sign({}, SECRET, {
      ...at,
      expiresIn: 60,
      issuer: "i",
      audience: "a",
      subject: "s",
      type: "ATK",
    });
    const options = { ...at, issuer: "i", audience: "a", subject: "s", type: "ATK" };
    await expect(verify(token, SECRET, options)).resolves.toBeDefined();
    expect(
      (await expectJwtError(verify(token, SECRET, { ...options, issuer: "x" }), "ERR_JWT_CLAIM"))
        .claim,
    ).toBe("iss");
    expect(
      (
        await expectJwtError(
          verify(token, SECRET, { ...options, audience: ["x"] }),
          "ERR_JWT_CLAIM",
        )
      ).claim,
    ).toBe("aud");
    expect(
      (await expectJwtError(verify(token, SECRET, { ...options, subject: "x" }), "ERR_JWT_CLAIM"))
        .claim,
    ).toBe("sub");
    const typed = await expectJwtError(
      verify(token, SECRET, { ...options, type: "RTK" }),
      "ERR_JWT_TYPE",
    );
    expect(typed).toMatchObject({ expected: ["RTK"], actual: "ATK" });
    expect(
      (
        await expectJwtError(
          verify(token, SECRET, { ...options, requiredClaims: ["jti"] }),
          "ERR_JWT_CLAIM",
        )
      ).claim,
    ).toBe("jti");
  });

  describe("form", () => {
    it("refuses a token that is not a string", async () => {
      for (const token of [undefined, null, 1, {}, ["a", "b", "c"], new Uint8Array(3)]) {
        const error = await expectJwtError(
          verify(token as string, SECRET, at),
          "ERR_JWT_MALFORMED",
        );
        expect(error.message).toBe("token must be a string");
      }
    });

    it("refuses a token without exactly three segments", async () => {
      const [h, p, s] = segments(tokenFor({ exp: EXP }));
      for (const token of [
        "",
        h,
        `${h}.${p}`,
        `${h}.${p}.${s}.`,
        `${h}.${p}.${s}.${s}`,
        `${h}..${p}.${s}`,
      ]) {
        await expect(verify(token, SECRET, at)).rejects.toMatchObject({
          name: "JwtError",
          code: "ERR_JWT_MALFORMED",
        });
      }
    });

    it("refuses a signed token whose header or payload is not strict base64url", async () => {
      const header = b64url(HEADER);
      const payload = b64url(JSON.stringify({ exp: EXP, pad: "ab" }));
      expect(payload.length % 4).not.toBe(0);
      const variants: [string, string][] = [
        [`${header}=`, payload],
        [` ${header}`, payload],
        [header, `${payload}=`],
        [header, `${payload}\n`],
        [header, payload.replace(/[A-Za-z0-9]/, "+")],
      ];
      for (const [h, p] of variants) {
        const input = `${h}.${p}`;
        await expect(verify(`${input}.${hmac(input, SECRET)}`, SECRET, at)).rejects.toMatchObject({
          name: "JwtError",
          code: "ERR_JWT_MALFORMED",
        });
      }
    });

    it("refuses a signature that is not strict base64url", async () => {
      const token = tokenFor({ exp: EXP });
      await expect(verify(`${token}=`, SECRET, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_MALFORMED",
      });
      await expect(verify(`${token.slice(0, -1)}/`, SECRET, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_MALFORMED",
      });
    });
  });

  describe("header", () => {
    it("refuses a header that is not a UTF-8 JSON object", async () => {
      const payload = JSON.stringify({ exp: EXP });
      const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"alg":"HS256"}')]);
      const badUtf8 = Uint8Array.from([
        ...Buffer.from('{"alg":"HS256","x":"'),
        0xff,
        ...Buffer.from('"}'),
      ]);
      for (const header of ["[]", '["HS256"]', "null", '"HS256"', "1", "", "{", bom, badUtf8]) {
        await expect(verify(rawToken(header, payload), SECRET, at)).rejects.toMatchObject({
          name: "JwtError",
          code: "ERR_JWT_MALFORMED",
        });
      }
    });
  });

  describe("payload", () => {
    it("refuses a signed payload that is not a UTF-8 JSON object", async () => {
      const bom = Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from(JSON.stringify({ exp: EXP }))]);
      const badUtf8 = Uint8Array.from([
        ...Buffer.from(`{"exp":${EXP},"x":"`),
        0xc3,
        0x28,
        ...Buffer.from('"}'),
      ]);
      const surrogate = Uint8Array.from([
        ...Buffer.from(`{"exp":${EXP},"x":"`),
        0xed,
        0xb0,
        0x80,
        ...Buffer.from('"}'),
      ]);
      for (const payload of [
        "[]",
        `[{"exp":${EXP}}]`,
        "null",
        '"text"',
        "42",
        "true",
        "",
        "{",
        "not json",
        bom,
        badUtf8,
        surrogate,
      ]) {
        await expect(verify(rawToken(HEADER, payload), SECRET, at)).rejects.toMatchObject({
          name: "JwtError",
          code: "ERR_JWT_MALFORMED",
        });
      }
    });

    it("accepts a payload that is the same JSON without the BOM or bad bytes", async () => {
      // The counterpart of the test above: the refusals come from the bytes, not the claims.
      const payload = Buffer.from(`{"exp":${EXP},"x":"é"}`);
      expect((await verify(rawToken(HEADER, payload), SECRET, at)).payload.x).toBe("é");
    });
  });

  describe("signature first", () => {
    it("checks the signature with crypto.subtle.verify before reading the payload", async () => {
      const spy = vi.spyOn(crypto.subtle, "verify");
      const input = `${b64url(HEADER)}.${b64url("this is {not json")}`;
      const wrong = `${input}.${hmac(input, `${SECRET}-other`)}`;
      await expect(verify(wrong, SECRET, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_SIGNATURE",
      });
      expect(spy).toHaveBeenCalledTimes(1);
      // With the right signature, the same payload is read and refused.
      await expect(verify(`${input}.${hmac(input, SECRET)}`, SECRET, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_MALFORMED",
      });
    });

    it("gives ERR_JWT_MALFORMED, not SIGNATURE, for a payload that is not even base64url", async () => {
      const input = `${b64url(HEADER)}.%%% not base64 %%%`;
      await expect(
        verify(`${input}.${hmac(input, `${SECRET}-other`)}`, SECRET, at),
      ).rejects.toMatchObject({ name: "JwtError", code: "ERR_JWT_MALFORMED" });
    });

    it("gives ERR_JWT_SIGNATURE, not a claim error, for a forged token with bad claims", async () => {
      const other = `${SECRET}-other`;
      const forged: Record<string, unknown>[] = [
        { exp: NOW_SECONDS - 10 },
        { exp: EXP, nbf: NOW_SECONDS + 100 },
        { exp: "soon" },
        { sub: "no exp" },
        { exp: EXP, type: "RTK" },
      ];
      const spy = vi.spyOn(crypto.subtle, "verify");
      for (const claims of forged) {
        await expect(
          verify(tokenFor(claims, other), SECRET, { ...at, type: "ATK" }),
        ).rejects.toMatchObject({ name: "JwtError", code: "ERR_JWT_SIGNATURE" });
      }
      expect(spy).toHaveBeenCalledTimes(forged.length);
      // Signed with the right secret, the same tokens fail on their claims.
      await expect(verify(tokenFor(forged[0] as object), SECRET, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_EXPIRED",
      });
    });

    it("refuses a token signed with another secret or changed after signing", async () => {
      const token = await sign({ sub: "alice" }, SECRET, { ...at, expiresIn: 60 });
      await expect(verify(token, `${SECRET}x`, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_SIGNATURE",
      });
      const [h, , s] = segments(token);
      const changed = b64url(JSON.stringify({ sub: "admin", iat: NOW_SECONDS, exp: EXP }));
      await expect(verify(`${h}.${changed}.${s}`, SECRET, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_SIGNATURE",
      });
      await expect(verify(`${h}.${segments(token)[1]}.`, SECRET, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_SIGNATURE",
      });
    });
  });

  describe("secret function", () => {
    const keys: Record<string, string> = {
      "2024": "first-secret-0123456789abcdef0123456789",
      "2025": "second-secret-0123456789abcdef012345678",
    };

    it("picks the key by kid, sync or async", async () => {
      const resolver = vi.fn((header: JwtHeader) => keys[header.kid as string] as string);
      const asyncResolver = async (header: JwtHeader) =>
        new TextEncoder().encode(keys[header.kid as string]);
      for (const kid of ["2024", "2025"]) {
        const token = await sign({ sub: kid }, keys[kid] as string, {
          ...at,
          expiresIn: 60,
          keyId: kid,
        });
        expect((await verify(token, resolver, at)).payload.sub).toBe(kid);
        expect((await verify(token, asyncResolver, at)).payload.sub).toBe(kid);
      }
      expect(resolver).toHaveBeenCalledTimes(2);
      expect(resolver).toHaveBeenLastCalledWith({ alg: "HS256", typ: "JWT", kid: "2025" });
    });

    it("refuses a token whose kid names another key", async () => {
      const token = await sign({}, keys["2024"] as string, { ...at, expiresIn: 60, keyId: "2025" });
      await expect(verify(token, (h) => keys[h.kid as string] as string, at)).rejects.toMatchObject(
        { name: "JwtError", code: "ERR_JWT_SIGNATURE" },
      );
    });

    it("passes on what the function throws, and checks the secret it returns", async () => {
      const token = await sign({}, SECRET, { ...at, expiresIn: 60, keyId: "gone" });
      const unknown = new JwtError("ERR_JWT_KEY", "unknown kid");
      await expect(verify(token, () => Promise.reject(unknown), at)).rejects.toBe(unknown);
      await expect(verify(token, () => "short", at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_KEY",
      });
      await expect(verify(token, () => 5 as unknown as Secret, at)).rejects.toBeInstanceOf(
        TypeError,
      );
    });

    it.each([undefined, null])(
      "refuses a token whose kid the function knows no key for (%s) with ERR_JWT_KEY",
      async (none) => {
        const token = await sign({}, SECRET, { ...at, expiresIn: 60, keyId: "unknown" });
        await expect(verify(token, () => none, at)).rejects.toMatchObject({
          name: "JwtError",
          code: "ERR_JWT_KEY",
          message: "no key for this token's key id",
        });
        await expect(verify(token, async () => none, at)).rejects.toMatchObject({
          name: "JwtError",
          code: "ERR_JWT_KEY",
        });
      },
    );

    it("is not called for a token whose header is refused", async () => {
      const resolver = vi.fn(() => SECRET);
      await expect(verify(rawToken('{"alg":"none"}', "{}"), resolver, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_ALGORITHM",
      });
      await expect(verify("a.b", resolver, at)).rejects.toMatchObject({
        name: "JwtError",
        code: "ERR_JWT_MALFORMED",
      });
      expect(resolver).not.toHaveBeenCalled();
    });
  });
});

describe("prototype pollution", () => {
  const header =
    '{"alg":"HS256","__proto__":{"polluted":"header"},"constructor":{"prototype":{"polluted":"header"}}}';
  const payload = `{"sub":"alice","exp":${EXP},"__proto__":{"polluted":"payload","isAdmin":true},"constructor":{"prototype":{"polluted":"payload"}}}`;

  function expectClean(): void {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
    expect(Object.hasOwn(Object.prototype, "isAdmin")).toBe(false);
  }

  it("decodeUnverified reads them as plain keys", () => {
    const result = decodeUnverified(rawToken(header, payload));
    expectClean();
    expect(result.payload.isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(result.payload)).toBe(Object.prototype);
  });

  it("sign keeps them as plain keys", async () => {
    const claims = JSON.parse(
      '{"sub":"alice","__proto__":{"polluted":"sign"},"constructor":{"prototype":{"polluted":"sign"}}}',
    );
    const token = await sign(claims, SECRET, { ...at, expiresIn: 60 });
    expectClean();
    const result = await verify(token, SECRET, at);
    expect(result.payload).toEqual(
      JSON.parse(JSON.stringify({ ...claims, iat: NOW_SECONDS, exp: EXP })),
    );
    expect(Buffer.from(segments(token)[1], "base64url").toString()).toContain(
      '"__proto__":{"polluted":"sign"}',
    );
    expectClean();
  });
});

describe("length limit", () => {
  it("defaults to 8192 characters, inclusive", async () => {
    // Grow a padding claim until the token is exactly as long as the default limit.
    let token = "";
    for (let pad = 0; token.length < 8192; pad++) {
      token = tokenFor({ exp: EXP, pad: "p".repeat(pad) });
    }
    expect(token.length).toBe(8192);
    await expect(verify(token, SECRET, at)).resolves.toBeDefined();
    expect(decodeUnverified(token).payload.exp).toBe(EXP);
    const longer = tokenFor({ exp: EXP, pad: "p".repeat(6200) });
    expect(longer.length).toBeGreaterThan(8192);
    await expect(verify(longer, SECRET, at)).rejects.toMatchObject({
      name: "JwtError",
      code: "ERR_JWT_MALFORMED",
    });
    throwsWith(() => decodeUnverified(longer), "ERR_JWT_MALFORMED");
    await expect(verify(longer, SECRET, { ...at, maxTokenLength: 10_000 })).resolves.toBeDefined();
  });

  it("applies maxTokenLength, inclusive", async () => {
    const token = tokenFor({ exp: EXP });
    await expect(
      verify(token, SECRET, { ...at, maxTokenLength: token.length }),
    ).resolves.toBeDefined();
    const error = await expectJwtError(
      verify(token, SECRET, { ...at, maxTokenLength: token.length - 1 }),
      "ERR_JWT_MALFORMED",
    );
    expect(error.message).toBe(`token is longer than ${token.length - 1} characters`);
  });
});

describe("decodeUnverified", () => {
  it("returns header and payload synchronously, without checking signature, alg or claims", () => {
    const subtleVerify = vi.spyOn(crypto.subtle, "verify");
    const token = `${b64url('{"alg":"none","kid":"k"}')}.${b64url(`{"sub":"a","exp":1}`)}.`;
    const result = decodeUnverified(token);
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({ header: { alg: "none", kid: "k" }, payload: { sub: "a", exp: 1 } });
    const forged = `${b64url(HEADER)}.${b64url('{"sub":"b"}')}.${hmac("x", SECRET)}`;
    expect(decodeUnverified(forged).payload).toEqual({ sub: "b" });
    expect(subtleVerify).not.toHaveBeenCalled();
  });

  it("parses as strictly as verify", () => {
    const good = b64url('{"a":1}');
    const bom = b64url(Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"a":1}')]));
    const bad = [
      42 as unknown as string,
      "a.b",
      `${good}.${good}.x.y`,
      `${good}=.${good}.`,
      `${good}.${good}=.`,
      `${good}.${b64url("[1]")}.`,
      `${b64url("null")}.${good}.`,
      `${good}.${bom}.`,
      `${bom}.${good}.`,
      `${good}.${b64url(Uint8Array.from([0x7b, 0xff, 0x7d]))}.`,
      `${good}.${good}. `,
      `${good}.${good}.=`,
      `${good}.${good}.!!!`,
      `${good}.${good}.${hmac("x", SECRET)}=`,
    ];
    for (const token of bad) throwsWith(() => decodeUnverified(token), "ERR_JWT_MALFORMED");
    expect(decodeUnverified(`${good}.${good}.`)).toEqual({ header: { a: 1 }, payload: { a: 1 } });
  });
});

describe("error messages", () => {
  const DISTINCT = "Tr0ub4dor&3-correct-horse-battery-staple-9f8e7d";
  const SHORT_DISTINCT = "Zq9-unmistakable";

  async function failures(): Promise<[unknown, string | undefined][]> {
    const other = "another-secret-that-is-long-enough-000000";
    const foreign = await sign({ sub: "a" }, other, { ...at, expiresIn: 60 });
    const good = await sign({ sub: "alice", type: "ATK" }, DISTINCT, {
      ...at,
      expiresIn: 60,
      issuer: "i",
    });
    const cases: [() => Promise<unknown>, string | undefined][] = [
      [() => verify(foreign, DISTINCT, at), foreign],
      [() => verify(tokenFor({ exp: NOW_SECONDS - 1 }, DISTINCT), DISTINCT, at), undefined],
      [() => verify(tokenFor({ exp: EXP, nbf: EXP }, DISTINCT), DISTINCT, at), undefined],
      [() => verify(tokenFor({ exp: "x" }, DISTINCT), DISTINCT, at), undefined],
      [() => verify(tokenFor({ sub: "a" }, DISTINCT), DISTINCT, at), undefined],
      [() => verify(good, DISTINCT, { ...at, issuer: "other" }), good],
      [() => verify(good, DISTINCT, { ...at, audience: "other" }), good],
      [() => verify(good, DISTINCT, { ...at, subject: "bob" }), good],
      [() => verify(good, DISTINCT, { ...at, type: "RTK" }), good],
      [() => verify(good, DISTINCT, { ...at, requiredClaims: ["jti"] }), good],
      [() => verify(good, DISTINCT, { ...at, maxTokenAge: -1 }), good],
      [() => verify(good, DISTINCT, { ...at, maxTokenLength: 10 }), good],
      [() => verify(`${good}x`, DISTINCT, at), `${good}x`],
      [() => verify(good.replace(".", "!."), DISTINCT, at), good.replace(".", "!.")],
      [() => verify(rawToken('{"alg":"none"}', "{}", DISTINCT), DISTINCT, at), undefined],
      [() => verify(rawToken(HEADER, "[]", DISTINCT), DISTINCT, at), undefined],
      [() => verify(good, SHORT_DISTINCT, at), good],
      [() => verify(good, () => SHORT_DISTINCT, at), good],
      [() => verify(good, new TextEncoder().encode(SHORT_DISTINCT), at), good],
      [() => sign({}, SHORT_DISTINCT), undefined],
      [() => sign({}, new TextEncoder().encode(SHORT_DISTINCT).buffer as ArrayBuffer), undefined],
      [() => importSecret(SHORT_DISTINCT), undefined],
      [() => sign({}, DISTINCT, { expiresIn: "forever" }), undefined],
      [() => sign([], DISTINCT), undefined],
      [() => sign({ iss: "a" }, DISTINCT, { issuer: "b" }), undefined],
      [() => sign({}, { secret: DISTINCT } as unknown as string), undefined],
    ];
    const results: [unknown, string | undefined][] = [];
    for (const [run, token] of cases) {
      results.push([
        await run().then(
          () => undefined,
          (e: unknown) => e,
        ),
        token,
      ]);
    }
    return results;
  }

  it("never contain the secret", async () => {
    const results = await failures();
    expect(results).toHaveLength(26);
    for (const [error] of results) {
      expect(error).toBeInstanceOf(Error);
      const text = `${String(error)}\n${inspect(error, { depth: 5 })}`;
      for (const secret of [DISTINCT, SHORT_DISTINCT]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice(0, 8));
        expect(text).not.toContain(b64url(secret));
      }
    }
  });

  it("never contain the token beyond a short prefix", async () => {
    const results = await failures();
    let checked = 0;
    for (const [error, token] of results) {
      if (token === undefined) continue;
      checked++;
      const text = `${String(error)}\n${inspect(error, { depth: 5 })}`;
      const [, payload, signature] = token.split(".");
      expect(text).not.toContain(payload);
      expect(text).not.toContain(signature);
      for (let i = 0; i + 16 <= token.length; i++) {
        expect(text).not.toContain(token.slice(i, i + 16));
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe("sign refuses options it would write wrongly", () => {
  const secret = "s".repeat(32);
  it("refuses a type claim or option that is not a string", async () => {
    await expect(sign({ sub: "a" }, secret, { expiresIn: 60, type: 5 as never })).rejects.toThrow(
      /"type" claim/,
    );
    await expect(sign({ sub: "a", type: ["ATK"] }, secret, { expiresIn: 60 })).rejects.toThrow(
      TypeError,
    );
    await expect(sign({ sub: "a", type: "ATK" }, secret, { expiresIn: 60 })).resolves.toMatch(/\./);
  });

  it("refuses a keyId that is not a string", async () => {
    await expect(sign({ sub: "a" }, secret, { expiresIn: 60, keyId: 7 as never })).rejects.toThrow(
      /keyId/,
    );
  });

  it("refuses a negative clockTolerance or maxTokenAge", async () => {
    const issuedAt = NOW;
    const token = await sign({ sub: "a" }, secret, { expiresIn: 60, now: issuedAt });
    await expect(verify(token, secret, { clockTolerance: -5 })).rejects.toThrow(
      /clockTolerance must not be negative/,
    );
    await expect(verify(token, secret, { maxTokenAge: "-1m" })).rejects.toThrow(
      /maxTokenAge must not be negative/,
    );
    await expect(
      verify(token, secret, { clockTolerance: 0, maxTokenAge: 0, now: issuedAt }),
    ).resolves.toBeDefined();
  });
});
