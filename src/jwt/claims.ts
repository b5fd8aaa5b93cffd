import { type Duration, toSeconds } from "./duration.js";
import { JwtError } from "./errors.js";

/**
 * The registered claims of RFC 7519 section 4.1, plus the `type` claim that tells
 * an access token ("ATK") from a refresh token ("RTK").
 *
 * @category Sign and verify
 */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  type?: string;
}

/**
 * A token payload: the registered claims and any others.
 *
 * @category Sign and verify
 */
export interface JwtPayload extends JwtClaims {
  [claim: string]: unknown;
}

/**
 * What {@link verify} checks in the payload, beyond the signature.
 *
 * @category Sign and verify
 */
export interface ClaimOptions {
  /** Accepted values of the `type` claim. When set, a token without it, or with another, fails with `ERR_JWT_TYPE`. */
  type?: string | readonly string[] | undefined;
  /** Accepted issuers: `iss` must equal one. */
  issuer?: string | readonly string[] | undefined;
  /** Accepted audiences: `aud`, or one of its values, must equal one. */
  audience?: string | readonly string[] | undefined;
  /** The only accepted `sub`. */
  subject?: string | undefined;
  /** Leeway for `exp`, `nbf` and `iat`, against clock skew. Default 0. */
  clockTolerance?: Duration | undefined;
  /** The oldest `iat` accepted; a token without `iat` then fails. */
  maxTokenAge?: Duration | undefined;
  /** Claims that must be present. */
  requiredClaims?: readonly string[] | undefined;
  /** Refuse a token without `exp`. Default true: a token that never expires is rarely meant. */
  requireExpiration?: boolean | undefined;
  /** The current time, for tests. Default: the system clock. */
  now?: Date | undefined;
}

// In the order in which invalidClaim names the first wrong one.
const TYPED_CLAIMS = ["exp", "nbf", "iat", "iss", "sub", "jti", "aud"] as const;

/**
 * The claims whose type {@link hasClaimType} knows.
 *
 * @category Sign and verify
 */
export type TypedClaim = (typeof TYPED_CLAIMS)[number] | "type";

/**
 * Names the first registered claim whose value has the wrong type, or returns
 * undefined: see {@link hasClaimType}.
 *
 * @category Sign and verify
 */
export function invalidClaim(payload: JwtPayload): string | undefined {
  for (const name of TYPED_CLAIMS) if (!hasClaimType(name, payload[name])) return name;
  return undefined;
}

/**
 * Whether `value` has the type of claim `name`, or is undefined (absent).
 * NumericDate must be a finite number (RFC 7519 section 2), `iss`, `sub` and
 * `jti` strings, `aud` a string or an array of strings (4.1.3), and `type` a
 * string.
 *
 * @category Sign and verify
 */
export function hasClaimType(name: TypedClaim, value: unknown): boolean {
  if (value === undefined) return true;
  switch (name) {
    case "exp":
    case "nbf":
    case "iat":
      return Number.isFinite(value);
    case "aud":
      return (
        typeof value === "string" ||
        (Array.isArray(value) && value.every((item) => typeof item === "string"))
      );
    default:
      return typeof value === "string";
  }
}

/**
 * {@link ClaimOptions} checked and converted once, as the checks use them.
 *
 * @category Sign and verify
 */
export interface CompiledClaims {
  readonly tolerance: number;
  readonly maxAge: number | undefined;
  readonly requireExpiration: boolean;
  readonly issuer: readonly string[] | undefined;
  readonly audience: readonly string[] | undefined;
  readonly subject: string | undefined;
  readonly type: readonly string[] | undefined;
  readonly requiredClaims: readonly string[];
}

/**
 * Checks the claim options and converts them once, so that a verifier made at
 * start-up refuses a bad option there (a TypeError), never per request.
 *
 * @category Sign and verify
 */
export function compileClaims(options: ClaimOptions): CompiledClaims {
  const { clockTolerance, maxTokenAge, requireExpiration, subject } = options;
  if (requireExpiration !== undefined && typeof requireExpiration !== "boolean") {
    throw new TypeError("requireExpiration must be true or false");
  }
  if (subject !== undefined && typeof subject !== "string") {
    throw new TypeError("subject must be a string");
  }
  return {
    tolerance: clockTolerance === undefined ? 0 : span(clockTolerance, "clockTolerance"),
    maxAge: maxTokenAge === undefined ? undefined : span(maxTokenAge, "maxTokenAge"),
    requireExpiration: requireExpiration !== false,
    issuer: strings(options.issuer, "issuer"),
    audience: strings(options.audience, "audience"),
    subject,
    type: strings(options.type, "type"),
    requiredClaims: strings(options.requiredClaims, "requiredClaims") ?? [],
  };
}

/**
 * Checks the claims of a payload whose signature is already verified.
 *
 * @category Sign and verify
 */
export function validateClaims(payload: JwtPayload, options: ClaimOptions, now: number): void {
  checkClaims(payload, compileClaims(options), now);
}

/**
 * {@link validateClaims} with options compiled by {@link compileClaims}.
 *
 * @category Sign and verify
 */
export function checkClaims(payload: JwtPayload, claims: CompiledClaims, now: number): void {
  const bad = invalidClaim(payload);
  if (bad) throw claimError(bad, `"${bad}" claim has the wrong type`);
  checkTimes(payload, claims, now);
  checkValues(payload, claims);
}

/**
 * The checks whose answer depends on the time: `exp`, `nbf` and `maxTokenAge`.
 * All that a verified token from a cache needs again.
 *
 * @category Sign and verify
 */
export function checkTimes(payload: JwtPayload, claims: CompiledClaims, now: number): void {
  const { tolerance, maxAge } = claims;
  const { exp, nbf, iat } = payload;
  if (exp === undefined) {
    if (claims.requireExpiration) throw claimError("exp", 'token has no "exp" claim');
  } else if (exp <= now - tolerance) {
    // RFC 7519 section 4.1.4: the token MUST NOT be accepted on or after exp.
    throw new JwtError("ERR_JWT_EXPIRED", "token has expired", { expiredAt: new Date(exp * 1000) });
  }
  // RFC 7519 section 4.1.5: the token MUST NOT be accepted before nbf.
  if (nbf !== undefined && nbf > now + tolerance) {
    throw new JwtError("ERR_JWT_NOT_YET_VALID", "token is not valid yet");
  }
  if (maxAge !== undefined) {
    if (iat === undefined)
      throw claimError("iat", 'token has no "iat" claim, which maxTokenAge needs');
    if (iat > now + tolerance) throw claimError("iat", '"iat" claim is in the future');
    if (now - iat - tolerance > maxAge) {
      throw new JwtError("ERR_JWT_EXPIRED", "token is older than maxTokenAge", {
        expiredAt: new Date((iat + maxAge) * 1000),
      });
    }
  }
}

function checkValues(payload: JwtPayload, claims: CompiledClaims): void {
  if (claims.issuer !== undefined && !accepts(claims.issuer, payload.iss)) {
    throw claimError("iss", '"iss" claim is not an accepted issuer');
  }
  if (claims.audience !== undefined) {
    const aud = payload.aud;
    const values = typeof aud === "string" ? [aud] : (aud ?? []);
    const audience = claims.audience;
    if (!values.some((value) => accepts(audience, value))) {
      throw claimError("aud", '"aud" claim has no accepted audience');
    }
  }
  if (claims.subject !== undefined && payload.sub !== claims.subject) {
    throw claimError("sub", '"sub" claim is not the expected subject');
  }
  if (claims.type !== undefined && !accepts(claims.type, payload.type)) {
    const expected = claims.type;
    throw new JwtError(
      "ERR_JWT_TYPE",
      `token type is ${describe(payload.type)}, expected ${expected.map((t) => JSON.stringify(t)).join(" or ")}`,
      { expected, actual: payload.type },
    );
  }
  for (const name of claims.requiredClaims) {
    if (!Object.hasOwn(payload, name) || payload[name] === undefined)
      throw claimError(name, `token has no "${name}" claim`);
  }
}

// A negative leeway or age would quietly refuse valid tokens, or accept none:
// more likely a sign error than intent.
function span(value: Duration, option: string): number {
  const seconds = toSeconds(value, option);
  if (seconds < 0) throw new TypeError(`${option} must not be negative`);
  return seconds;
}

function strings(
  value: string | readonly string[] | undefined,
  option: string,
): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
  throw new TypeError(`${option} must be a string or an array of strings`);
}

function accepts(accepted: readonly string[], value: unknown): boolean {
  return accepted.includes(value as string);
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  return typeof value === "string" ? JSON.stringify(value.slice(0, 16)) : "not a string";
}

function claimError(claim: string, message: string): JwtError {
  return new JwtError("ERR_JWT_CLAIM", message, { claim });
}
