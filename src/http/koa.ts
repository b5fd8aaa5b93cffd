// hs256/koa: Koa middleware, written against Koa's shapes, so that it imports
// nothing. The claims go on `ctx.state`, where Koa keeps per-request data.
import type { AccessClaims, TokenPair, Tokens } from "../session/tokens.js";
import type { HeaderRecord } from "./bearer.js";
import { type AuthOptions, checkAuthSetup, guard } from "./guard.js";
import { createRoutes, nodeHeaders, type RouteAnswer, type SessionRouteOptions } from "./routes.js";

export type { AuthOptions } from "./guard.js";
export type { SessionRouteOptions } from "./routes.js";

/** The `ctx.state` the middleware fills: `new Koa<AuthState<{ role: string }>>()`. */
export interface AuthState<C extends object> {
  /** The verified access token's claims; undefined for an anonymous request under `optional`. */
  auth?: (C & AccessClaims) | undefined;
}

/** The parts of a Koa `Context` the middleware reads and writes. */
export interface KoaContextLike<C extends object> {
  /** node:http's request, whose `rawHeaders` show a second Authorization header. */
  req: { headers: HeaderRecord; rawHeaders?: readonly string[] };
  state: AuthState<C>;
  status: number;
  body: unknown;
  /** Sets a header of the answer. */
  set(name: string, value: string): void;
}

/** Koa middleware. */
export type KoaAuthMiddleware<C extends object> = (
  ctx: KoaContextLike<C>,
  next: () => Promise<unknown>,
) => Promise<void>;

/**
 * Middleware that verifies the Bearer access token with `tokens` and puts its
 * claims on `ctx.state.auth`. A missing or bad token gets 401/400 with the
 * RFC 6750 challenge, a StoreError 503; any other error is thrown, for Koa's
 * error handling.
 *
 * @example
 * app.use(auth(tokens));
 */
export function auth<C extends object>(
  tokens: Tokens<C>,
  options?: AuthOptions,
): KoaAuthMiddleware<C> {
  checkAuthSetup(tokens, options);
  return async (ctx, next) => {
    const outcome = await guard(tokens, ctx.req, options);
    if (!outcome.refusal) {
      ctx.state.auth = outcome.claims;
      await next();
      return;
    }
    send(ctx, outcome.refusal);
  };
}

/** The parts of a Koa `Context` the session routes read and write; `ctx.request.body` is a body parser's. */
export interface KoaRouteContext {
  req: { headers: HeaderRecord };
  /** Koa's request, whose `body` a body parser fills. */
  request: object;
  status: number;
  body: unknown;
  /** Sets a header of the answer. */
  set(name: string, value: string): void;
}

/** The handlers of {@link sessionRoutes}. */
export interface KoaSessionRoutes {
  /** Answers a successful login: the access token in the body, the refresh token in the cookie. */
  login(ctx: KoaRouteContext, pair: TokenPair): void;
  /** POST: rotates the refresh token of the cookie (or of the body's `refreshToken`). */
  refresh(ctx: KoaRouteContext): Promise<void>;
  /** POST: revokes the refresh token's family and clears the cookie. */
  logout(ctx: KoaRouteContext): Promise<void>;
}

/**
 * Refresh and logout handlers with the refresh token in a cookie (see the
 * main entry's `sessionRoutes`); a bad refresh token gets 401, a cross-site
 * request 403, a StoreError 503, and any other error is thrown.
 */
export function sessionRoutes<C extends object>(
  tokens: Tokens<C>,
  options?: SessionRouteOptions,
): KoaSessionRoutes {
  const routes = createRoutes(tokens, options);
  const handle = (run: typeof routes.refresh) => async (ctx: KoaRouteContext) =>
    send(
      ctx,
      await run({
        headers: nodeHeaders(ctx.req.headers),
        body: async () => (ctx.request as { body?: unknown }).body,
      }),
    );
  return {
    login: (ctx, pair) => send(ctx, routes.login(pair)),
    refresh: handle(routes.refresh),
    logout: handle(routes.logout),
  };
}

function send(ctx: Pick<KoaRouteContext, "status" | "body" | "set">, answer: RouteAnswer): void {
  ctx.status = answer.status;
  // The headers first: Koa keeps a Content-Type that is already set when the body is a string.
  for (const [name, value] of Object.entries(answer.headers)) ctx.set(name, value);
  // Koa answers 204 with no body when the body is null.
  ctx.body = answer.body ?? null;
}
