// Authenticating a request: the Bearer token of RFC 6750, verified as an access token.
import { JwtError } from "../jwt/errors.js";
import type { AccessClaims, Tokens } from "../session/tokens.js";
import { type AuthorizationSource, challenge, readBearerToken, withChallenge } from "./bearer.js";

/**
 * Reads `Authorization: Bearer` from a request and verifies the access token
 * with `tokens`. Every token failure is a JwtError with `status` and
 * `wwwAuthenticate` (RFC 6750 section 3); any other error (a store that is
 * down) passes through unchanged, since it is not the client's fault.
 * @category HTTP
 * @example
 * ```ts
 * import { authenticate, createTokens, isJwtError } from "hs256";
 *
 * const tokens = createTokens<{ role: string }>({ secret: process.env.JWT_SECRET! });
 * async function me(request: Request): Promise<Response> {
 *   try {
 *     const user = await authenticate(tokens, request);
 *     return Response.json({ id: user.sub, role: user.role });
 *   } catch (error) {
 *     if (!isJwtError(error)) throw error;
 *     return new Response(null, {
 *       status: error.status,
 *       headers: { "www-authenticate": error.wwwAuthenticate },
 *     });
 *   }
 * }
 * ```
 */
export async function authenticate<C extends object>(
  tokens: Tokens<C>,
  source: AuthorizationSource,
): Promise<C & AccessClaims> {
  const token = readBearerToken(source, tokens.realm);
  try {
    return await tokens.verifyAccess(token);
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    throw withChallenge(error, 401, challenge(tokens.realm, "invalid_token", error.message));
  }
}
