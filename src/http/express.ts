// hs256/express: Connect-style middleware for Express 4 and 5 (and Connect),
// written against node:http's shapes, so that it imports nothing.
import type { AccessClaims, Tokens } from "../session/tokens.js";
import type { HeaderRecord } from "./bearer.js";
import { type AuthOptions, checkAuthSetup, guard } from "./guard.js";

export type { AuthOptions } from "./guard.js";

/** The parts of an Express `Request` the middleware reads and writes. */
export interface ExpressRequest<C extends object> {
  headers: HeaderRecord;
  rawHeaders?: readonly string[];
  /** The verified access token's claims; undefined for an anonymous request under `optional`. */
  auth?: C & AccessClaims;
}

/** The parts of an Express `Response` the middleware answers a refusal with. */
export interface ExpressResponse {
  statusCode: number;
  /** Sets a header of the answer. */
  setHeader(name: string, value: string): unknown;
  /** Sends the body and ends the answer. */
  end(body: string): unknown;
}

/** Middleware of Express, Connect and their kin. */
export type ExpressMiddleware<C extends object> = (
  req: ExpressRequest<C>,
  res: ExpressResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Middleware that verifies the Bearer access token with `tokens` and puts its
 * claims on `req.auth`. A missing or bad token gets 401/400 with the RFC 6750
 * challenge, a StoreError 503; any other error goes to `next(error)`.
 *
 * @example
 * app.get("/me", auth(tokens), (req, res) => res.json({ sub: req.auth?.sub }));
 */
export function auth<C extends object>(
  tokens: Tokens<C>,
  options?: AuthOptions,
): ExpressMiddleware<C> {
  checkAuthSetup(tokens, options);
  return (req, res, next) => {
    guard(tokens, req, options).then((outcome) => {
      if (!outcome.refusal) {
        req.auth = outcome.claims;
        return next();
      }
      const { status, headers, body } = outcome.refusal;
      res.statusCode = status;
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
      res.end(body);
    }, next);
  };
}
