// hs256/express: Connect-style middleware for Express 4 and 5 (and Connect),
// written against node:http's shapes, so that it imports nothing.
import type { AccessClaims, TokenPair, Tokens } from "../session/tokens.js";
import type { HeaderRecord } from "./bearer.js";
import { type AuthOptions, checkAuthSetup, guard } from "./guard.js";
import { createRoutes, nodeHeaders, type RouteAnswer, type SessionRouteOptions } from "./routes.js";

export type { AuthOptions } from "./guard.js";
export type { SessionRouteOptions } from "./routes.js";

/** The parts of an Express `Request` the middleware reads and writes. */
export interface ExpressRequest<C extends object> {
  headers: HeaderRecord;
  rawHeaders?: readonly string[];
  /** The verified access token's claims; undefined for an anonymous request under `optional`. */
  auth?: (C & AccessClaims) | undefined;
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
      send(res, outcome.refusal);
    }, next);
  };
}

/** The handlers of {@link sessionRoutes}. */
export interface ExpressSessionRoutes {
  /** Answers a successful login: the access token in the body, the refresh token in the cookie. */
  login(res: ExpressResponse, pair: TokenPair): void;
  /** POST: rotates the refresh token of the cookie (or of `req.body.refreshToken`). */
  refresh: ExpressRoute;
  /** POST: revokes the refresh token's family and clears the cookie. */
  logout: ExpressRoute;
}

/** A route handler; `req.body` is read when a JSON body parser ran before it. */
export type ExpressRoute = (
  req: { headers: HeaderRecord; body?: unknown },
  res: ExpressResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Refresh and logout handlers with the refresh token in a cookie (see the
 * main entry's `sessionRoutes`); a bad refresh token gets 401, a cross-site
 * request 403, a StoreError 503, and any other error goes to `next(error)`.
 *
 * @example
 * const session = sessionRoutes(tokens, { csrf: { origins: ["https://app.example"] } });
 * app.post("/auth/refresh", express.json(), session.refresh);
 */
export function sessionRoutes<C extends object>(
  tokens: Tokens<C>,
  options?: SessionRouteOptions,
): ExpressSessionRoutes {
  const routes = createRoutes(tokens, options);
  const handle =
    (run: typeof routes.refresh): ExpressRoute =>
    (req, res, next) => {
      run({ headers: nodeHeaders(req.headers), body: async () => req.body }).then(
        (answer) => send(res, answer),
        next,
      );
    };
  return {
    login: (res, pair) => send(res, routes.login(pair)),
    refresh: handle(routes.refresh),
    logout: handle(routes.logout),
  };
}

function send(res: ExpressResponse, { status, headers, body }: RouteAnswer): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.end(body ?? "");
}
