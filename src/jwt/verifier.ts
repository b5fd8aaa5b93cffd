import type { JwtPayload } from "./claims.js";
import { checkTimes } from "./claims.js";
import { epochSeconds } from "./duration.js";
import type { JwtHeader } from "./jws.js";
import {
  compileVerifyOptions,
  type DecodedJwt,
  type SecretResolver,
  type VerifyOptions,
  verifyCompiled,
} from "./jwt.js";
import { bytesOf, type Secret, sameBytes } from "./key.js";

/**
 * A cache of verified tokens: at most `max`, the least recently used dropped first.
 *
 * @category Sign and verify
 */
export interface CacheOptions {
  /** How many verified tokens to keep. */
  max: number;
}

/**
 * Options of {@link createVerifier}: those of `verify`, and an optional cache.
 *
 * @category Sign and verify
 */
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
 *
 * @category Sign and verify
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
 *
 * @category Sign and verify
 */
export type Verifier<P extends object = JwtPayload> = (
  token: string,
  now?: Date,
) => Promise<DecodedJwt<P>>;

/**
 * A {@link Verifier} with a cache: its results are frozen and typed read-only.
 *
 * @category Sign and verify
 */
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
 *
 * @category Sign and verify
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
  // Every option is checked here, once: a bad one fails at start-up.
  const compiled = compileVerifyOptions(verifyOptions);
  const fixedNow = verifyOptions.now;
  const seconds = (now: Date | undefined) => epochSeconds(now ?? fixedNow);
  if (cache === undefined) {
    return (token, now) => verifyCompiled<P>(token, secret, compiled, seconds(now));
  }
  if (!Number.isSafeInteger(cache?.max) || cache.max < 1) {
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
  const bytesChanged = watchBytes(secret);
  // The entries were verified with the key's bytes as they were: bytes changed
  // in place make another key, for which none of them was verified. Each change
  // seen starts a new generation of entries.
  let generation = 0;
  const currentGeneration = () => {
    if (bytesChanged()) {
      entries.clear();
      generation++;
    }
    return generation;
  };
  return async (token, now) => {
    const at = seconds(now);
    const started = currentGeneration();
    const hit = entries.get(token);
    if (hit === undefined) {
      const result = await verifyCompiled<P>(token, secret, compiled, at);
      freeze(result);
      // The key may have changed while this call waited, whichever call saw it
      // first: a result of the old key is not kept.
      if (currentGeneration() === started) entries.set(token, result);
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
      return result;
    }
    entries.delete(token);
    // The other checks gave the same answer for the same payload and options;
    // these also depend on the time.
    checkTimes(hit.payload, compiled.claims, at);
    entries.set(token, hit);
    return hit;
  };
}

// A function that tells whether a byte secret differs from when it last asked;
// always false for a string or a CryptoKey, which cannot change.
function watchBytes(secret: Secret): () => boolean {
  const view = bytesOf(secret);
  if (view === undefined) return () => false;
  let copy = new Uint8Array(view);
  return () => {
    const current = bytesOf(secret) as Uint8Array;
    if (sameBytes(copy, current)) return false;
    copy = new Uint8Array(current);
    return true;
  };
}

function freeze(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  Object.freeze(value);
  for (const child of Object.values(value)) freeze(child);
}
