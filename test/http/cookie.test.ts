import { describe, expect, it } from "vitest";
import { nodeHeaders } from "../../src/http/routes.js";
import {
  createTokens,
  memoryStore,
  type RefreshCookieOptions,
  refreshCookie,
  StoreError,
  sessionRoutes,
} from "../../src/index.js";

const secret = "cookie-test-secret-cookie-test-secret!!";
const NOW = new Date("2030-01-01T00:00:00Z");

describe("refreshCookie", () => {
  it("sets HttpOnly, Secure, SameSite=Strict, a path of its own and Max-Age by default", () => {
    const cookie = refreshCookie();
    expect(cookie.set("a.b.c", 1209600.7)).toBe(
      "rtk=a.b.c; Max-Age=1209600; Path=/auth; HttpOnly; Secure; SameSite=Strict",
    );
    expect(cookie.clear()).toBe("rtk=; Max-Age=0; Path=/auth; HttpOnly; Secure; SameSite=Strict");
  });

  it.each<[RefreshCookieOptions, string]>([
    [{ path: "/" }, "__Host-rtk=t; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Strict"],
    [
      { name: "sid", path: "/api/auth", domain: "example.com", sameSite: "Lax" },
      "sid=t; Max-Age=60; Path=/api/auth; Domain=example.com; HttpOnly; Secure; SameSite=Lax",
    ],
    [{ secure: false }, "rtk=t; Max-Age=60; Path=/auth; HttpOnly; SameSite=Strict"],
  ])("follows the options %o", (options, expected) => {
    expect(refreshCookie(options).set("t", 60)).toBe(expected);
  });

  const PATH = 'cookie path must start with "/" and hold no ";", space or control';
  const HOST = 'a cookie with path "/" gets the __Host- prefix: it needs secure and no domain';
  it.each<[string, RefreshCookieOptions, string]>([
    ["a name that is not a token", { name: "a b" }, "cookie name must be an RFC 6265 token"],
    ["a path that is not absolute", { path: "auth" }, PATH],
    ["a path that ends the attribute", { path: "/auth; Domain=evil" }, PATH],
    ["a domain that ends the attribute", { domain: "a;b" }, "bad cookie domain"],
    ['"/" with a domain (no __Host- prefix possible)', { path: "/", domain: "example.com" }, HOST],
    ['"/" without Secure', { path: "/", secure: false }, HOST],
    [
      "SameSite=None without Secure",
      { sameSite: "None", secure: false },
      "SameSite=None needs secure",
    ],
    ["an unknown SameSite", { sameSite: "Loose" as "Lax" }, "bad sameSite"],
  ])("refuses %s at start-up", (_, options, message) => {
    expect(() => refreshCookie(options)).toThrow(new TypeError(message));
  });

  it("refuses to set a value that is not a token", () => {
    expect(() => refreshCookie().set("a;b", 60)).toThrow(new TypeError("not a token"));
  });

  it.each<[string | null | undefined, string | undefined]>([
    ["rtk=a.b.c", "a.b.c"],
    ['theme=dark; rtk="a.b.c"; lang=en', "a.b.c"],
    ["  rtk = a.b.c  ", "a.b.c"],
    ["flag; rtk=a.b.c", "a.b.c"],
    ["xrtk=1; rtkx=2; RTK=3", undefined],
    ["rtk=", undefined],
    ['rtk=""', undefined],
    ['rtk="', '"'],
    ['rtk="a', '"a'],
    ['rtk=a"', 'a"'],
    ["rtkx", undefined],
    ["", undefined],
    [null, undefined],
    [undefined, undefined],
  ])("reads %j as %j (RFC 6265 section 5.4)", (header, expected) => {
    expect(refreshCookie().read(header)).toBe(expected);
  });

  it("refuses the cookie twice, whichever comes first (RFC 6265 section 8.6)", () => {
    expect(() => refreshCookie().read("rtk=a; other=1; rtk=b")).toThrow(
      expect.objectContaining({
        name: "JwtError",
        code: "ERR_JWT_MALFORMED",
        status: 400,
        message: "the refresh token cookie comes more than once",
      }),
    );
  });
});

describe("sessionRoutes", () => {
  const origin = "https://app.example";
  const store = memoryStore({ now: () => NOW.getTime() });
  const tokens = createTokens<{ role: string }>({ secret, store, now: () => NOW });
  const routes = sessionRoutes(tokens, { csrf: { origins: [origin] } });

  const post = (path: string, headers: Record<string, string>, body?: unknown) =>
    new Request(`${origin}/auth/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: body === undefined ? null : JSON.stringify(body),
    });
  const cookieOf = (response: Response) => response.headers.get("set-cookie") ?? "";
  const tokenOf = (response: Response) => /^rtk=([^;]*)/.exec(cookieOf(response))?.[1] ?? "";
  const login = async () => routes.login(await tokens.issue({ sub: "alice", role: "admin" }));

  it("answers a login with the access token in the body and the refresh token in the cookie", async () => {
    const response = await login();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = await response.json();
    expect(body).toEqual({
      accessToken: expect.any(String),
      tokenType: "Bearer",
      expiresIn: 900,
      refreshExpiresIn: 1209600,
    });
    expect(cookieOf(response)).toMatch(
      /^rtk=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=1209600; Path=\/auth; HttpOnly; Secure; SameSite=Strict$/,
    );
  });

  it("rotates the cookie's refresh token, and clears the cookie when an old one comes back", async () => {
    const first = tokenOf(await login());
    const same = { origin, cookie: `rtk=${first}` };
    const refreshed = await routes.refresh(post("refresh", same));
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).not.toHaveProperty("refreshToken");
    const second = tokenOf(refreshed);
    expect(second).not.toBe(first);
    const reuse = await routes.refresh(post("refresh", same));
    expect(reuse.status).toBe(401);
    expect(await reuse.json()).toMatchObject({ error: "ERR_JWT_REVOKED" });
    expect(cookieOf(reuse)).toMatch(/^rtk=; Max-Age=0;/);
  });

  it("logs out: revokes the family and clears the cookie", async () => {
    const token = tokenOf(await login());
    const logout = await routes.logout(post("logout", { origin, cookie: `rtk=${token}` }));
    expect(logout.status).toBe(204);
    expect(cookieOf(logout)).toMatch(/^rtk=; Max-Age=0;/);
    const after = await routes.refresh(post("refresh", { origin, cookie: `rtk=${token}` }));
    expect(after.status).toBe(401);
  });

  it("takes the refresh token from the body when no cookie carries it, and answers it in the body", async () => {
    const { refreshToken } = await tokens.issue({ sub: "bob", role: "reader" });
    const response = await routes.refresh(post("refresh", {}, { refreshToken }));
    expect(response.status).toBe(200);
    expect(cookieOf(response)).toBe("");
    expect(await response.json()).toMatchObject({ refreshToken: expect.any(String) });
  });

  it.each([
    ["a body without refreshToken", { other: 1 }],
    ["a refreshToken that is not a string", { refreshToken: 42 }],
    ["no body", undefined],
  ])("answers %s as an empty token: 401, and no cookie to clear", async (_, body) => {
    for (const path of ["refresh", "logout"] as const) {
      const response = await routes[path](post(path, {}, body));
      expect(response.status).toBe(401);
      expect(cookieOf(response)).toBe("");
      expect(await response.json()).toEqual({
        error: "ERR_JWT_MALFORMED",
        message: "token must have three dot-separated segments",
      });
    }
  });

  it("answers 400 to two refresh token cookies and uses neither", async () => {
    const token = tokenOf(await login());
    const response = await routes.refresh(
      post("refresh", { origin, cookie: `rtk=${token}; rtk=x` }),
    );
    expect(response.status).toBe(400);
    expect((await routes.refresh(post("refresh", { origin, cookie: `rtk=${token}` }))).status).toBe(
      200,
    );
  });

  it.each<[string, Record<string, string>, number]>([
    ["Sec-Fetch-Site same-origin", { "sec-fetch-site": "same-origin" }, 200],
    ["an allowed Origin", { origin }, 200],
    ["another site's Origin", { origin: "https://evil.example" }, 403],
    [
      "a same-site subdomain",
      { origin: "https://x.app.example", "sec-fetch-site": "same-site" },
      403,
    ],
    ["a cross-site fetch", { "sec-fetch-site": "cross-site" }, 403],
    ["neither Origin nor Sec-Fetch-Site", {}, 403],
    ["Origin null", { origin: "null" }, 403],
  ])("with the cookie and %s answers %i (CSRF)", async (_, headers, status) => {
    const token = tokenOf(await login());
    const response = await routes.refresh(post("refresh", { ...headers, cookie: `rtk=${token}` }));
    expect(response.status).toBe(status);
    if (status === 403) {
      expect(await response.json()).toEqual({
        error: "ERR_CSRF",
        message: "the request does not come from an allowed origin",
      });
    }
  });

  it("with no origins configured, refuses a cookie-carried request that has only an Origin", async () => {
    const token = tokenOf(await login());
    const response = await sessionRoutes(tokens).refresh(
      post("refresh", { origin, cookie: `rtk=${token}` }),
    );
    expect(response.status).toBe(403);
  });

  it("refuses a cookie-carried logout from another site too, and leaves the session alive", async () => {
    const token = tokenOf(await login());
    const cookie = `rtk=${token}`;
    expect(
      (await routes.logout(post("logout", { origin: "https://evil.example", cookie }))).status,
    ).toBe(403);
    expect((await routes.refresh(post("refresh", { origin, cookie }))).status).toBe(200);
  });

  it("requires the custom header instead when one is configured", async () => {
    const guarded = sessionRoutes(tokens, { csrf: { header: "X-Requested-With" } });
    const token = tokenOf(await login());
    const without = await guarded.refresh(post("refresh", { origin, cookie: `rtk=${token}` }));
    expect(without.status).toBe(403);
    expect(await without.json()).toEqual({
      error: "ERR_CSRF",
      message: "the X-Requested-With header is missing",
    });
    const withHeader = await guarded.refresh(
      post("refresh", { "x-requested-with": "fetch", cookie: `rtk=${token}` }),
    );
    expect(withHeader.status).toBe(200);
  });

  it("answers 503 when the store is down, and rejects on any other error", async () => {
    const { refreshToken } = await tokens.issue({ sub: "alice", role: "admin" });
    const down = sessionRoutes({
      ...tokens,
      refresh: () => Promise.reject(new StoreError("down")),
    });
    const failed = await down.refresh(post("refresh", {}, { refreshToken }));
    expect(failed.status).toBe(503);
    const buggy = sessionRoutes({ ...tokens, revoke: () => Promise.reject(new RangeError("bug")) });
    await expect(buggy.logout(post("logout", {}, { refreshToken }))).rejects.toMatchObject({
      name: "RangeError",
    });
  });

  it.each([
    [
      "an origin with a path",
      { csrf: { origins: ["https://app.example/"] } },
      "not an origin: https://app.example/",
    ],
    [
      "a header that is not a name",
      { csrf: { header: "a b" } },
      "csrf header must be a header name",
    ],
    ["bad cookie options", { cookie: { path: "nope" } }, "cookie path must start with"],
  ])("refuses %s at start-up", (_, options, message) => {
    expect(() => sessionRoutes(tokens, options)).toThrow(message);
    expect(() => sessionRoutes(tokens, options)).toThrow(TypeError);
  });

  it("takes a cookie made beforehand", async () => {
    const custom = sessionRoutes(tokens, { cookie: refreshCookie({ name: "sid", path: "/" }) });
    expect(
      (await custom.login(await tokens.issue({ sub: "a", role: "r" }))).headers.get("set-cookie"),
    ).toMatch(/^__Host-sid=[^;]+; Max-Age=1209600; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
  });
});

describe("nodeHeaders", () => {
  it("reads Node's header object by name, joining a repeated header, and tells which are present", () => {
    const headers = nodeHeaders({ "x-many": ["a", "b"], origin: "https://app.example" });
    expect(headers.get("x-many")).toBe("a, b");
    expect(headers.get("origin")).toBe("https://app.example");
    expect(headers.get("cookie")).toBeNull();
    expect(headers.has("X-Many")).toBe(true);
    expect(headers.has("Origin")).toBe(true);
    expect(headers.has("Cookie")).toBe(false);
  });
});
