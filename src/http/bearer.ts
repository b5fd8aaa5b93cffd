// The Bearer scheme of RFC 6750: reading the token from a request (section 2.1)
// and the WWW-Authenticate challenge that answers a failure (section 3).
import { challenge } from "../jwt/challenge.js";
import { JwtError } from "../jwt/errors.js";

export { challenge };

/** A header bag as Node's `IncomingMessage.headers` or a plain object holds it. @category HTTP */
export type HeaderRecord = Record<string, string | string[] | undefined>;

/** Anything that looks headers up by name, as the Fetch `Headers` does. @category HTTP */
export interface HeaderGetter {
  /** The header's value, or null when there is none. */
  get(name: string): string | null;
}

/**
 * Where `authenticate` finds the Authorization header: a Fetch `Request`, a
 * `Headers`, a Node `IncomingMessage` (anything with `headers`), a plain header
 * object, or the header's value itself.
 * @category HTTP
 */
export type AuthorizationSource =
  | string
  | null
  | undefined
  | HeaderGetter
  | { headers: HeaderGetter | HeaderRecord }
  | HeaderRecord;

// RFC 6750 section 2.1: credentials = "Bearer" 1*SP b64token, where
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
const CREDENTIALS = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?: +(.*))?$/;
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Reads the Bearer token from a request or its headers.
 *
 * @throws JwtError `ERR_JWT_MISSING` (status 401) when there are no credentials
 *   or another scheme; `ERR_JWT_MALFORMED` (status 400, `invalid_request`) when
 *   the header is not one scheme and one token.
 * @category HTTP
 */
export function readBearerToken(source: AuthorizationSource, realm?: string): string {
  const value = authorizationHeader(source, realm)?.trim();
  if (!value) throw missing(realm);
  const match = CREDENTIALS.exec(value);
  if (!match) throw invalidRequest("Authorization header is malformed", realm);
  // Another scheme (Basic, say) is not an error of ours: the client sent no Bearer credentials.
  if (match[1]?.toLowerCase() !== "bearer") throw missing(realm);
  const token = match[2];
  if (token === undefined || !B64TOKEN.test(token)) {
    throw invalidRequest("Authorization header must be one Bearer token", realm);
  }
  return token;
}

/** Sets the HTTP answer on an error, so that a framework can reply in one line. @category HTTP */
export function withChallenge(error: JwtError, status: number, wwwAuthenticate: string): JwtError {
  error.status = status;
  error.wwwAuthenticate = wwwAuthenticate;
  return error;
}

// RFC 6750 section 3.1: a request with no authentication information gets a
// challenge with no error code.
function missing(realm: string | undefined): JwtError {
  return withChallenge(
    new JwtError("ERR_JWT_MISSING", "no Bearer token in the Authorization header"),
    401,
    challenge(realm),
  );
}

function invalidRequest(message: string, realm: string | undefined): JwtError {
  return withChallenge(
    new JwtError("ERR_JWT_MALFORMED", message),
    400,
    challenge(realm, "invalid_request", message),
  );
}

function authorizationHeader(
  source: AuthorizationSource,
  realm: string | undefined,
): string | undefined {
  if (source === undefined || source === null) return undefined;
  if (typeof source === "string") return source;
  if (typeof source !== "object")
    throw new TypeError("authenticate needs a request, headers or a header value");
  if (hasGet(source)) return source.get("authorization") ?? undefined;
  const bag = (source as { headers?: unknown }).headers;
  const headers = (typeof bag === "object" && bag !== null ? bag : source) as object;
  if (hasGet(headers)) return headers.get("authorization") ?? undefined;
  return fromRecord(headers as HeaderRecord, realm);
}

// Node lower-cases header names; a plain object may not, so the name is matched
// without regard to case, and two Authorization headers are refused.
function fromRecord(headers: HeaderRecord, realm: string | undefined): string | undefined {
  let found: string | string[] | undefined;
  for (const name in headers) {
    if (name.toLowerCase() === "authorization" && headers[name] !== undefined) {
      if (found !== undefined) throw invalidRequest("more than one Authorization header", realm);
      found = headers[name];
    }
  }
  if (Array.isArray(found)) {
    if (found.length > 1) throw invalidRequest("more than one Authorization header", realm);
    return found[0];
  }
  return found;
}

function hasGet(value: object): value is HeaderGetter {
  return typeof (value as { get?: unknown }).get === "function";
}
