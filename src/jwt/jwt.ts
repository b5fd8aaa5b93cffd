import { encodeBase64url, encodeText } from "./base64url.js";
import {
  type ClaimOptions,
  type CompiledClaims,
  checkClaims,
  compileClaims,
  hasClaimType,
  invalidClaim,
  type JwtPayload,
} from "./claims.js";
import { type Duration, epochSeconds, toSeconds } from "./duration.js";
import { JwtError } from "./errors.js";
import { type HmacBackend, pending, webCryptoHmac } from "./hmac.js";
import {
  encodeHeader,
  type JwtHeader,
  mac,
  parseHeader,
  parseSegment,
  requireMatch,
  splitToken,
  verifySignature,
} from "./jws.js";
import { backendKey, type Secret } from "./key.js";

/**
 * Options of {@link sign}. Each sets a registered claim, or the header's `kid`.
 *
 * @category Sign and verify
 */
export interface SignOptions {
  /** Sets `exp`: seconds from now, or a duration such as "15m". */
  expiresIn?: Duration | undefined;
  /** Sets `nbf`: seconds from now, or a duration. */
  notBefore?: Duration | undefined;
  /** Sets `iss`. */
  issuer?: string | undefined;
  /** Sets `aud`. */
  audience?: string | string[] | undefined;
  /** Sets `sub`. */
  subject?: string | undefined;
  /** Sets `jti`. */
  jwtId?: string | undefined;
  /** Sets the `type` claim, such as "ATK" or "RTK". */
  type?: string | undefined;
  /** Sets the header's `kid`, to pick a key when secrets rotate. */
  keyId?: string | undefined;
  /**
   * Refuse to make a token without `exp` (from `expiresIn` or the payload).
   * Default true, as in {@link VerifyOptions}: `verify` refuses such a token by default.
   */
  requireExpiration?: boolean | undefined;
  /** The time the token is issued at (`iat`), for tests. Default: the system clock. */
  now?: Date | undefined;
  /** The HMAC implementation. Default: Web Crypto. `nodeHmac()` of `hs256/node` is faster on Node. */
  hmac?: HmacBackend | undefined;
}

/**
 * Options of {@link verify}.
 *
 * @category Sign and verify
 */
export interface VerifyOptions extends ClaimOptions {
  /** Longer tokens are refused before any work is done. Default 8192 characters. */
  maxTokenLength?: number | undefined;
  /** The HMAC implementation. Default: Web Crypto. `nodeHmac()` of `hs256/node` is faster on Node. */
  hmac?: HmacBackend | undefined;
}

/**
 * Picks the secret for a token from its (not yet verified) header, for key
 * rotation by `kid`. `undefined` or `null` means no key is known for it: the
 * token is refused with `ERR_JWT_KEY`.
 *
 * @category Sign and verify
 */
export type SecretResolver = (
  header: JwtHeader,
) => Secret | undefined | null | Promise<Secret | undefined | null>;

/**
 * What {@link verify} and {@link decodeUnverified} return.
 *
 * @category Sign and verify
 */
export interface DecodedJwt<P extends object = JwtPayload> {
  header: JwtHeader;
  payload: P & JwtPayload;
}

/**
 * Default of {@link VerifyOptions.maxTokenLength}.
 *
 * @category Sign and verify
 */
export const DEFAULT_MAX_TOKEN_LENGTH = 8192;

/**
 * Signs `payload` as an HS256 JWT. `iat` is set to now unless the payload has one.
 *
 * @throws TypeError when the payload is not a plain JSON object, an option is
 *   not understood, an option sets a claim the payload already has, or the
 *   token would have no `exp` and `requireExpiration` is not false.
 * @throws JwtError `ERR_JWT_KEY` when the secret is shorter than 32 bytes.
 * @example
 * ```ts
 * import { sign } from "hs256";
 *
 * const token = await sign({ sub: "alice", role: "admin" }, process.env.JWT_SECRET!, {
 *   expiresIn: "15m",
 * });
 * ```
 *
 * @category Sign and verify
 */
export async function sign(
  payload: object,
  secret: Secret,
  options: SignOptions = {},
): Promise<string> {
  const claims = claimsJson(payload, options);
  const backend = options.hmac ?? webCryptoHmac;
  let key = backendKey(secret, "sign", backend);
  if (pending(key)) key = await key;
  const input = `${encodeHeader(options.keyId)}.${encodeText(claims)}`;
  let bytes = mac(key, input, backend);
  if (pending(bytes)) bytes = await bytes;
  return `${input}.${encodeBase64url(bytes)}`;
}

/**
 * Verifies an HS256 JWT: its form, header, signature and then its claims, in that order.
 *
 * @throws JwtError with the code that says what failed.
 * @example
 * ```ts
 * import { isJwtError, verify } from "hs256";
 *
 * try {
 *   const { payload } = await verify<{ role: string }>(token, process.env.JWT_SECRET!);
 *   console.log(payload.sub, payload.role);
 * } catch (error) {
 *   if (!isJwtError(error)) throw error;
 *   console.log(error.code, error.status); // e.g. "ERR_JWT_EXPIRED" 401
 * }
 * ```
 *
 * @category Sign and verify
 */
export async function verify<P extends object = JwtPayload>(
  token: string,
  secret: Secret | SecretResolver,
  options: VerifyOptions = {},
): Promise<DecodedJwt<P>> {
  // Compiled first, so that options that are no object get their own TypeError.
  const compiled = compileVerifyOptions(options);
  return verifyCompiled<P>(token, secret, compiled, epochSeconds(options.now));
}

/**
 * {@link VerifyOptions} checked and converted once.
 *
 * @category Sign and verify
 */
export interface CompiledVerify {
  readonly claims: CompiledClaims;
  readonly maxLength: number;
  readonly backend: HmacBackend;
}

/**
 * Checks the options of `verify`: a TypeError for any that cannot be used.
 *
 * @category Sign and verify
 */
export function compileVerifyOptions(options: VerifyOptions): CompiledVerify {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("options must be an object");
  }
  const maxLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  // NaN compares false with everything, so it would silently turn the limit off.
  if (!(maxLength >= 0)) throw new TypeError("maxTokenLength must be a number of characters");
  if (options.now !== undefined) epochSeconds(options.now);
  return {
    claims: compileClaims(options),
    maxLength,
    backend: options.hmac ?? webCryptoHmac,
  };
}

/**
 * {@link verify} with options compiled by {@link compileVerifyOptions}, at `now` in seconds.
 *
 * @category Sign and verify
 */
export async function verifyCompiled<P extends object = JwtPayload>(
  token: string,
  secret: Secret | SecretResolver,
  options: CompiledVerify,
  now: number,
): Promise<DecodedJwt<P>> {
  const parts = splitToken(token, options.maxLength);
  const header = parseHeader(parts);
  const { backend } = options;
  let key = backendKey(
    typeof secret === "function" ? await resolveSecret(secret, header) : secret,
    "verify",
    backend,
  );
  if (pending(key)) key = await key;
  let matches = verifySignature(key, parts, backend);
  // Awaited here, not chained: a promise and a turn fewer than a then() around it.
  if (pending(matches)) matches = await matches;
  requireMatch(matches);
  // Only now, with the signature good, is the payload read at all.
  const payload = parseSegment(parts.token, parts.dot1 + 1, parts.dot2, "payload") as P &
    JwtPayload;
  checkClaims(payload, options.claims, now);
  return { header, payload };
}

/**
 * Decodes a token WITHOUT checking its signature or claims, with the same strict
 * parsing as {@link verify}. Never trust what it returns: it is for logs and debugging.
 *
 * @category Sign and verify
 */
export function decodeUnverified<P extends object = JwtPayload>(token: string): DecodedJwt<P> {
  const parts = splitToken(token, DEFAULT_MAX_TOKEN_LENGTH);
  const header = parseSegment(parts.token, 0, parts.dot1, "header") as JwtHeader;
  const payload = parseSegment(parts.token, parts.dot1 + 1, parts.dot2, "payload") as P &
    JwtPayload;
  return { header, payload };
}

// The kid comes from the client: a resolver that knows no key for it has been
// sent an unknown key id (a 401), not given a broken secret (a 500).
async function resolveSecret(resolver: SecretResolver, header: JwtHeader): Promise<Secret> {
  const secret = await resolver(header);
  if (secret === undefined || secret === null) {
    throw new JwtError("ERR_JWT_KEY", "no key for this token's key id");
  }
  return secret;
}

const OPTION_CLAIMS = [
  ["expiresIn", "exp"],
  ["notBefore", "nbf"],
  ["issuer", "iss"],
  ["audience", "aud"],
  ["subject", "sub"],
  ["jwtId", "jti"],
  ["type", "type"],
] as const;

// The claims as JSON: the payload's own, then those it lacks (iat, and those
// the options set) appended to its JSON. Set on a copy of the payload instead,
// each claim added cost more than the rest of sign (engines make a new shape
// of object for each property added to a copy).
function claimsJson(payload: object, options: SignOptions): string {
  if (!isPlainObject(payload)) throw new TypeError("payload must be a plain JSON object");
  assertClaimTypes(payload);
  const own = payload as JwtPayload;
  const iat = own.iat ?? epochSeconds(options.now);
  let added = own.iat === undefined ? `,"iat":${iat}` : "";
  let exp = own.exp;
  for (const [option, claim] of OPTION_CLAIMS) {
    const value = options[option];
    if (value === undefined) continue;
    if (own[claim] !== undefined) {
      throw new TypeError(`options.${option} sets "${claim}", which the payload already has`);
    }
    const set =
      option === "expiresIn" || option === "notBefore"
        ? Math.floor(iat + toSeconds(value as Duration, option))
        : value;
    if (!hasClaimType(claim, set)) throw new TypeError(`"${claim}" claim has the wrong type`);
    if (claim === "exp") exp = set as number;
    added += `,"${claim}":${JSON.stringify(set)}`;
  }
  // verify refuses a token without exp unless told otherwise; sign agrees, so
  // that a token made with the defaults is one verify accepts.
  if (exp === undefined && options.requireExpiration !== false) {
    throw new TypeError(
      'token has no "exp": set expiresIn (or "exp" in the payload), or requireExpiration: false for a token that never expires',
    );
  }
  const json = JSON.stringify(payload);
  return json === "{}" ? `{${added.slice(1)}}` : `${json.slice(0, -1)}${added}}`;
}

function assertClaimTypes(claims: JwtPayload): void {
  // verify answers a non-string type with ERR_JWT_TYPE; sign never writes one.
  const bad = hasClaimType("type", claims.type) ? invalidClaim(claims) : "type";
  if (bad) throw new TypeError(`"${bad}" claim has the wrong type`);
}

// Plain data: no class, and no toJSON to write something else than its claims.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || "toJSON" in value) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
