/**
 * HS256 JSON Web Tokens on Web Crypto, and the access-token / refresh-token
 * flow: sign and verify, the login flow with its stores, Bearer authentication
 * over HTTP, and the errors they throw.
 *
 * @packageDocumentation
 * @module hs256
 */

// HTTP
export { authenticate } from "./http/authenticate.js";
export {
  type AuthorizationSource,
  challenge,
  type HeaderGetter,
  type HeaderRecord,
  readBearerToken,
} from "./http/bearer.js";
export {
  type CsrfOptions,
  type RefreshCookie,
  type RefreshCookieOptions,
  refreshCookie,
} from "./http/cookie.js";
export type { AuthOptions } from "./http/guard.js";
export {
  type FetchSessionRoutes,
  type SessionRouteOptions,
  sessionRoutes,
} from "./http/routes.js";
export { type FetchHandler, withAuth } from "./http/with-auth.js";
// Sign and verify
export type { ClaimOptions, JwtClaims, JwtPayload } from "./jwt/claims.js";
export type { Duration } from "./jwt/duration.js";
// Errors
export {
  isJwtError,
  JwtError,
  type JwtErrorCode,
  type JwtErrorDetails,
  type JwtErrorFields,
  type JwtErrorOf,
} from "./jwt/errors.js";
export type { HmacBackend } from "./jwt/hmac.js";
export type { JwtHeader } from "./jwt/jws.js";
export {
  DEFAULT_MAX_TOKEN_LENGTH,
  type DecodedJwt,
  decodeUnverified,
  type SecretResolver,
  type SignOptions,
  sign,
  type VerifyOptions,
  verify,
} from "./jwt/jwt.js";
export { importSecret, type Secret } from "./jwt/key.js";
export type { Keyring, KeyringEntry, SecretOrKeyring } from "./jwt/keyring.js";
export {
  type CachedVerifier,
  type CacheOptions,
  createVerifier,
  type VerifiedJwt,
  type Verifier,
  type VerifierOptions,
} from "./jwt/verifier.js";
export { isStoreError, StoreError } from "./session/errors.js";
// Stores
export { type MemoryStore, type MemoryStoreOptions, memoryStore } from "./session/stores/memory.js";
export {
  type RedisClient,
  type RedisClusterClient,
  type RedisStore,
  type RedisStoreOptions,
  redisStore,
} from "./session/stores/redis.js";
export type {
  AccessRef,
  FamilyRef,
  NewFamily,
  RefreshState,
  RefreshStore,
  Rotation,
  RotationResult,
  Successor,
  TokenRef,
} from "./session/stores/store.js";
// Login flow
export {
  type AccessClaims,
  createTokens,
  type IssueClaims,
  type RefreshClaims,
  type TokenPair,
  type Tokens,
  type TokensOptions,
} from "./session/tokens.js";
