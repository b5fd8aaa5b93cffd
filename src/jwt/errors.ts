/**
 * The stable error codes of {@link JwtError}. Match on `error.code`, never on the message.
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

/** Extra facts carried by some codes. */
export interface JwtErrorDetails {
  /** With `ERR_JWT_EXPIRED`: when the token stopped being valid. */
  expiredAt?: Date;
  /** With `ERR_JWT_CLAIM`: the name of the claim that failed. */
  claim?: string;
  /** With `ERR_JWT_TYPE`: the accepted values of the `type` claim. */
  expected?: readonly string[];
  /** With `ERR_JWT_TYPE`: the value the token carried. */
  actual?: unknown;
  /** The underlying error, when one caused this one. */
  cause?: unknown;
}

/**
 * Every failure to verify a token, and every refused key, is a `JwtError`.
 * Messages say what was wrong; they never contain the secret or the token.
 */
export class JwtError extends Error {
  override readonly name = "JwtError";
  readonly code: JwtErrorCode;
  declare readonly expiredAt?: Date;
  declare readonly claim?: string;
  declare readonly expected?: readonly string[];
  declare readonly actual?: unknown;
  /**
   * Set by `authenticate`: the HTTP status to answer with (400 or 401).
   */
  declare status?: number;
  /**
   * Set by `authenticate`: the `WWW-Authenticate` challenge of RFC 6750 section 3.
   */
  declare wwwAuthenticate?: string;

  constructor(code: JwtErrorCode, message: string, details: JwtErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.expiredAt !== undefined) this.expiredAt = details.expiredAt;
    if (details.claim !== undefined) this.claim = details.claim;
    if (details.expected !== undefined) this.expected = details.expected;
    if ("actual" in details) this.actual = details.actual;
  }
}

/** True when `error` is a {@link JwtError}, optionally with the given code. */
export function isJwtError(error: unknown, code?: JwtErrorCode): error is JwtError {
  return error instanceof JwtError && (code === undefined || error.code === code);
}
