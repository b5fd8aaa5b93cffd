import type { JwtPayload } from "./claims.js";
import { validateClaims } from "./claims.js";
import { epochSeconds } from "./duration.js";
import type { JwtHeader } from "./jws.js";
import { type DecodedJwt, type SecretResolver, type VerifyOptions, verify } from "./jwt.js";
import type { Secret } from "./key.js";

/** A cache of verified tokens: at most `max`, the least recently used dropped first. */
export interface CacheOptions {
  /** How many verified tokens to keep. */
  max: number;
}

/** Options of {@link createVerifier}: those of `verify`, and an optional cache. */
export interface VerifierOptions extends VerifyOptions {
  /**
   * Keep verified tokens, so that verifying one again costs a lookup and the
   * time checks (`exp`, `nbf`, `maxTokenAge`), not an HMAC. Off by default.
   */
  cache?: CacheOptions | undefined;
}

/**
 * What a {@link CachedVerifier} returns: read-only, since every hit shares one
 * frozen result.
 */
export interface VerifiedJwt<P extends object = JwtPayload> {
  /** The token's header. */
  readonly header: Readonly<JwtHeader>;
  /** The token's payload. */
  readonly payload: Readonly<P & JwtPayload>;
}

/**
 * Verifies a token with the secret and options given to {@link createVerifier};
 * `now`, for tests, overrides the current time for this call.
 */
export type Verifier<P extends object = JwtPayload> = (
  token: string,
  now?: Date,
) => Promise<DecodedJwt<P>>;

/** A {@link Verifier} with a cache: its results are frozen and typed read-only. */
export type CachedVerifier<P extends object = JwtPayload> = (
  token: string,
  now?: Date,
) => Promise<VerifiedJwt<P>>;

/**
 * Makes a verifier bound to one secret and one set of options (copied now, so
 * later changes to `options` do not apply). With `cache`, tokens that passed are
 * kept by their whole text: a hit still checks `exp`, `nbf` and `maxTokenAge`
 * against the current time, failures are never kept, and results are frozen,
 * since every hit shares them.
 *
 * @throws TypeError when `cache.max` is not a positive integer, or a cache is
 *   asked for with a secret resolver (a key it stops returning must stop verifying).
 */
export function createVerifier<P extends object = JwtPayload>(
  secret: Secret,
  options: VerifierOptions & { cache: CacheOptions },
): CachedVerifier<P>;
export function createVerifier<P extends object = JwtPayload>(
  secret: Secret | SecretResolver,
  options?: VerifierOptions,
): Verifier<P>;
export function createVerifier<P extends object = JwtPayload>(
  secret: Secret | SecretResolver,
  options: VerifierOptions = {},
): Verifier<P> {
  const { cache, ...verifyOptions } = options;
  const at = (now: Date | undefined) =>
    now === undefined ? verifyOptions : { ...verifyOptions, now };
  if (cache === undefined) return (token, now) => verify<P>(token, secret, at(now));
  if (!Number.isSafeInteger(cache.max) || cache.max < 1) {
    throw new TypeError("cache.max must be a positive integer");
  }
  if (typeof secret === "function") {
    throw new TypeError("a cache needs a fixed secret, not a secret resolver");
  }
  const { max } = cache;
  // Keyed by the whole token, never a hash of it: two tokens can never share an
  // entry (a hashed key let forged tokens hit in GHSA-rp9m-7r4c-75qg). A Map
  // keeps insertion order, so re-inserting on a hit makes it an LRU.
  const entries = new Map<string, DecodedJwt<P>>();
  return async (token, now) => {
    const hit = entries.get(token);
    if (hit === undefined) {
      const result = await verify<P>(token, secret, at(now));
      freeze(result);
      entries.set(token, result);
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
      return result;
    }
    entries.delete(token);
    // The other checks gave the same answer for the same payload and options;
    // these also depend on the time.
    validateClaims(hit.payload, verifyOptions, epochSeconds(now ?? verifyOptions.now));
    entries.set(token, hit);
    return hit;
  };
}

function freeze(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) freeze(child);
}
