import { afterEach, describe, expect, it, vi } from "vitest";
import { encodeBase64url } from "../../src/jwt/base64url.js";
import { type HmacBackend, webCryptoHmac } from "../../src/jwt/hmac.js";
import {
  encodeHeader,
  encodeText,
  mac,
  parseHeader,
  parseSegment,
  requireMatch,
  splitToken,
  verifySignature,
} from "../../src/jwt/jws.js";
import { importSecret } from "../../src/jwt/key.js";
import { b64url, hmac, SECRET, throwsWith } from "../support/signed.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function fromB64url(segment: string): string {
  return Buffer.from(segment, "base64url").toString("utf8");
}

function segment(json: string | Uint8Array): string {
  return b64url(json);
}

describe("encodeText and encodeHeader", () => {
  it("encodes UTF-8 text as base64url", () => {
    const text = '{"name":"Zoë 🌍","q":"a?b/c+d"}';
    expect(encodeText(text)).toBe(b64url(text));
  });

  it("writes the header {alg: HS256, typ: JWT}", () => {
    expect(fromB64url(encodeHeader())).toBe('{"alg":"HS256","typ":"JWT"}');
  });

  it("adds kid when a key id is given", () => {
    expect(fromB64url(encodeHeader("key-2025"))).toBe(
      '{"alg":"HS256","typ":"JWT","kid":"key-2025"}',
    );
    expect(JSON.parse(fromB64url(encodeHeader('a"b\\c')))).toEqual({
      alg: "HS256",
      typ: "JWT",
      kid: 'a"b\\c',
    });
    expect(JSON.parse(fromB64url(encodeHeader("")))).toEqual({ alg: "HS256", typ: "JWT", kid: "" });
  });
});

describe("splitToken (RFC 7515 section 7.1)", () => {
  it("finds the two dots of three segments", () => {
    expect(splitToken("AA.AAAA.AQ", 100)).toEqual({ token: "AA.AAAA.AQ", dot1: 2, dot2: 7 });
    expect(splitToken("..", 100)).toEqual({ token: "..", dot1: 0, dot2: 1 });
  });

  it("refuses anything but exactly three segments", () => {
    for (const token of ["", "abc", "a.b", "a.b.c.d", "a..b.c", "...", "a.b.c."]) {
      const error = throwsWith(() => splitToken(token, 100), "ERR_JWT_MALFORMED");
      expect(error.message).toBe("token must have three dot-separated segments");
    }
  });

  it("refuses a non-string token", () => {
    for (const token of [undefined, null, 42, {}, ["a", "b", "c"], new String("a.b.c")]) {
      const error = throwsWith(() => splitToken(token, 100), "ERR_JWT_MALFORMED");
      expect(error.message).toBe("token must be a string");
    }
  });

  it("refuses a token longer than the limit, and accepts one at the limit", () => {
    expect(splitToken("AA.AA.AA", 8).dot2).toBe(5);
    const error = throwsWith(() => splitToken("AA.AA.AAA", 8), "ERR_JWT_MALFORMED");
    expect(error.message).toBe("token is longer than 8 characters");
  });

  // RFC 7515 section 5.2: every segment must decode before anything else is done,
  // so a payload or signature of the wrong form is malformed, not a bad signature.
  const good = segment('{"a":1}');
  const notStrict = [`${good}=`, `${good} `, good.replace("e", "+"), `${good}B`, "!!!", "AB"];
  it.each(["header", "payload", "signature"] as const)(
    "refuses a %s that is not strict base64url",
    (what) => {
      for (const bad of notStrict) {
        const parts = [good, good, good];
        parts[["header", "payload", "signature"].indexOf(what)] = bad;
        const error = throwsWith(() => splitToken(parts.join("."), 100), "ERR_JWT_MALFORMED");
        expect(error.message).toBe(`${what} is not valid base64url`);
      }
    },
  );
});

describe("parseSegment", () => {
  const parse = (json: string | Uint8Array) => {
    const text = `x.${segment(json)}.y`;
    return parseSegment(text, 2, text.length - 2, "payload");
  };

  it("reads a UTF-8 JSON object", () => {
    expect(parse('{"sub":"Zoë","n":1,"nested":{"a":[1,2]}}')).toEqual({
      sub: "Zoë",
      n: 1,
      nested: { a: [1, 2] },
    });
    expect(parse(" {} ")).toEqual({});
  });

  it("refuses JSON that is not an object", () => {
    for (const json of ["[]", '[{"a":1}]', "null", '"text"', "42", "true", "false"]) {
      const error = throwsWith(() => parse(json), "ERR_JWT_MALFORMED");
      expect(error.message).toBe("payload must be a JSON object");
    }
  });

  it("refuses text that is not JSON", () => {
    for (const json of ["", "{", '{"a":1}x', "{'a':1}", '{"a":1,}', "undefined", "{a:1}"]) {
      const error = throwsWith(() => parse(json), "ERR_JWT_MALFORMED");
      expect(error.message).toBe("payload is not UTF-8 JSON");
    }
  });

  it("refuses bytes that are not UTF-8", () => {
    const invalid = [
      [0xff], // never valid
      [0xc3], // truncated sequence
      [0xc0, 0xa2], // overlong encoding of '"'
      [0xed, 0xa0, 0x80], // encoded surrogate
      [0xf4, 0x90, 0x80, 0x80], // beyond U+10FFFF
    ];
    for (const bytes of invalid) {
      const json = Uint8Array.from([...Buffer.from('{"a":"'), ...bytes, ...Buffer.from('"}')]);
      const error = throwsWith(() => parse(json), "ERR_JWT_MALFORMED");
      expect(error.message).toBe("payload is not UTF-8 JSON");
    }
  });

  it("refuses a UTF-8 byte order mark", () => {
    const json = Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"a":1}')]);
    const error = throwsWith(() => parse(json), "ERR_JWT_MALFORMED");
    expect(error.message).toBe("payload is not UTF-8 JSON");
  });

  it("keeps __proto__ as a plain own key", () => {
    const value = parse('{"__proto__":{"polluted":true},"a":1}');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((value as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("parseHeader", () => {
  const header = (json: string) => {
    const token = `${segment(json)}.e30.sig`;
    return parseHeader({ token, dot1: token.indexOf("."), dot2: token.lastIndexOf(".") });
  };

  it("accepts alg HS256 with other parameters", () => {
    expect(header('{"alg":"HS256"}')).toEqual({ alg: "HS256" });
    expect(header('{"typ":"JWT",\r\n "alg":"HS256","kid":"k","cty":"x"}')).toEqual({
      typ: "JWT",
      alg: "HS256",
      kid: "k",
      cty: "x",
    });
  });

  it.each(["1", "null", "true", '["k"]', '{"id":"k"}'])(
    "refuses a kid that is not a string (%s), before any key is looked up",
    (kid) => {
      const error = throwsWith(() => header(`{"alg":"HS256","kid":${kid}}`), "ERR_JWT_MALFORMED");
      expect(error.message).toBe('header "kid" must be a string');
    },
  );

  it("refuses a header that is not a JSON object", () => {
    for (const json of ["[]", "null", '"HS256"', "1"]) {
      const error = throwsWith(() => header(json), "ERR_JWT_MALFORMED");
      expect(error.message).toBe("header must be a JSON object");
    }
    expect(throwsWith(() => header("{"), "ERR_JWT_MALFORMED").message).toBe(
      "header is not UTF-8 JSON",
    );
  });

  it('refuses any alg but exactly "HS256" with ERR_JWT_ALGORITHM', () => {
    for (const json of ['{"alg":"none"}', '{"alg":"hs256"}', '{"typ":"JWT"}']) {
      const error = throwsWith(() => header(json), "ERR_JWT_ALGORITHM");
      expect(error.message).toBe('header "alg" must be "HS256"');
    }
  });

  // RFC 7515 section 4.1.11: no extension is understood, so any crit is refused.
  it("refuses a header with crit with ERR_JWT_ALGORITHM", () => {
    const error = throwsWith(() => header('{"alg":"HS256","crit":["exp"]}'), "ERR_JWT_ALGORITHM");
    expect(error.message).toBe('header "crit" is not supported');
  });

  it("decodes a header that only begins like the usual one", () => {
    // The usual header is 27 bytes, so its 36 characters end on a whole group:
    // what follows decodes to bytes after its closing brace.
    const token = `${encodeHeader()}${segment("xx")}.e30.sig`;
    const parts = { token, dot1: token.indexOf("."), dot2: token.lastIndexOf(".") };
    const error = throwsWith(() => parseHeader(parts), "ERR_JWT_MALFORMED");
    expect(error.message).toBe("header is not UTF-8 JSON");
  });
});

describe("mac, verifySignature and requireMatch", () => {
  const input = `${encodeHeader()}.${encodeText('{"sub":"alice"}')}`;

  it("computes HMAC SHA-256 of the signing input", async () => {
    const key = await importSecret(SECRET);
    expect(encodeBase64url(await mac(key, input, webCryptoHmac))).toBe(hmac(input, SECRET));
  });

  // Handing a new array to native code costs more than the HMAC, so one buffer is
  // reused up to 64 KiB; a larger one serves its call only and is not kept.
  it("reuses one buffer for signing inputs up to 65536 bytes, and never keeps a larger one", () => {
    const buffers: ArrayBufferLike[] = [];
    const recording: HmacBackend<null> = {
      importKey: () => null,
      sign: (_key, data) => {
        buffers.push(data.buffer);
        return new Uint8Array(32);
      },
      verify: () => false,
    };
    for (const size of [65536, 65536, 65537, 1]) mac(null, "a".repeat(size), recording);
    const [kept, again, large, small] = buffers;
    expect(kept?.byteLength).toBe(65536);
    expect(again).toBe(kept);
    expect(large?.byteLength).toBe(65537);
    expect(small).toBe(kept);
  });

  it("accepts the right signature through crypto.subtle.verify", async () => {
    const key = await importSecret(SECRET);
    const spy = vi.spyOn(crypto.subtle, "verify");
    const token = `${input}.${hmac(input, SECRET)}`;
    const matches = await verifySignature(
      key,
      { token, dot1: token.indexOf("."), dot2: input.length },
      webCryptoHmac,
    );
    expect(matches).toBe(true);
    expect(spy).toHaveBeenCalledTimes(1);
    const [algorithm, usedKey, signature, data] = spy.mock.calls[0] ?? [];
    expect(algorithm).toBe("HMAC");
    expect(usedKey).toBe(key);
    expect(new Uint8Array(signature as Uint8Array)).toEqual(
      new Uint8Array(Buffer.from(hmac(input, SECRET), "base64url")),
    );
    expect(new TextDecoder().decode(data as Uint8Array)).toBe(input);
  });

  it("refuses a wrong signature with ERR_JWT_SIGNATURE", async () => {
    const key = await importSecret(SECRET);
    const parts = (signature: string) => {
      const token = `${input}.${signature}`;
      return { token, dot1: token.indexOf("."), dot2: input.length };
    };
    const other = hmac(input, `${SECRET}!`);
    const truncated = hmac(input, SECRET).slice(0, 40);
    for (const signature of [other, truncated, "", "AAAA"]) {
      const error = await Promise.resolve()
        .then(() => verifySignature(key, parts(signature), webCryptoHmac))
        .then(requireMatch)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toMatchObject({
        code: "ERR_JWT_SIGNATURE",
        message: "signature does not match",
      });
    }
  });
});
