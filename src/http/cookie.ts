// The refresh token in a cookie (RFC 6265), and the CSRF check that a
// cookie-carried request needs: a browser sends the cookie with any request
// to our site, including one that another site makes it send.
import { JwtError } from "../jwt/errors.js";
import type { HeaderGetter } from "./bearer.js";
import { json, type Refusal } from "./guard.js";

/** Where and how the refresh token cookie is set. */
export interface RefreshCookieOptions {
  /** The cookie's name; with `path: "/"` it gets the `__Host-` prefix. Default `"rtk"`. */
  name?: string;
  /** A path that covers both the refresh and the logout route, and nothing else. Default `"/auth"`. */
  path?: string;
  /** Default `"Strict"`: the browser sends the cookie on requests from our own site only. */
  sameSite?: "Strict" | "Lax" | "None";
  /** Default true. False only for development over plain http. */
  secure?: boolean;
  /** Shares the cookie with subdomains; not allowed with `path: "/"` (the `__Host-` prefix forbids it). */
  domain?: string;
}

/** The refresh token cookie of {@link refreshCookie}. */
export interface RefreshCookie {
  /** The cookie's name, with its prefix. */
  readonly name: string;
  /** The `Set-Cookie` value that stores `refreshToken` for `maxAge` seconds (a TokenPair's `refreshExpiresIn`). */
  set(refreshToken: string, maxAge: number): string;
  /** The `Set-Cookie` value that removes the cookie (logout, or a refresh token that failed). */
  clear(): string;
  /**
   * The refresh token in a `Cookie` header, or undefined when there is none.
   * @throws JwtError `ERR_JWT_MALFORMED` (status 400) when the cookie comes twice.
   */
  read(cookieHeader: string | null | undefined): string | undefined;
}

// RFC 6265 section 4.1.1: cookie-name is an RFC 2616 token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 section 5.2.4 and 5.2.3: the attribute values may not end the attribute early.
const ATTRIBUTE = /^[\x21-\x3A\x3C-\x7E]+$/;

/**
 * Makes the refresh token cookie: `HttpOnly` (no script can read it),
 * `Secure`, `SameSite=Strict`, and a `Path` that reaches only the refresh and
 * logout routes. Bad options fail here, with a TypeError.
 */
export function refreshCookie(options: RefreshCookieOptions = {}): RefreshCookie {
  const { name = "rtk", path = "/auth", sameSite = "Strict", secure = true, domain } = options;
  if (!TOKEN.test(name)) throw new TypeError("cookie name must be an RFC 6265 token");
  if (!path.startsWith("/") || !ATTRIBUTE.test(path)) {
    throw new TypeError('cookie path must start with "/" and hold no ";", space or control');
  }
  if (domain !== undefined && !ATTRIBUTE.test(domain)) throw new TypeError("bad cookie domain");
  if (!["Strict", "Lax", "None"].includes(sameSite)) throw new TypeError("bad sameSite");
  // RFC 6265bis section 4.1.3.2: a __Host- cookie is Secure, Path=/, with no Domain,
  // so that no subdomain or other path can set one that shadows it.
  if (path === "/" && (domain !== undefined || !secure)) {
    throw new TypeError(
      'a cookie with path "/" gets the __Host- prefix: it needs secure and no domain',
    );
  }
  if (sameSite === "None" && !secure) throw new TypeError("SameSite=None needs secure");
  const fullName = path === "/" ? `__Host-${name}` : name;
  const attributes = [
    `Path=${path}`,
    ...(domain === undefined ? [] : [`Domain=${domain}`]),
    "HttpOnly",
    ...(secure ? ["Secure"] : []),
    `SameSite=${sameSite}`,
  ].join("; ");
  return {
    name: fullName,
    set(refreshToken, maxAge) {
      if (!/^[A-Za-z0-9\-_.]+$/.test(refreshToken)) throw new TypeError("not a token");
      return `${fullName}=${refreshToken}; Max-Age=${Math.max(0, Math.floor(maxAge))}; ${attributes}`;
    },
    clear: () => `${fullName}=; Max-Age=0; ${attributes}`,
    read: (header) => readCookie(header, fullName),
  };
}

/**
 * One cookie's value from a `Cookie` header (RFC 6265 section 5.4: pairs
 * separated by ";", the value maybe in double quotes). Two of the same name
 * are refused: another path or a subdomain may have set the second to toss
 * its own token in (RFC 6265 section 8.6), and we cannot tell which is ours.
 */
function readCookie(header: string | null | undefined, name: string): string | undefined {
  let found: string | undefined;
  for (const pair of (header ?? "").split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    if (found !== undefined) {
      const error = new JwtError(
        "ERR_JWT_MALFORMED",
        "the refresh token cookie comes more than once",
      );
      error.status = 400;
      throw error;
    }
    const value = pair.slice(eq + 1).trim();
    found =
      value.length >= 2 && value.startsWith('"') && value.endsWith('"')
        ? value.slice(1, -1)
        : value;
  }
  return found === "" ? undefined : found;
}

/**
 * How a cookie-carried refresh or logout proves it comes from our own pages.
 * A request passes when its `Sec-Fetch-Site` is `same-origin`, or its `Origin`
 * is one of `origins`; with `header` set, it must carry that header instead
 * (a page of another site cannot add one without a CORS preflight we refuse).
 */
export interface CsrfOptions {
  /** The origins of our pages, as `https://app.example`. */
  origins?: readonly string[];
  /** A request header every refresh and logout must carry, as `X-Requested-With`. */
  header?: string;
}

/** Fails at start-up on CSRF options that cannot be checked. */
export function checkCsrfOptions(options: CsrfOptions): void {
  for (const origin of options.origins ?? []) {
    if (typeof origin !== "string" || new URL(origin).origin !== origin) {
      throw new TypeError(`not an origin: ${origin}`);
    }
  }
  if (options.header !== undefined && !TOKEN.test(options.header)) {
    throw new TypeError("csrf header must be a header name");
  }
}

/** Undefined when the request passes the CSRF check of `options`, else the 403 that refuses it. */
export function csrfRefusal(headers: HeaderGetter, options: CsrfOptions): Refusal | undefined {
  if (options.header !== undefined) {
    return headers.has(options.header)
      ? undefined
      : forbidden(`the ${options.header} header is missing`);
  }
  // Fetch Metadata: the browser itself says where the request comes from.
  if (headers.get("sec-fetch-site") === "same-origin") return undefined;
  // RFC 6454 section 7: the browser sends Origin on every cross-origin request and every POST.
  const origin = headers.get("origin");
  if (origin !== null && options.origins?.includes(origin)) return undefined;
  return forbidden("the request does not come from an allowed origin");
}

function forbidden(message: string): Refusal {
  return json(403, { error: "ERR_CSRF", message }, {});
}
