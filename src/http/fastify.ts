// hs256/fastify: an onRequest hook for Fastify, written against Fastify's
// shapes, so that it imports nothing.
import type { AccessClaims, TokenPair, Tokens } from "../session/tokens.js";
import type { HeaderRecord } from "./bearer.js";
import { type AuthOptions, checkAuthSetup, guard } from "./guard.js";
import { createRoutes, nodeHeaders, type RouteAnswer, type SessionRouteOptions } from "./routes.js";

export type { AuthOptions } from "./guard.js";
export type { SessionRouteOptions } from "./routes.js";

/** The parts of a `FastifyRequest` the hook reads and writes. */
export interface FastifyRequestLike<C extends object> {
  /** node:http's request, whose `rawHeaders` show a second Authorization header. */
  raw: { headers: HeaderRecord; rawHeaders?: readonly string[] };
  /** The verified access token's claims; undefined for an anonymous request under `optional`. */
  auth?: (C & AccessClaims) | undefined;
}

/** The parts of a `FastifyReply` the hook answers a refusal with. */
export interface FastifyReplyLike {
  /** Sets the status. */
  code(status: number): FastifyReplyLike;
  /** Sets a header of the answer. */
  header(name: string, value: string): FastifyReplyLike;
  /** Sends the body. */
  send(body?: string): FastifyReplyLike;
}

/** An async `onRequest` hook. */
export type FastifyAuthHook<C extends object> = (
  request: FastifyRequestLike<C>,
  reply: FastifyReplyLike,
) => Promise<FastifyReplyLike | undefined>;

/**
 * An `onRequest` hook that verifies the Bearer access token with `tokens` and
 * puts its claims on `request.auth`. A missing or bad token gets 401/400 with
 * the RFC 6750 challenge, a StoreError 503; any other error is thrown, for
 * Fastify's error handler. Declare the property first with
 * `app.decorateRequest("auth", undefined)`, so every request keeps one shape.
 *
 * @example
 * app.addHook("onRequest", auth(tokens));
 */
export function auth<C extends object>(
  tokens: Tokens<C>,
  options?: AuthOptions,
): FastifyAuthHook<C> {
  checkAuthSetup(tokens, options);
  return async (request, reply) => {
    const outcome = await guard(tokens, request.raw, options);
    if (!outcome.refusal) {
      request.auth = outcome.claims;
      return undefined;
    }
    // An async hook that has answered returns the reply, so that Fastify stops there.
    return send(reply, outcome.refusal);
  };
}

/** A route handler; `request.body` is Fastify's parsed JSON body. */
export type FastifyRoute = (
  request: { headers: HeaderRecord; body?: unknown },
  reply: FastifyReplyLike,
) => Promise<FastifyReplyLike>;

/** The handlers of {@link sessionRoutes}. */
export interface FastifySessionRoutes {
  /** Answers a successful login: the access token in the body, the refresh token in the cookie. */
  login(reply: FastifyReplyLike, pair: TokenPair): FastifyReplyLike;
  /** POST: rotates the refresh token of the cookie (or of the body's `refreshToken`). */
  refresh: FastifyRoute;
  /** POST: revokes the refresh token's family and clears the cookie. */
  logout: FastifyRoute;
}

/**
 * Refresh and logout handlers with the refresh token in a cookie (see the
 * main entry's `sessionRoutes`); a bad refresh token gets 401, a cross-site
 * request 403, a StoreError 503, and any other error is thrown.
 *
 * @example
 * app.post("/auth/refresh", sessionRoutes(tokens, { csrf }).refresh);
 */
export function sessionRoutes<C extends object>(
  tokens: Tokens<C>,
  options?: SessionRouteOptions,
): FastifySessionRoutes {
  const routes = createRoutes(tokens, options);
  const handle =
    (run: typeof routes.refresh): FastifyRoute =>
    async (request, reply) =>
      send(
        reply,
        await run({ headers: nodeHeaders(request.headers), body: async () => request.body }),
      );
  return {
    login: (reply, pair) => send(reply, routes.login(pair)),
    refresh: handle(routes.refresh),
    logout: handle(routes.logout),
  };
}

function send(reply: FastifyReplyLike, { status, headers, body }: RouteAnswer): FastifyReplyLike {
  reply.code(status);
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  return reply.send(body);
}
