// What every adapter does with a request: authenticate it, and turn a refusal
// into the answer to send, so that each framework's adapter only moves bytes.
import { isJwtError } from "../jwt/errors.js";
import { isStoreError } from "../session/errors.js";
import type { AccessClaims, Tokens } from "../session/tokens.js";
import { authenticate } from "./authenticate.js";
import type { AuthorizationSource } from "./bearer.js";

/** The options of every adapter and of {@link withAuth}. */
export interface AuthOptions {
  /**
   * Let a request without Bearer credentials through with no claims (`auth` is
   * undefined). A token that is present but bad is still refused. Default false.
   */
  optional?: boolean;
}

/** The answer to a request that is refused: status, headers and a JSON body. */
export interface Refusal {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The claims of a request let through (undefined when anonymous), or the answer that refuses it. */
export type Outcome<C extends object> =
  | { claims: (C & AccessClaims) | undefined; refusal?: undefined }
  | { refusal: Refusal };

/** Fails at start-up, not per request, on options an adapter cannot use. */
export function checkAuthSetup(tokens: unknown, options: AuthOptions | undefined): void {
  if (typeof (tokens as { verifyAccess?: unknown } | null)?.verifyAccess !== "function") {
    throw new TypeError("the first argument must be the object createTokens returns");
  }
  const optional = options?.optional;
  if (optional !== undefined && typeof optional !== "boolean") {
    throw new TypeError("optional must be a boolean");
  }
}

/**
 * Authenticates `source`. A JwtError becomes its 401/400 answer with the
 * RFC 6750 challenge, a StoreError a 503; any other error is thrown, for the
 * framework's own error handling.
 */
export async function guard<C extends object>(
  tokens: Tokens<C>,
  source: AuthorizationSource,
  options: AuthOptions | undefined,
): Promise<Outcome<C>> {
  try {
    return { claims: await authenticate(tokens, source) };
  } catch (error) {
    if (options?.optional && isJwtError(error) && error.code === "ERR_JWT_MISSING") {
      return { claims: undefined };
    }
    const refusal = refusalOf(error);
    if (refusal) return { refusal };
    throw error;
  }
}

/** The answer to a JwtError (its status and challenge) or a StoreError (503); undefined for any other error. */
export function refusalOf(error: unknown): Refusal | undefined {
  if (isStoreError(error)) {
    // RFC 9110 section 15.6.4: the token may be fine; the client should try again, not log in again.
    return json(503, { error: error.code, message: "the token store is unavailable" }, {});
  }
  if (!isJwtError(error)) return undefined;
  const headers: Record<string, string> = {};
  if (error.wwwAuthenticate) headers["www-authenticate"] = error.wwwAuthenticate;
  return json(error.status ?? 401, { error: error.code, message: error.message }, headers);
}

/** A JSON answer that no cache keeps (RFC 6749 section 5.1 asks it of token answers). */
export function json(status: number, body: unknown, headers: Record<string, string>): Refusal {
  return {
    status,
    headers: { ...headers, "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify(body),
  };
}
