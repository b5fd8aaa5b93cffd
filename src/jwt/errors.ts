import { challenge } from "./challenge.js";

/**
 * The stable error codes of {@link JwtError}. Match on `error.code`, never on the message.
 *
 * @category Errors
 */
export type JwtErrorCode =
  | "ERR_JWT_MALFORMED"
  | "ERR_JWT_ALGORITHM"
  | "ERR_JWT_SIGNATURE"
  | "ERR_JWT_EXPIRED"
  | "ERR_JWT_NOT_YET_VALID"
  | "ERR_JWT_CLAIM"
  | "ERR_JWT_TYPE"
  | "ERR_JWT_KEY"
  | "ERR_JWT_REVOKED"
  | "ERR_JWT_MISSING";

/**
 * Extra facts carried by some codes, as given to the {@link JwtError} constructor.
 *
 * @category Errors
 */
export interface JwtErrorDetails {
  /** With `ERR_JWT_EXPIRED`: when the token stopped being valid. */
  expiredAt?: Date | undefined;
  /** With `ERR_JWT_CLAIM`: the name of the claim that failed. */
  claim?: string | undefined;
  /** With `ERR_JWT_TYPE`: the accepted values of the `type` claim. */
  expected?: readonly string[] | undefined;
  /** With `ERR_JWT_TYPE`: the value the token carried. */
  actual?: unknown;
  /** The underlying error, when one caused this one. */
  cause?: unknown;
}

/**
 * The detail fields each code always carries: what {@link isJwtError} with a
 * code, or a check of `error.code`, makes available.
 *
 * @category Errors
 */
export interface JwtErrorFields {
  /** `expiredAt`: when the token stopped being valid. */
  ERR_JWT_EXPIRED: { readonly expiredAt: Date };
  /** `claim`: the name of the claim that failed. */
  ERR_JWT_CLAIM: { readonly claim: string };
  /** `expected`: the accepted values of `type`; `actual`: the token's. */
  ERR_JWT_TYPE: { readonly expected: readonly string[]; readonly actual: unknown };
}

/**
 * A {@link JwtError} of code `C`, with the fields that code carries. Over
 * several codes it is a union discriminated by `code`, so that checking
 * `error.code` narrows it.
 *
 * @category Errors
 */
export type JwtErrorOf<C extends JwtErrorCode = JwtErrorCode> = C extends JwtErrorCode
  ? JwtError & { readonly code: C } & (C extends keyof JwtErrorFields ? JwtErrorFields[C] : unknown)
  : never;

// Symbol.for is shared by every copy of the package in a process (the ESM and
// the CommonJS build, two installed versions, another realm), where instanceof
// knows only its own class.
const BRAND = Symbol.for("hs256.JwtError");

/**
 * Every failure to verify a token, and every refused key, is a `JwtError`.
 * Messages say what was wrong; they never contain the secret or the token.
 * `instanceof JwtError` and {@link isJwtError} are true for a JwtError from any
 * copy of this package.
 *
 * @category Errors
 */
export class JwtError extends Error {
  override readonly name = "JwtError";
  /** What failed: stable, unlike the message. */
  readonly code: JwtErrorCode;
  /** With `ERR_JWT_EXPIRED`: when the token stopped being valid. */
  declare readonly expiredAt?: Date;
  /** With `ERR_JWT_CLAIM`: the name of the claim that failed. */
  declare readonly claim?: string;
  /** With `ERR_JWT_TYPE`: the accepted values of the `type` claim. */
  declare readonly expected?: readonly string[];
  /** With `ERR_JWT_TYPE`: the value the token carried. */
  declare readonly actual?: unknown;
  /**
   * The HTTP status to answer with: 401, or 400 for a malformed request that
   * `authenticate` read.
   */
  status: number;
  /**
   * The `WWW-Authenticate` challenge of RFC 6750 section 3 that answers this
   * error: `Bearer error="invalid_token", error_description="..."`, or a bare
   * `Bearer` for `ERR_JWT_MISSING` (section 3.1: no error code when the request
   * had no credentials). The session and HTTP layers add the realm.
   */
  wwwAuthenticate: string;

  constructor(code: JwtErrorCode, message: string, details: JwtErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.expiredAt !== undefined) this.expiredAt = details.expiredAt;
    if (details.claim !== undefined) this.claim = details.claim;
    if (details.expected !== undefined) this.expected = details.expected;
    if ("actual" in details) this.actual = details.actual;
    this.status = 401;
    this.wwwAuthenticate =
      code === "ERR_JWT_MISSING" ? challenge() : challenge(undefined, "invalid_token", message);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a JwtError from any copy of this package (ESM, CommonJS, another realm). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isBranded(value);
  }
}

/**
 * True when `error` is a {@link JwtError} from any copy of this package, and,
 * when `code` is given, has that code; the type then narrows to that code's
 * fields (`expiredAt` with `ERR_JWT_EXPIRED`, `claim` with `ERR_JWT_CLAIM`, ...).
 *
 * @example
 * ```ts
 * import { isJwtError, verify } from "hs256";
 *
 * try {
 *   await verify(token, secret);
 * } catch (error) {
 *   if (isJwtError(error, "ERR_JWT_EXPIRED")) console.log(error.expiredAt.toISOString());
 *   else if (!isJwtError(error)) throw error;
 * }
 * ```
 *
 * @category Errors
 */
export function isJwtError<C extends JwtErrorCode = JwtErrorCode>(
  error: unknown,
  code?: C,
): error is JwtErrorOf<C> {
  return isBranded(error) && (code === undefined || (error as JwtError).code === code);
}

function isBranded(value: unknown): boolean {
  return typeof value === "object" && value !== null && BRAND in value;
}
