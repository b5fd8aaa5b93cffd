// hs256/koa: Koa middleware, written against Koa's shapes, so that it imports
// nothing. The claims go on `ctx.state`, where Koa keeps per-request data.
import type { AccessClaims, Tokens } from "../session/tokens.js";
import type { HeaderRecord } from "./bearer.js";
import { type AuthOptions, checkAuthSetup, guard } from "./guard.js";

export type { AuthOptions } from "./guard.js";

/** The `ctx.state` the middleware fills: `new Koa<AuthState<{ role: string }>>()`. */
export interface AuthState<C extends object> {
  /** The verified access token's claims; undefined for an anonymous request under `optional`. */
  auth?: C & AccessClaims;
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
    const { status, headers, body } = outcome.refusal;
    ctx.status = status;
    // The headers first: Koa keeps a Content-Type that is already set when the body is a string.
    for (const [name, value] of Object.entries(headers)) ctx.set(name, value);
    ctx.body = body;
  };
}
