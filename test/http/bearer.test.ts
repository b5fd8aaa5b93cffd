import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCredentials } from "../../src/http/bearer.js";
import {
  authenticate,
  challenge,
  createTokens,
  JwtError,
  type JwtErrorCode,
  memoryStore,
  readBearerToken,
} from "../../src/index.js";
import { expectJwtError } from "../support/expect.js";
import { rawGet } from "../support/http.js";

const secret = "bearer-test-secret-bearer-test-secret!";

function caught(fn: () => unknown): JwtError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(JwtError);
    return error as JwtError;
  }
  throw new Error("expected a JwtError");
}

describe("readBearerToken", () => {
  it("reads the token whatever the case of the scheme (RFC 6750 section 2.1)", () => {
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      expect(readBearerToken(`${scheme} abc.def.ghi`)).toBe("abc.def.ghi");
    }
    expect(readBearerToken("  Bearer   a-b_c~d+e/f==  ")).toBe("a-b_c~d+e/f==");
  });

  it("finds the header in every kind of source", () => {
    const value = "Bearer t.o.k";
    expect(readBearerToken(new Request("http://x/", { headers: { Authorization: value } }))).toBe(
      "t.o.k",
    );
    expect(readBearerToken(new Headers({ authorization: value }))).toBe("t.o.k");
    expect(readBearerToken({ Authorization: value })).toBe("t.o.k");
    expect(readBearerToken({ headers: { authorization: value } })).toBe("t.o.k");
    expect(readBearerToken({ headers: { authorization: [value] } })).toBe("t.o.k");
    expect(readBearerToken({ host: "h", authorization: value, accept: "*/*" })).toBe("t.o.k");
    expect(readBearerToken({ Authorization: value, authorization: undefined })).toBe("t.o.k");
    expect(readBearerToken(Object.assign(Object.create(null), { authorization: value }))).toBe(
      "t.o.k",
    );
    // node:http's raw list: name, value, name, value...; a name without its value is no header.
    const raw = (rawHeaders: unknown[]) => readBearerToken({ headers: {}, rawHeaders } as never);
    expect(raw(["Host", "h", 42, "x", "Authorization", value])).toBe("t.o.k");
    expect(raw(["Authorization", value, "authorization"])).toBe("t.o.k");
  });

  it("answers no credentials and other schemes with 401 and a bare challenge", () => {
    for (const source of [
      undefined,
      null,
      "",
      "   ",
      {},
      new Headers(),
      "Basic dXNlcjpwYXNz",
      "Basic",
      "X-Scheme!#$%&'*+.^_`|~ x",
      { authorization: undefined },
    ]) {
      const error = caught(() => readBearerToken(source, "api"));
      expect(error.code).toBe("ERR_JWT_MISSING");
      expect(error.message).toBe("no Bearer token in the Authorization header");
      expect(error.status).toBe(401);
      expect(error.wwwAuthenticate).toBe('Bearer realm="api"');
    }
    expect(caught(() => readBearerToken(undefined)).wwwAuthenticate).toBe("Bearer");
  });

  it("answers a malformed header with 400 invalid_request", () => {
    const cases = [
      "Bearer",
      "Bearer a b",
      "Bearer a.b.c, Bearer d.e.f",
      "Bearer a=b",
      "Bearer\ttoken",
      "Bearer tök",
      "Bearer, x",
      "Bearer ==",
    ];
    for (const value of cases) {
      const error = caught(() => readBearerToken(value, "api"));
      expect(error.code, value).toBe("ERR_JWT_MALFORMED");
      expect(error.status).toBe(400);
      expect(error.wwwAuthenticate).toMatch(
        /^Bearer realm="api", error="invalid_request", error_description="[^"]+"$/,
      );
    }
  });

  it("refuses two Authorization headers in a plain object", () => {
    for (const headers of [
      { authorization: ["Bearer a", "Bearer b"] },
      { authorization: "Bearer a", Authorization: "Bearer b" },
    ]) {
      const error = caught(() => readBearerToken(headers));
      expect(error.status).toBe(400);
      expect(error.message).toBe("more than one Authorization header");
    }
  });

  it("tells a scheme alone, a malformed header and one that is not one token apart", () => {
    expect(caught(() => readBearerToken("Bearer")).message).toBe(
      "Authorization header must be one Bearer token",
    );
    expect(caught(() => readBearerToken("Bearer,x")).message).toBe(
      "Authorization header is malformed",
    );
  });

  it.each([
    ["a number", 42],
    [
      "a class instance with an unrelated get",
      new (class {
        get = () => "Bearer x.y.z";
      })(),
    ],
    [
      "a class instance with an unrelated has",
      new (class {
        has = () => true;
      })(),
    ],
    [
      "a class instance of strings",
      new (class {
        authorization = "Bearer x.y.z";
      })(),
    ],
    [
      "a function with get and has",
      Object.assign(() => undefined, { get: () => "Bearer x.y.z", has: () => true }),
    ],
    ["headers of objects", { headers: { authorization: { value: "Bearer x" } } }],
    ["null headers", { headers: null }],
  ])("refuses %s with a TypeError", (_, source) => {
    expect(() => readBearerToken(source as never)).toThrow(
      new TypeError(
        "authenticate needs a Request, Headers, a Node IncomingMessage, a plain header object or a header value",
      ),
    );
  });

  it("refuses a Hono Context passed for the request, at compile time and at run time", async () => {
    const app = new Hono();
    app.get("/", (c) => {
      // @ts-expect-error a Context is not a request: c.req.raw is
      expect(() => readBearerToken(c)).toThrow(TypeError);
      return c.text(readBearerToken(c.req.raw));
    });
    const response = await app.request("/", { headers: { authorization: "Bearer t.o.k" } });
    expect(await response.text()).toBe("t.o.k");
  });

  it.each<[string, ReturnType<typeof parseCredentials>]>([
    ["", undefined],
    [" x", undefined],
    ["Basic,x", undefined],
    ["Bearer", { scheme: "Bearer" }],
    ["Bearer   ", { scheme: "Bearer" }],
    ["Bearer ==", { scheme: "Bearer" }],
    ["Bearer abc", { scheme: "Bearer", token: "abc" }],
    ["Bearer abc==", { scheme: "Bearer", token: "abc==" }],
    ["a!#$%&'*+-.^_`|~z t", { scheme: "a!#$%&'*+-.^_`|~z", token: "t" }],
  ])(
    "splits %j into scheme and token (RFC 9110 section 11.4), reading inside it only",
    (text, parsed) => {
      const outside: number[] = [];
      const guarded = {
        length: text.length,
        charCodeAt: (i: number) => {
          if (i < 0 || i >= text.length) outside.push(i);
          return text.charCodeAt(i);
        },
        slice: (start: number, end?: number) => text.slice(start, end),
      };
      expect(parseCredentials(guarded)).toEqual(parsed);
      expect(outside).toEqual([]);
    },
  );

  it("reads the credentials in one pass, however many spaces come before a line break", () => {
    // The regular expression this replaced backtracked over the spaces: quadratic work.
    const reads = (text: string) => {
      let count = 0;
      const counted = {
        length: text.length,
        charCodeAt: (i: number) => {
          count++;
          return text.charCodeAt(i);
        },
        slice: (start: number, end?: number) => text.slice(start, end),
      };
      // Each character once, and each of the five boundaries looked at twice at most.
      return { parsed: parseCredentials(counted), extra: count - text.length };
    };
    for (const n of [1_000, 10_000, 100_000]) {
      const spaces = reads(`Bearer${" ".repeat(n)}\nx`);
      expect(spaces.parsed).toEqual({ scheme: "Bearer" });
      expect(spaces.extra).toBeLessThanOrEqual(5);
      const long = reads(`Bearer ${"a".repeat(n)}==`);
      expect(long.parsed).toEqual({ scheme: "Bearer", token: `${"a".repeat(n)}==` });
      expect(long.extra).toBeLessThanOrEqual(5);
    }
  });
});

describe("challenge", () => {
  it("keeps quotes and control characters out of quoted values (RFC 6750 section 3)", () => {
    expect(challenge('a "b"\\\n', "invalid_token", 'no "exp"\u00e9')).toBe(
      `Bearer realm="a 'b'", error="invalid_token", error_description="no 'exp'"`,
    );
  });

  it("keeps quotes and line breaks out of the error code too", () => {
    expect(challenge(undefined, 'invalid_token"\r\nSet-Cookie: a=b')).toBe(
      `Bearer error="invalid_token'Set-Cookie: a=b"`,
    );
  });
});

describe("authenticate", () => {
  const store = memoryStore();
  const tokens = createTokens<{ role: string }>({
    secret,
    realm: "api",
    store,
    checkRevoked: true,
  });

  it("returns the access token's payload from a Fetch Request", async () => {
    const { accessToken } = await tokens.issue({ sub: "alice", role: "admin" });
    const request = new Request("http://localhost/me", {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const payload = await authenticate(tokens, request);
    expect(payload).toMatchObject({ sub: "alice", role: "admin", type: "ATK" });
  });

  it("answers a bad token with 401 invalid_token and the reason", async () => {
    const pair = await tokens.issue({ sub: "alice", role: "admin" });
    const reasons: [string, RegExp, JwtErrorCode][] = [
      [pair.refreshToken, /token type is 'RTK', expected 'ATK'/, "ERR_JWT_TYPE"],
      [`${pair.accessToken.slice(0, -2)}AA`, /signature/, "ERR_JWT_SIGNATURE"],
      ["a.b", /three/, "ERR_JWT_MALFORMED"],
    ];
    for (const [token, description, code] of reasons) {
      const error = await expectJwtError(
        authenticate(tokens, { authorization: `Bearer ${token}` }),
        code,
      );
      expect(error.status).toBe(401);
      expect(error.wwwAuthenticate).toMatch(
        /^Bearer realm="api", error="invalid_token", error_description="/,
      );
      expect(error.wwwAuthenticate).toMatch(description);
    }
  });

  it("gives the realm's challenge to a JwtError of a tokens object of one's own", async () => {
    const own = {
      ...tokens,
      verifyAccess: () => Promise.reject(new JwtError("ERR_JWT_SIGNATURE", "bad signature")),
    };
    const error = await expectJwtError(authenticate(own, "Bearer a.b.c"), "ERR_JWT_SIGNATURE");
    expect(error.status).toBe(401);
    expect(error.wwwAuthenticate).toBe(
      'Bearer realm="api", error="invalid_token", error_description="bad signature"',
    );
  });

  it("answers an expired and a revoked token with 401 invalid_token", async () => {
    let now = new Date("2030-01-01T00:00:00Z");
    const timed = createTokens({
      secret,
      realm: "api",
      store,
      checkRevoked: true,
      accessTtl: 60,
      now: () => now,
    });
    const pair = await timed.issue({ sub: "bob" });
    await timed.revokeAccess(pair.accessToken);
    const revoked = await expectJwtError(
      authenticate(timed, `Bearer ${pair.accessToken}`),
      "ERR_JWT_REVOKED",
    );
    expect(revoked.status).toBe(401);
    expect(revoked.wwwAuthenticate).toContain('error_description="access token has been revoked"');
    const fresh = await timed.issue({ sub: "bob" });
    now = new Date(now.getTime() + 60_000);
    const expired = await expectJwtError(
      authenticate(timed, `Bearer ${fresh.accessToken}`),
      "ERR_JWT_EXPIRED",
    );
    expect(expired.status).toBe(401);
    expect(expired.wwwAuthenticate).toContain(
      'error="invalid_token", error_description="token has expired"',
    );
  });

  describe("behind a real node:http server", () => {
    let base = "";
    const server = createServer(async (req: IncomingMessage, res) => {
      try {
        const user = await authenticate(tokens, req);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(user));
      } catch (error) {
        const e = error as JwtError;
        res.writeHead(e.status ?? 500, { "www-authenticate": e.wwwAuthenticate ?? "" }).end(e.code);
      }
    });
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("serves 200, 401 and 400 with the right challenge", async () => {
      const { accessToken, refreshToken } = await tokens.issue({ sub: "carol", role: "reader" });
      const get = (authorization?: string) =>
        fetch(`${base}/me`, { headers: authorization ? { authorization } : {} });

      const ok = await get(`Bearer ${accessToken}`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ sub: "carol", role: "reader" });

      const none = await get();
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toBe('Bearer realm="api"');
      expect(await none.text()).toBe("ERR_JWT_MISSING");

      const wrongType = await get(`Bearer ${refreshToken}`);
      expect(wrongType.status).toBe(401);
      expect(wrongType.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);

      const twoTokens = await get(`Bearer ${accessToken} ${accessToken}`);
      expect(twoTokens.status).toBe(400);
      expect(twoTokens.headers.get("www-authenticate")).toMatch(/error="invalid_request"/);
    });

    it("answers two Authorization headers with 400, though node:http keeps only the first", async () => {
      const { accessToken } = await tokens.issue({ sub: "carol", role: "reader" });
      const reply = await rawGet(base, "/me", [
        `Authorization: Bearer ${accessToken}`,
        "Authorization: Bearer other",
      ]);
      expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      expect(reply).toMatch(/www-authenticate: .*more than one Authorization header/i);
    });
  });
});
