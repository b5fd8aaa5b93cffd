// hs256/fastify: an onRequest hook for Fastify, written against Fastify's
// shapes, so that it imports nothing.
import type { AccessClaims, Tokens } from "../session/tokens.js";
import type { HeaderRecord } from "./bearer.js";
import { type AuthOptions, checkAuthSetup, guard } from "./guard.js";

export type { AuthOptions } from "./guard.js";

/** The parts of a `FastifyRequest` the hook reads and writes. */
export interface FastifyRequestLike<C extends object> {
  /** node:http's request, whose `rawHeaders` show a second Authorization header. */
  raw: { headers: HeaderRecord; rawHeaders?: readonly string[] };
  /** The verified access token's claims; undefined for an anonymous request under `optional`. */
  auth?: C & AccessClaims;
}

/** The parts of a `FastifyReply` the hook answers a refusal with. */
export interface FastifyReplyLike {
  /** Sets the status. */
  code(status: number): FastifyReplyLike;
  /** Sets a header of the answer. */
  header(name: string, value: string): FastifyReplyLike;
  /** Sends the body. */
  send(body: string): FastifyReplyLike;
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
    const { status, headers, body } = outcome.refusal;
    reply.code(status);
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    // An async hook that has answered returns the reply, so that Fastify stops there.
    return reply.send(body);
  };
}
