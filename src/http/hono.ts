// hs256/hono: Hono middleware, written against Hono's shapes, so that it
// imports nothing. It reads the Fetch request, `c.req.raw`.
import type { AccessClaims, TokenPair, Tokens } from "../session/tokens.js";
import { type AuthOptions, checkAuthSetup, guard } from "./guard.js";
import { sessionRoutes as fetchRoutes, type SessionRouteOptions } from "./routes.js";

export type { AuthOptions } from "./guard.js";
export type { SessionRouteOptions } from "./routes.js";

/**
 * The Hono `Env` whose `c.get("auth")` is the verified claims:
 * `new Hono<AuthEnv<{ role: string }>>()`.
 */
export interface AuthEnv<C extends object> {
  Variables: { auth: (C & AccessClaims) | undefined };
}

/** The parts of a Hono `Context` the middleware reads and writes. */
export interface HonoContextLike<C extends object> {
  req: { raw: Request };
  /** Sets a variable of the request, read back with `c.get`. */
  set(key: "auth", value: (C & AccessClaims) | undefined): void;
}

/** Hono middleware. */
export type HonoAuthMiddleware<C extends object> = (
  c: HonoContextLike<C>,
  next: () => Promise<void>,
) => Promise<Response | undefined>;

/**
 * Middleware that verifies the Bearer access token with `tokens` and sets its
 * claims as `c.get("auth")`. A missing or bad token gets 401/400 with the
 * RFC 6750 challenge, a StoreError 503; any other error is thrown, for
 * `app.onError`.
 *
 * @example
 * app.use("/api/*", auth(tokens));
 */
export function auth<C extends object>(
  tokens: Tokens<C>,
  options?: AuthOptions,
): HonoAuthMiddleware<C> {
  checkAuthSetup(tokens, options);
  return async (c, next) => {
    const outcome = await guard(tokens, c.req.raw, options);
    if (outcome.refusal) {
      const { status, headers, body } = outcome.refusal;
      return new Response(body, { status, headers });
    }
    c.set("auth", outcome.claims);
    await next();
    return undefined;
  };
}

/** The handlers of {@link sessionRoutes}. */
export interface HonoSessionRoutes {
  /** The answer to a successful login: the access token in the body, the refresh token in the cookie. */
  login(pair: TokenPair): Response;
  /** POST: rotates the refresh token of the cookie (or of the body's `refreshToken`). */
  refresh(c: { req: { raw: Request } }): Promise<Response>;
  /** POST: revokes the refresh token's family and clears the cookie. */
  logout(c: { req: { raw: Request } }): Promise<Response>;
}

/**
 * Refresh and logout handlers with the refresh token in a cookie (see the
 * main entry's `sessionRoutes`); a bad refresh token gets 401, a cross-site
 * request 403, a StoreError 503, and any other error is thrown, for `app.onError`.
 *
 * @example
 * app.post("/auth/refresh", sessionRoutes(tokens, { csrf }).refresh);
 */
export function sessionRoutes<C extends object>(
  tokens: Tokens<C>,
  options?: SessionRouteOptions,
): HonoSessionRoutes {
  const routes = fetchRoutes(tokens, options);
  return {
    login: routes.login,
    refresh: (c) => routes.refresh(c.req.raw),
    logout: (c) => routes.logout(c.req.raw),
  };
}
