// The Bearer scheme of RFC 6750: reading the token from a request (section 2.1)
// and the WWW-Authenticate challenge that answers a failure (section 3).
import { challenge } from "../jwt/challenge.js";
import { JwtError } from "../jwt/errors.js";

export { challenge };

/** A header bag as Node's `IncomingMessage.headers` or a plain object holds it. @category HTTP */
export type HeaderRecord = Record<string, string | string[] | undefined>;

/**
 * Anything that looks headers up by name, as the Fetch `Headers` does. `has`
 * is asked for too, so that an object with an unrelated `get` (a Hono
 * `Context`, whose `get` reads its variables) is not taken for headers.
 * @category HTTP
 */
export interface HeaderGetter {
  /** The header's value, or null when there is none. */
  get(name: string): string | null;
  /** Whether the header is present. */
  has(name: string): boolean;
}

/**
 * Where `authenticate` finds the Authorization header: a Fetch `Request`, a
 * `Headers`, a Node `IncomingMessage` (anything with `headers`; its
 * `rawHeaders` are read when present), a plain header object, or the header's
 * value itself. Anything else is refused with a TypeError.
 * @category HTTP
 */
export type AuthorizationSource =
  | string
  | null
  | undefined
  | HeaderGetter
  | { headers: HeaderGetter | HeaderRecord; rawHeaders?: readonly string[] }
  | HeaderRecord;

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
  const credentials = parseCredentials(value);
  if (!credentials) throw invalidRequest("Authorization header is malformed", realm);
  // Another scheme (Basic, say) is not an error of ours: the client sent no Bearer credentials.
  if (credentials.scheme.toLowerCase() !== "bearer") throw missing(realm);
  if (credentials.token === undefined) {
    throw invalidRequest("Authorization header must be one Bearer token", realm);
  }
  return credentials.token;
}

/** The characters {@link parseCredentials} reads: a string, or anything that counts its reads. */
export interface Characters {
  readonly length: number;
  charCodeAt(index: number): number;
  slice(start: number, end?: number): string;
}

/**
 * Splits `credentials = auth-scheme [ 1*SP token ]` (RFC 9110 section 11.4)
 * in one pass that reads each character once, so that no header can make it
 * backtrack (a regular expression took quadratic time on "Bearer", many
 * spaces and a line break). `token` is set only when it is one RFC 6750
 * section 2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
 * Undefined when the scheme is not a token or is not followed by a space.
 */
export function parseCredentials(
  value: Characters,
): { scheme: string; token?: string } | undefined {
  const end = value.length;
  let at = 0;
  while (at < end && isTchar(value.charCodeAt(at))) at++;
  if (at === 0) return undefined;
  const scheme = value.slice(0, at);
  if (at === end) return { scheme };
  if (value.charCodeAt(at) !== SPACE) return undefined;
  while (at < end && value.charCodeAt(at) === SPACE) at++;
  const start = at;
  while (at < end && isB64(value.charCodeAt(at))) at++;
  if (at === start) return { scheme };
  while (at < end && value.charCodeAt(at) === EQUALS) at++;
  return at === end ? { scheme, token: value.slice(start, end) } : { scheme };
}

const SPACE = 0x20;
const EQUALS = 0x3d;

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

// RFC 9110 section 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
function isTchar(c: number): boolean {
  return isAlnum(c) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(c));
}

function isB64(c: number): boolean {
  return isAlnum(c) || "-._~+/".includes(String.fromCharCode(c));
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
  if (typeof source !== "object") throw unreadable();
  const raw = (source as { rawHeaders?: unknown }).rawHeaders;
  if (Array.isArray(raw)) return fromRawHeaders(raw, realm);
  if (isHeaderGetter(source)) return source.get("authorization") ?? undefined;
  const bag = (source as { headers?: unknown }).headers;
  if (typeof bag === "object" && bag !== null) {
    if (isHeaderGetter(bag)) return bag.get("authorization") ?? undefined;
    if (isHeaderRecord(bag)) return fromRecord(bag, realm);
  }
  if (isHeaderRecord(source)) return fromRecord(source, realm);
  throw unreadable();
}

// A Hono Context, a Koa Context or an Express Response passed by mistake must
// not be read as "no credentials", which would deny every request in silence.
function unreadable(): TypeError {
  return new TypeError(
    "authenticate needs a Request, Headers, a Node IncomingMessage, a plain header object or a header value",
  );
}

// node:http keeps only the first of two Authorization headers in `headers`
// (they may not be combined: RFC 9110 section 5.3), so the raw list is read to
// refuse the second one, as the Fetch Headers refuses "a, b".
function fromRawHeaders(raw: readonly unknown[], realm: string | undefined): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (typeof name !== "string" || name.toLowerCase() !== "authorization") continue;
    if (found !== undefined) throw invalidRequest("more than one Authorization header", realm);
    found = String(raw[i + 1]);
  }
  return found;
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

function isHeaderGetter(value: object): value is HeaderGetter {
  const { get, has } = value as { get?: unknown; has?: unknown };
  return typeof get === "function" && typeof has === "function";
}

// Only a plain object of strings is a header record: a class instance is not.
function isHeaderRecord(value: object): value is HeaderRecord {
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every(
    (v) => v === undefined || typeof v === "string" || Array.isArray(v),
  );
}
