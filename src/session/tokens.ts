// The access-token / refresh-token flow on top of sign and verify.
import { encodeBase64url } from "../jwt/base64url.js";
import { challenge } from "../jwt/challenge.js";
import type { JwtClaims } from "../jwt/claims.js";
import { type Duration, epochSeconds, toSeconds } from "../jwt/duration.js";
import { JwtError } from "../jwt/errors.js";
import type { HmacBackend } from "../jwt/hmac.js";
import { sign } from "../jwt/jwt.js";
import { keyringVerifier, type SecretOrKeyring, signingKey } from "../jwt/keyring.js";
import type { CacheOptions } from "../jwt/verifier.js";
import { StoreError } from "./errors.js";
import { checkString, type RefreshStore, type Successor, type TokenRef } from "./stores/store.js";

/** Options of {@link createTokens}. @category Login flow */
export interface TokensOptions {
  /**
   * The key of access tokens, and of refresh tokens unless `refreshSecret` is
   * given: a secret, or a keyring `[{ kid, secret }, ...]` for key rotation,
   * whose first entry signs and whose every entry verifies the tokens with its `kid`.
   */
  secret: SecretOrKeyring;
  /** A separate key (or keyring) for refresh tokens, so that one leaked key does not give the other kind. */
  refreshSecret?: SecretOrKeyring | undefined;
  /** Lifetime of an access token. Default "15m". */
  accessTtl?: Duration | undefined;
  /** Lifetime of a refresh token. Default "14d". */
  refreshTtl?: Duration | undefined;
  /**
   * The absolute lifetime of a login: no token of it expires later than the
   * login time plus `sessionTtl`, however often it is refreshed. Default: none.
   */
  sessionTtl?: Duration | undefined;
  /**
   * With a store: for this long after a refresh token was rotated, presenting
   * it again answers the same successor (and a fresh access token) instead of
   * revoking the family, so that two tabs refreshing at once, or a retry after
   * a lost reply, stay logged in. Default 0: any second use is reuse (RFC 9700
   * section 4.14.2).
   */
  reuseGrace?: Duration | undefined;
  /** Sets and checks `iss`. */
  issuer?: string | undefined;
  /** Sets and checks `aud`. */
  audience?: string | string[] | undefined;
  /** Leeway for `exp` and `nbf`. Default 0. */
  clockTolerance?: Duration | undefined;
  /** The realm of the `WWW-Authenticate` challenge. */
  realm?: string | undefined;
  /**
   * Server-side state: makes refresh tokens single-use with reuse detection,
   * and enables the revoke methods. Without it, refresh is stateless.
   */
  store?: RefreshStore | undefined;
  /**
   * Ask the store about every access token in `verifyAccess`: it is accepted
   * only while its login is active and the token was not revoked, so `revoke`,
   * `revokeSubject` and `revokeAccess` cut access tokens at once, and a login
   * the store lost is refused. Default false.
   */
  checkRevoked?: boolean | undefined;
  /**
   * Keep verified access tokens, up to `max` (least recently used dropped first),
   * so that `verifyAccess` and `authenticate` skip the HMAC for a token seen
   * before. A hit still checks `exp`, and the store when `checkRevoked` is
   * set; returned payloads are then frozen. With a keyring, each key has a
   * cache of this size. Off by default.
   */
  cache?: CacheOptions | undefined;
  /** The HMAC implementation. Default: Web Crypto. `nodeHmac()` of `hs256/node` is faster on Node. */
  hmac?: HmacBackend | undefined;
  /** The clock, for tests. Default: the system clock. */
  now?: (() => Date) | undefined;
}

/** The claims an access token carries, besides the application's own. @category Login flow */
export interface AccessClaims extends JwtClaims {
  sub: string;
  type: "ATK";
  jti: string;
  /** The family (login) of the refresh token it was issued with. Absent from access tokens made elsewhere. */
  fam?: string;
  iat: number;
  exp: number;
}

/** The claims of a refresh token. @category Login flow */
export interface RefreshClaims<C extends object = Record<never, never>> extends JwtClaims {
  sub: string;
  type: "RTK";
  jti: string;
  /** The family: shared by every refresh token rotated from one login. */
  fam: string;
  /** The login time, in seconds since the epoch (as OpenID Connect's `auth_time`). */
  auth_time?: number;
  iat: number;
  exp: number;
  /** The application's claims given at issue time, carried over to the access tokens of later refreshes. */
  claims?: C;
}

/** The answer to a login or a refresh, shaped like an OAuth 2.0 token response (RFC 6749 section 5.1). @category Login flow */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: "Bearer";
  /** Lifetime of the access token, in seconds. */
  expiresIn: number;
  /** Lifetime of the refresh token, in seconds. */
  refreshExpiresIn: number;
}

/** The claims given to `issue`: a subject and the application's own claims. @category Login flow */
export type IssueClaims<C extends object> = C & { sub: string };

/**
 * The access-token / refresh-token helpers made by {@link createTokens}. Every
 * token failure is a `JwtError` with `status` 401 and `wwwAuthenticate`; a
 * store that fails is a `StoreError` (503).
 * @category Login flow
 */
export interface Tokens<C extends object> {
  /** Issues a new pair for a login: a new refresh family. */
  issue(claims: IssueClaims<C>): Promise<TokenPair>;
  /** Verifies an access token; a refresh token fails with `ERR_JWT_TYPE`. */
  verifyAccess(token: string): Promise<C & AccessClaims>;
  /** Verifies a refresh token; an access token fails with `ERR_JWT_TYPE`. With a store, one that is not its login's active token fails with `ERR_JWT_REVOKED`. */
  verifyRefresh(token: string): Promise<RefreshClaims<C>>;
  /**
   * Trades a refresh token for a new pair and rotates it. With a store, a token
   * presented twice (outside `reuseGrace`) revokes its whole family and fails
   * with `ERR_JWT_REVOKED`; past `sessionTtl` it fails with `ERR_JWT_EXPIRED`.
   */
  refresh(refreshToken: string, options?: { claims?: C | undefined }): Promise<TokenPair>;
  /** Logs out: revokes the refresh token's family, and with `checkRevoked` its access tokens. Needs a store. */
  revoke(refreshToken: string): Promise<void>;
  /** Logs a subject out everywhere: revokes all its families, and with `checkRevoked` their access tokens. Needs a store. */
  revokeSubject(sub: string): Promise<void>;
  /** Denies an access token until it expires; checked when `checkRevoked` is set. Needs a store. */
  revokeAccess(accessToken: string): Promise<void>;
  /** The realm of `WWW-Authenticate` challenges, as given to {@link createTokens}. */
  readonly realm: string | undefined;
}

// Claims that the helpers set themselves; an application may not set them.
const RESERVED = ["type", "jti", "fam", "iat", "exp", "nbf", "iss", "aud", "claims", "auth_time"];

// A refresh in the making: the presented token's facts and the new token's times.
interface Refresh {
  sub: string;
  fam: string;
  authTime: number;
  claims: object;
  now: number;
  sessionEnd: number;
}

/**
 * Creates the helpers of the access-token / refresh-token flow, typed by the
 * application's own access-token claims `C`.
 *
 * @throws TypeError when an option is not understood: bad options fail here, not per request.
 *
 * @category Login flow
 * @example
 * ```ts
 * import { createTokens, memoryStore } from "hs256";
 *
 * const tokens = createTokens<{ role: string }>({
 *   secret: process.env.JWT_SECRET!,
 *   store: memoryStore(),
 * });
 * const { accessToken, refreshToken } = await tokens.issue({ sub: "alice", role: "admin" });
 * const claims = await tokens.verifyAccess(accessToken); // { sub: "alice", role: "admin", ... }
 * const next = await tokens.refresh(refreshToken); // the old refresh token is now used up
 * ```
 */
export function createTokens<C extends object = Record<never, never>>(
  options: TokensOptions,
): Tokens<C> {
  if (options?.secret === undefined) throw new TypeError("createTokens needs a secret");
  const { store, issuer, audience, realm, hmac } = options;
  const accessKey = signingKey(options.secret, "secret");
  const refreshKeys = options.refreshSecret ?? options.secret;
  const refreshKey = signingKey(refreshKeys, "refreshSecret");
  const accessTtl = positive(options.accessTtl ?? "15m", "accessTtl");
  const refreshTtl = positive(options.refreshTtl ?? "14d", "refreshTtl");
  const sessionTtl =
    options.sessionTtl === undefined ? undefined : positive(options.sessionTtl, "sessionTtl");
  const grace = toSeconds(options.reuseGrace ?? 0, "reuseGrace");
  const tolerance = toSeconds(options.clockTolerance ?? 0, "clockTolerance");
  if (grace < 0 || tolerance < 0) {
    throw new TypeError("reuseGrace and clockTolerance must be zero or more seconds");
  }
  if (options.checkRevoked && !store) throw new TypeError("checkRevoked needs a store");
  // Read once, as every option is: changing the options object later changes nothing.
  const revocations = options.checkRevoked ? store : undefined;
  const clock = options.now ?? (() => new Date());
  const checks = { issuer, audience, clockTolerance: tolerance, hmac };
  // RFC 7519 section 4.1.7: jti (and fam, the login) only when the store is asked about the token.
  const verifyAccessToken = keyringVerifier<C & AccessClaims>(options.secret, "secret", {
    ...checks,
    type: "ATK",
    requiredClaims: options.checkRevoked ? ["sub", "jti", "fam"] : ["sub"],
    cache: options.cache,
  });
  const verifyOwnAccessToken = keyringVerifier<AccessClaims>(options.secret, "secret", {
    ...checks,
    type: "ATK",
    requiredClaims: ["sub", "jti", "fam"],
  });
  const verifyRefreshToken = keyringVerifier<RefreshClaims<C>>(refreshKeys, "refreshSecret", {
    ...checks,
    type: "RTK",
    requiredClaims: ["sub", "jti", "fam"],
  });

  function needStore(method: string): RefreshStore {
    if (!store) throw new TypeError(`${method} needs a store: pass one to createTokens`);
    return store;
  }

  // The store keeps a login while any token of it may still be accepted.
  const keepUntil = (refreshExp: number, accessExp: number) =>
    Math.max(refreshExp, accessExp) + tolerance;

  // Made once: every refresh signs two tokens with the same options.
  const accessOptions = { issuer, audience, type: "ATK", keyId: accessKey.keyId, hmac };
  const refreshOptions = { issuer, audience, type: "RTK", keyId: refreshKey.keyId, hmac };

  function signAccess(r: Refresh, exp: number): Promise<string> {
    const payload = { ...r.claims, sub: r.sub, jti: randomId(), fam: r.fam, iat: r.now, exp };
    return sign(payload, accessKey.secret, accessOptions);
  }

  // The same successor always gives the same string (HS256 is deterministic),
  // so a retry inside the grace gets the very token the first answer carried.
  function signRefresh(r: Refresh, next: Successor): Promise<string> {
    const { sub, fam, authTime: auth_time, claims } = r;
    const { jti, iat, exp } = next;
    // Two literals rather than a spread of an optional part: the claims keep
    // their order (so the bytes of a token stay what they were) at less cost.
    const payload =
      Object.keys(claims).length > 0
        ? { sub, jti, fam, auth_time, claims, iat, exp }
        : { sub, jti, fam, auth_time, iat, exp };
    return sign(payload, refreshKey.secret, refreshOptions);
  }

  function start(sub: string, fam: string, authTime: number, claims: object): Refresh {
    const now = epochSeconds(clock());
    const sessionEnd = sessionTtl === undefined ? Infinity : authTime + sessionTtl;
    return { sub, fam, authTime, claims, now, sessionEnd };
  }

  const successorOf = (r: Refresh): Successor => ({
    jti: randomId(),
    iat: r.now,
    exp: Math.floor(Math.min(r.now + refreshTtl, r.sessionEnd)),
  });
  const accessExp = (r: Refresh) => Math.floor(Math.min(r.now + accessTtl, r.sessionEnd));

  async function pairOf(r: Refresh, next: Successor) {
    const exp = accessExp(r);
    const [access, refresh] = await Promise.all([signAccess(r, exp), signRefresh(r, next)]);
    return {
      accessToken: access,
      refreshToken: refresh,
      tokenType: "Bearer" as const,
      expiresIn: exp - r.now,
      refreshExpiresIn: next.exp - r.now,
    };
  }

  async function verifyRefreshClaims(token: string): Promise<RefreshClaims<C>> {
    const { payload } = await verifyRefreshToken(token, clock());
    const authTime = payload.auth_time ?? payload.iat;
    if (typeof authTime !== "number" || !Number.isFinite(authTime)) {
      throw new JwtError("ERR_JWT_CLAIM", '"auth_time" claim must be a number', {
        claim: "auth_time",
      });
    }
    return payload;
  }

  async function rotate(payload: RefreshClaims<C>, claims: object): Promise<TokenPair> {
    // Refresh tokens made before auth_time was written count from their own iat.
    const r = start(payload.sub, payload.fam, payload.auth_time ?? payload.iat, claims);
    if (r.sessionEnd <= r.now) {
      throw new JwtError("ERR_JWT_EXPIRED", "the login has reached its sessionTtl", {
        expiredAt: new Date(r.sessionEnd * 1000),
      });
    }
    const next = successorOf(r);
    if (!store) return pairOf(r, next);
    const { sub, family, jti } = idsOf(payload);
    const keep = keepUntil(next.exp, accessExp(r));
    const rotation = { sub, family, jti, next, grace, keepUntil: keep };
    // Signed while the store answers, and handed out only once it confirms the
    // rotation: a refusal or a store failure drops it unseen.
    const signed = pairOf(r, next);
    signed.catch(() => {});
    const result = await ask(() => store.rotate(rotation));
    switch (result.outcome) {
      case "rotated":
        return signed;
      case "grace":
        return pairOf(r, result.next);
      case "reused":
        // RFC 9700 section 4.14.2: a refresh token used twice means that one of
        // the two users is an attacker, and we cannot tell which, so the whole
        // family is revoked.
        throw new JwtError(
          "ERR_JWT_REVOKED",
          "refresh token was used before; its family is revoked",
        );
      default:
        throw refusedError(result.outcome);
    }
  }

  const tokens: Tokens<C> = {
    realm,

    async issue(claims) {
      const { sub, ...own } = checkClaims(claims);
      const r = start(sub, randomId(), epochSeconds(clock()), own);
      const next = successorOf(r);
      const pair = await pairOf(r, next);
      const family = { sub, family: r.fam, jti: next.jti };
      await ask(async () =>
        store?.open({ ...family, keepUntil: keepUntil(next.exp, accessExp(r)) }),
      );
      return pair;
    },

    verifyAccess: challenged(realm, async (token) => {
      const { payload } = await verifyAccessToken(token, clock());
      // Also on a cache hit: a token revoked after it was cached must fail now.
      if (revocations) {
        const ref = { ...idsOf(payload), exp: payload.exp };
        const state = await ask(() => revocations.accessState(ref));
        if (state !== "active")
          throw new JwtError("ERR_JWT_REVOKED", "access token has been revoked");
      }
      return payload;
    }),

    verifyRefresh: challenged(realm, async (token) => {
      const payload = await verifyRefreshClaims(token);
      if (store) {
        const ref = idsOf(payload);
        const state = await ask(() => store.state(ref));
        if (state !== "active") throw refusedError(state);
      }
      return payload;
    }),

    refresh: challenged(realm, async (refreshToken, refreshOptions: { claims?: C } = {}) => {
      const given = refreshOptions.claims;
      if (given !== undefined) checkRefreshClaims(given);
      const payload = await verifyRefreshClaims(refreshToken);
      return rotate(payload, given ?? payload.claims ?? {});
    }),

    revoke: challenged(realm, async (refreshToken) => {
      const active = needStore("revoke");
      const payload = await verifyRefreshClaims(refreshToken);
      const { sub, family } = idsOf(payload);
      await ask(() => active.revokeFamily({ sub, family }));
    }),

    async revokeSubject(sub) {
      const active = needStore("revokeSubject");
      await ask(() => active.revokeSubject(sub));
    },

    revokeAccess: challenged(realm, async (accessToken) => {
      const active = needStore("revokeAccess");
      const { payload } = await verifyOwnAccessToken(accessToken, clock());
      await ask(() => active.denyAccess({ ...idsOf(payload), exp: payload.exp }));
    }),
  };
  return tokens;
}

/**
 * Runs a store call: a rejection that is not the caller's fault (a JwtError
 * or a TypeError) becomes a StoreError, so that it answers 503, never 401.
 */
async function ask<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof JwtError || error instanceof TypeError) throw error;
    throw new StoreError("the session store did not answer", { cause: error });
  }
}

/**
 * Gives every JwtError that `method` throws status 401 and the challenge of
 * RFC 6750 section 3 with this realm: a token this layer refuses is never a
 * malformed request (400), which only `authenticate` can tell.
 */
function challenged<A extends unknown[], R>(
  realm: string | undefined,
  method: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await method(...args);
    } catch (error) {
      if (error instanceof JwtError) {
        error.status = 401;
        error.wwwAuthenticate = challenge(realm, "invalid_token", error.message);
      }
      throw error;
    }
  };
}

function positive(value: Duration, option: string): number {
  const seconds = toSeconds(value, option);
  if (!(seconds > 0)) throw new TypeError(`${option} must be positive`);
  return seconds;
}

// Checked before the refresh token is spent: new claims that sign refused
// after the rotation would cost the login its refresh token, and the retry
// (a reuse) its whole family. The subject stays the login's.
function checkRefreshClaims(claims: object): void {
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) {
    throw new TypeError("claims must be an object");
  }
  if ("sub" in claims) throw new TypeError("claims.sub is the login's and may not be given");
  checkReserved(claims);
  // A TypeError for what JSON cannot hold (a BigInt, a cycle), as sign would throw.
  JSON.stringify(claims);
}

function checkReserved(claims: object): void {
  for (const name of RESERVED) {
    if (name in claims)
      throw new TypeError(`claims.${name} is set by createTokens and may not be given`);
  }
}

function checkClaims<T extends { sub: string }>(claims: T): T {
  if (
    typeof claims !== "object" ||
    claims === null ||
    typeof claims.sub !== "string" ||
    claims.sub === ""
  ) {
    throw new TypeError("claims.sub must be a non-empty string");
  }
  checkReserved(claims);
  return claims;
}

/**
 * The ids by which a store knows a token. A store refuses ids that are not
 * well-formed strings with a TypeError; coming from a token, they are a bad
 * claim instead (RFC 7519 section 4.1.2 and 4.1.7: StringOrURI and case-sensitive strings).
 */
function idsOf(payload: { sub: string; fam?: unknown; jti: string }): TokenRef {
  return {
    sub: claimId(payload.sub, "sub"),
    family: claimId(payload.fam, "fam"),
    jti: claimId(payload.jti, "jti"),
  };
}

function claimId(value: unknown, claim: string): string {
  try {
    checkString(value, claim);
  } catch (error) {
    throw new JwtError("ERR_JWT_CLAIM", (error as Error).message, { claim });
  }
  return value;
}

function refusedError(state: "used" | "revoked" | "unknown"): JwtError {
  const messages = {
    used: "refresh token was already used",
    revoked: "refresh token has been revoked",
    unknown: "the login of this token is unknown to the store: log in again",
  };
  return new JwtError("ERR_JWT_REVOKED", messages[state]);
}

// A call of getRandomValues costs about as much for 16 bytes as for 4 KB, and
// every refresh needs two ids: they are cut from one draw, each byte used once.
const ID_BYTES = 16;
const randomPool = new Uint8Array(256 * ID_BYTES);
let poolOffset = randomPool.length;

function randomId(): string {
  if (poolOffset === randomPool.length) {
    crypto.getRandomValues(randomPool);
    poolOffset = 0;
  }
  const id = encodeBase64url(randomPool.subarray(poolOffset, poolOffset + ID_BYTES));
  poolOffset += ID_BYTES;
  return id;
}
