// The login / protected route / refresh / logout story, run against each
// example through a fetch-like function, so that both answer alike.
import { beforeAll, expect, it } from "vitest";
import { hashPassword, type User } from "../../examples/users.js";
import type { TokenPair } from "../../src/index.js";

export type Send = (path: string, init?: RequestInit) => Promise<Response>;

export const PASSWORD = "a password for the example tests";

export async function exampleUsers(): Promise<Map<string, User>> {
  return new Map([
    ["alice", { id: "alice", role: "admin", passwordHash: await hashPassword(PASSWORD) }],
  ]);
}

const post = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: typeof body === "string" ? body : JSON.stringify(body),
});
const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

/** Declares the tests of the story; `send` is read when they run. */
export function describeFlow(getSend: () => Send): void {
  let send: Send;
  const login = async () => {
    const response = await send("/login", post({ id: "alice", password: PASSWORD }));
    expect(response.status).toBe(200);
    return (await response.json()) as TokenPair;
  };
  beforeAll(() => {
    send = getSend();
  });

  it("logs in with the right password only", async () => {
    const pair = await login();
    expect(pair).toMatchObject({ tokenType: "Bearer", expiresIn: 900 });
    for (const body of [
      { id: "alice", password: "wrong" },
      { id: "mallory", password: PASSWORD },
      { id: "alice" },
    ]) {
      const response = await send("/login", post(body));
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: "wrong ID or password" });
    }
  });

  it("answers 400 to a body that is not JSON", async () => {
    expect((await send("/login", post("{id:"))).status).toBe(400);
  });

  it("opens /me with the access token only", async () => {
    const pair = await login();
    const me = await send("/me", bearer(pair.accessToken));
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: "alice", role: "admin" });

    const withRefresh = await send("/me", bearer(pair.refreshToken));
    expect(withRefresh.status).toBe(401);
    expect(withRefresh.headers.get("www-authenticate")).toMatch(
      /^Bearer realm="example", error="invalid_token", error_description="token type is 'RTK'/,
    );
    expect(await withRefresh.json()).toMatchObject({ error: "ERR_JWT_TYPE" });
  });

  it("answers /me without a token with a bare challenge, and a malformed header with 400", async () => {
    const none = await send("/me");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="example"');
    const malformed = await send("/me", { headers: { authorization: "Bearer a b" } });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("www-authenticate")).toContain('error="invalid_request"');
  });

  it("rotates the refresh token and revokes the family when an old one comes back", async () => {
    const first = await login();
    const refreshed = await send("/refresh", post({ refreshToken: first.refreshToken }));
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as TokenPair;
    expect((await send("/me", bearer(second.accessToken))).status).toBe(200);

    const reuse = await send("/refresh", post({ refreshToken: first.refreshToken }));
    expect(reuse.status).toBe(401);
    expect(await reuse.json()).toMatchObject({ error: "ERR_JWT_REVOKED" });
    const newest = await send("/refresh", post({ refreshToken: second.refreshToken }));
    expect(newest.status).toBe(401);
  });

  it("logs out by revoking the refresh token's family", async () => {
    const pair = await login();
    expect((await send("/logout", post({ refreshToken: pair.refreshToken }))).status).toBe(204);
    const after = await send("/refresh", post({ refreshToken: pair.refreshToken }));
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: "ERR_JWT_REVOKED" });
  });

  it("refuses to refresh or log out without a valid refresh token", async () => {
    for (const path of ["/refresh", "/logout"]) {
      const response = await send(path, post({}));
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: "ERR_JWT_MALFORMED" });
    }
  });
}

/** The origin the cookie examples allow to refresh and log out. */
export const ORIGIN = "https://app.example";

const cookieOf = (response: Response) =>
  /^rtk=([^;]*)/.exec(response.headers.get("set-cookie") ?? "")?.[1];

/**
 * The browser's story with the refresh token in a cookie, over real HTTP:
 * login, /me, refresh from the cookie, CSRF refusal, reuse, logout.
 */
export function describeCookieFlow(getSend: () => Send): void {
  let send: Send;
  beforeAll(() => {
    send = getSend();
  });
  const postFrom = (origin: string, path: string, cookie?: string, body?: unknown) =>
    send(path, {
      method: "POST",
      headers: {
        origin,
        "content-type": "application/json",
        ...(cookie === undefined ? {} : { cookie: `theme=dark; rtk=${cookie}` }),
      },
      body: JSON.stringify(body ?? {}),
    });
  const login = async () => {
    const response = await postFrom(ORIGIN, "/auth/login", undefined, {
      id: "alice",
      password: PASSWORD,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accessToken: string };
    expect(body).not.toHaveProperty("refreshToken");
    const cookie = cookieOf(response);
    expect(response.headers.get("set-cookie")).toMatch(
      /; Path=\/auth; HttpOnly; Secure; SameSite=Strict$/,
    );
    return { accessToken: body.accessToken, cookie: cookie as string };
  };

  it("logs in with the right password only: the access token in the body, the refresh token in a cookie", async () => {
    await login();
    const wrong = await postFrom(ORIGIN, "/auth/login", undefined, { id: "alice", password: "no" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it("opens /me with the access token, and answers 401 or 400 without a good one", async () => {
    const { accessToken } = await login();
    const me = await send("/me", bearer(accessToken));
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: "alice", role: "admin" });
    const none = await send("/me");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="example"');
    const malformed = await send("/me", { headers: { authorization: "Bearer a b" } });
    expect(malformed.status).toBe(400);
  });

  it("refreshes from the cookie for our own origin only, and refuses the old cookie after", async () => {
    const { cookie } = await login();
    const forged = await postFrom("https://evil.example", "/auth/refresh", cookie);
    expect(forged.status).toBe(403);
    const refreshed = await postFrom(ORIGIN, "/auth/refresh", cookie);
    expect(refreshed.status).toBe(200);
    const { accessToken } = (await refreshed.json()) as { accessToken: string };
    expect((await send("/me", bearer(accessToken))).status).toBe(200);
    const next = cookieOf(refreshed);
    expect(next).toMatch(/\./);
    expect(next).not.toBe(cookie);
    const reuse = await postFrom(ORIGIN, "/auth/refresh", cookie);
    expect(reuse.status).toBe(401);
    expect(reuse.headers.get("set-cookie")).toMatch(/^rtk=; Max-Age=0;/);
  });

  it("logs out: the cookie is cleared and its refresh token refused", async () => {
    const { cookie } = await login();
    const logout = await postFrom(ORIGIN, "/auth/logout", cookie);
    expect(logout.status).toBe(204);
    expect(logout.headers.get("set-cookie")).toMatch(/^rtk=; Max-Age=0;/);
    expect((await postFrom(ORIGIN, "/auth/refresh", cookie)).status).toBe(401);
  });
}
