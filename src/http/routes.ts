// Ready-made login answer, refresh and logout routes, with the refresh token
// in a cookie (or, for clients that are not browsers, in the JSON body).
// The logic works on a framework-free request; sessionRoutes gives it Fetch's.
import { isJwtError } from "../jwt/errors.js";
import type { TokenPair, Tokens } from "../session/tokens.js";
import type { HeaderGetter, HeaderRecord } from "./bearer.js";
import {
  type CsrfOptions,
  checkCsrfOptions,
  csrfRefusal,
  type RefreshCookie,
  type RefreshCookieOptions,
  refreshCookie,
} from "./cookie.js";
import { json, type Refusal, refusalOf } from "./guard.js";

/** The options of the refresh and logout routes. */
export interface SessionRouteOptions {
  /** The refresh token cookie, or the options to make it with. */
  cookie?: RefreshCookie | RefreshCookieOptions;
  /** How a cookie-carried request proves it comes from our pages. Default: `Sec-Fetch-Site: same-origin` only. */
  csrf?: CsrfOptions;
}

/** A request as the routes see it, whatever the framework. */
export interface RouteRequest {
  headers: HeaderGetter;
  /** The parsed JSON body, read only when no cookie carries the refresh token. */
  body(): Promise<unknown>;
}

/** An answer, whatever the framework. */
export type RouteAnswer =
  | Refusal
  | { status: 204; headers: Record<string, string>; body?: undefined };

/** The routes, on framework-free requests and answers. */
export interface Routes {
  login(pair: TokenPair): RouteAnswer;
  refresh(request: RouteRequest): Promise<RouteAnswer>;
  logout(request: RouteRequest): Promise<RouteAnswer>;
}

/** Builds the routes; bad options fail here, with a TypeError. */
export function createRoutes<C extends object>(
  tokens: Tokens<C>,
  options: SessionRouteOptions = {},
): Routes {
  const cookie = isRefreshCookie(options.cookie) ? options.cookie : refreshCookie(options.cookie);
  const csrf = options.csrf ?? {};
  checkCsrfOptions(csrf);

  // The access token goes in the body, the refresh token only in the cookie:
  // no script on the page can read it.
  const login = ({ refreshToken, ...rest }: TokenPair): RouteAnswer =>
    json(200, rest, { "set-cookie": cookie.set(refreshToken, rest.refreshExpiresIn) });

  // Runs `use` on the refresh token of the cookie (after the CSRF check) or of the body.
  const route =
    (use: (token: string, fromCookie: boolean) => Promise<RouteAnswer>) =>
    async (request: RouteRequest): Promise<RouteAnswer> => {
      let cookieToken: string | undefined;
      try {
        cookieToken = cookie.read(request.headers.get("cookie"));
      } catch (error) {
        return refusalOf(error) as Refusal; // two of our cookies: 400, and neither is used
      }
      try {
        if (cookieToken === undefined) return await use(bodyToken(await request.body()), false);
        return csrfRefusal(request.headers, csrf) ?? (await use(cookieToken, true));
      } catch (error) {
        const refusal = refusalOf(error);
        if (!refusal) throw error;
        if (isJwtError(error)) {
          // A bad refresh token is a failed login (401), and it is dead: the browser should stop sending it.
          refusal.status = 401;
          if (cookieToken !== undefined) refusal.headers["set-cookie"] = cookie.clear();
        }
        return refusal;
      }
    };

  return {
    login,
    refresh: route(async (token, fromCookie) => {
      const pair = await tokens.refresh(token);
      return fromCookie ? login(pair) : json(200, pair, {});
    }),
    logout: route(async (token, fromCookie) => {
      await tokens.revoke(token);
      const headers: Record<string, string> = fromCookie ? { "set-cookie": cookie.clear() } : {};
      return { status: 204, headers };
    }),
  };
}

function isRefreshCookie(value: unknown): value is RefreshCookie {
  return typeof (value as { read?: unknown } | undefined)?.read === "function";
}

function bodyToken(body: unknown): string {
  const token = (body as { refreshToken?: unknown } | null | undefined)?.refreshToken;
  return typeof token === "string" ? token : "";
}

/** Node's header object as a HeaderGetter (node:http joins two Cookie headers with "; "). */
export function nodeHeaders(headers: HeaderRecord): HeaderGetter {
  const get = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(", ") : (value ?? null);
  };
  return { get, has: (name) => get(name.toLowerCase()) !== null };
}

/** The Fetch handlers of {@link sessionRoutes}. */
export interface FetchSessionRoutes {
  /** The answer to a successful login: the access token in the body, the refresh token in the cookie. */
  login(pair: TokenPair): Response;
  /** POST: rotates the refresh token of the cookie (or the body's `refreshToken`). */
  refresh(request: Request): Promise<Response>;
  /** POST: revokes the refresh token's family and clears the cookie. */
  logout(request: Request): Promise<Response>;
}

/**
 * Refresh and logout handlers for Fetch runtimes, and the login answer. The
 * refresh token travels in an `HttpOnly` cookie (checked against CSRF) or,
 * for clients that are not browsers, as `refreshToken` in a JSON body. A bad
 * refresh token gets 401 and clears the cookie, a StoreError 503; any other
 * error rejects.
 */
export function sessionRoutes<C extends object>(
  tokens: Tokens<C>,
  options?: SessionRouteOptions,
): FetchSessionRoutes {
  const routes = createRoutes(tokens, options);
  const handle = (run: Routes["refresh"]) => async (request: Request) =>
    toResponse(
      await run({ headers: request.headers, body: () => request.json().catch(() => undefined) }),
    );
  return {
    login: (pair) => toResponse(routes.login(pair)),
    refresh: handle(routes.refresh),
    logout: handle(routes.logout),
  };
}

function toResponse({ status, headers, body }: RouteAnswer): Response {
  return new Response(body ?? null, { status, headers });
}
