export {
  type AuthorizationSource,
  challenge,
  type HeaderGetter,
  type HeaderRecord,
  readBearerToken,
} from "./bearer.js";
export {
  type CacheOptions,
  createVerifier,
  type Verifier,
  type VerifierOptions,
} from "./cache.js";
export type { ClaimOptions, JwtClaims, JwtPayload } from "./claims.js";
export type { Duration } from "./duration.js";
export { isJwtError, JwtError, type JwtErrorCode, type JwtErrorDetails } from "./errors.js";
export type { HmacBackend } from "./hmac.js";
export type { JwtHeader } from "./jws.js";
export {
  DEFAULT_MAX_TOKEN_LENGTH,
  type DecodedJwt,
  decodeUnverified,
  type SecretResolver,
  type SignOptions,
  sign,
  type VerifyOptions,
  verify,
} from "./jwt.js";
export { importSecret, type Secret } from "./key.js";
export { type MemoryStore, type MemoryStoreOptions, memoryStore } from "./stores/memory.js";
export { type RedisClient, type RedisStoreOptions, redisStore } from "./stores/redis.js";
export type { RefreshRecord, RefreshState, RefreshStore } from "./stores/store.js";
export {
  type AccessClaims,
  createTokens,
  type IssueClaims,
  type RefreshClaims,
  type TokenPair,
  type Tokens,
  type TokensOptions,
} from "./tokens.js";
