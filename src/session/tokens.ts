// The access-token / refresh-token flow on top of sign and verify.
import { encodeBase64url } from "../jwt/base64url.js";
import type { JwtClaims } from "../jwt/claims.js";
import { type Duration, epochSeconds, toSeconds } from "../jwt/duration.js";
import { JwtError } from "../jwt/errors.js";
import type { HmacBackend } from "../jwt/hmac.js";
import { sign, verify } from "../jwt/jwt.js";
import type { Secret } from "../jwt/key.js";
import { type CacheOptions, createVerifier } from "../jwt/verifier.js";
import type { RefreshRecord, RefreshStore } from "./stores/store.js";

/** Options of {@link createTokens}. @category Login flow */
export interface TokensOptions {
  /** The key of access tokens, and of refresh tokens unless `refreshSecret` is given. */
  secret: Secret;
  /** A separate key for refresh tokens, so that one leaked key does not give the other kind. */
  refreshSecret?: Secret | undefined;
  /** Lifetime of an access token. Default "15m". */
  accessTtl?: Duration | undefined;
  /** Lifetime of a refresh token. Default "14d". */
  refreshTtl?: Duration | undefined;
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
  /** Consult the store's deny list in `verifyAccess` (see `revokeAccess`). Default false. */
  checkRevoked?: boolean | undefined;
  /**
   * Keep verified access tokens, up to `max` (least recently used dropped first),
   * so that `verifyAccess` and `authenticate` skip the HMAC for a token seen
   * before. A hit still checks `exp`, and the deny list when `checkRevoked` is
   * set; returned payloads are then frozen. Off by default.
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

/** The access-token / refresh-token helpers made by {@link createTokens}. @category Login flow */
export interface Tokens<C extends object> {
  /** Issues a new pair for a login: a new refresh family. */
  issue(claims: IssueClaims<C>): Promise<TokenPair>;
  /** Verifies an access token; a refresh token fails with `ERR_JWT_TYPE`. */
  verifyAccess(token: string): Promise<C & AccessClaims>;
  /** Verifies a refresh token; an access token fails with `ERR_JWT_TYPE`. With a store, a used or revoked one fails with `ERR_JWT_REVOKED`. */
  verifyRefresh(token: string): Promise<RefreshClaims<C>>;
  /**
   * Trades a refresh token for a new pair and rotates it. With a store, a token
   * presented twice revokes its whole family and fails with `ERR_JWT_REVOKED`.
   */
  refresh(refreshToken: string, options?: { claims?: C | undefined }): Promise<TokenPair>;
  /** Logs out: revokes the refresh token's family. Needs a store. */
  revoke(refreshToken: string): Promise<void>;
  /** Logs a subject out everywhere: revokes all its refresh families. Needs a store. */
  revokeSubject(sub: string): Promise<void>;
  /** Denies an access token until it expires; checked when `checkRevoked` is set. Needs a store. */
  revokeAccess(accessToken: string): Promise<void>;
  /** The realm of `WWW-Authenticate` challenges, as given to {@link createTokens}. */
  readonly realm: string | undefined;
}

// Claims that the helpers set themselves; an application may not set them.
const RESERVED = ["type", "jti", "fam", "iat", "exp", "nbf", "iss", "aud", "claims"];

/**
 * Creates the helpers of the access-token / refresh-token flow, typed by the
 * application's own access-token claims `C`.
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
  const { secret, store, issuer, audience, realm, hmac } = options;
  const refreshSecret = options.refreshSecret ?? secret;
  const accessTtl = toSeconds(options.accessTtl ?? "15m", "accessTtl");
  const refreshTtl = toSeconds(options.refreshTtl ?? "14d", "refreshTtl");
  if (accessTtl <= 0 || refreshTtl <= 0)
    throw new TypeError("accessTtl and refreshTtl must be positive");
  if (options.checkRevoked && !store) throw new TypeError("checkRevoked needs a store");
  const clock = options.now ?? (() => new Date());
  const checks = { issuer, audience, clockTolerance: options.clockTolerance, hmac };
  const verifyAccessToken = createVerifier<C & AccessClaims>(secret, {
    ...checks,
    type: "ATK",
    requiredClaims: ["sub", "jti"],
    cache: options.cache,
  });

  function needStore(method: string): RefreshStore {
    if (!store) throw new TypeError(`${method} needs a store: pass one to createTokens`);
    return store;
  }

  async function issuePair(
    claims: IssueClaims<C>,
    family: string,
  ): Promise<{ pair: TokenPair; record: RefreshRecord }> {
    const { sub, ...own } = checkClaims(claims);
    const now = clock();
    const common = { issuer, audience, now, hmac };
    const jti = randomId();
    const carried = Object.keys(own).length > 0 ? { claims: own } : {};
    const [accessToken, refreshToken] = await Promise.all([
      sign({ ...own, sub, jti: randomId() }, secret, {
        ...common,
        type: "ATK",
        expiresIn: accessTtl,
      }),
      sign({ sub, jti, fam: family, ...carried }, refreshSecret, {
        ...common,
        type: "RTK",
        expiresIn: refreshTtl,
      }),
    ]);
    const exp = Math.floor(epochSeconds(now) + refreshTtl);
    return {
      pair: {
        accessToken,
        refreshToken,
        tokenType: "Bearer",
        expiresIn: accessTtl,
        refreshExpiresIn: refreshTtl,
      },
      record: { jti, family, sub, exp },
    };
  }

  function verifyRefreshToken(token: string) {
    return verify<RefreshClaims<C>>(token, refreshSecret, {
      ...checks,
      type: "RTK",
      requiredClaims: ["sub", "jti", "fam"],
      now: clock(),
    }).then(({ payload }) => payload);
  }

  // A revoked family can hold no live token after now + refreshTtl, so its mark may go then.
  const familyLifetimeEnd = () => Math.ceil(epochSeconds(clock()) + refreshTtl);

  const tokens: Tokens<C> = {
    realm,

    async issue(claims) {
      const { pair, record } = await issuePair(claims, randomId());
      await store?.add(record);
      return pair;
    },

    async verifyAccess(token) {
      const { payload } = await verifyAccessToken(token, clock());
      // Also on a cache hit: a token denied after it was cached must fail now.
      if (options.checkRevoked && (await needStore("checkRevoked").isAccessDenied(payload.jti))) {
        throw new JwtError("ERR_JWT_REVOKED", "access token has been revoked");
      }
      return payload;
    },

    async verifyRefresh(token) {
      const payload = await verifyRefreshToken(token);
      if (store) {
        const state = await store.state(recordOf(payload));
        if (state !== "active") throw revokedError(state);
      }
      return payload;
    },

    async refresh(refreshToken, refreshOptions = {}) {
      const payload = await verifyRefreshToken(refreshToken);
      const claims = (refreshOptions.claims ?? payload.claims ?? {}) as C;
      const { pair, record } = await issuePair({ ...claims, sub: payload.sub }, payload.fam);
      if (!store) return pair;
      // The new token is recorded before the old one is consumed: if the store
      // fails between the two, the presented token still works for a retry.
      await store.add(record);
      const state = await store.consume(recordOf(payload));
      if (state === "active") return pair;
      if (state === "used") {
        // RFC 9700 section 4.14.2: a refresh token used twice means that one of
        // the two users is an attacker, and we cannot tell which, so the whole
        // family is revoked.
        await store.revokeFamily(payload.fam, familyLifetimeEnd());
        throw new JwtError(
          "ERR_JWT_REVOKED",
          "refresh token was used before; its family is revoked",
        );
      }
      throw revokedError(state);
    },

    async revoke(refreshToken) {
      const active = needStore("revoke");
      const payload = await verifyRefreshToken(refreshToken);
      await active.revokeFamily(payload.fam, familyLifetimeEnd());
    },

    async revokeSubject(sub) {
      await needStore("revokeSubject").revokeSubject(sub);
    },

    async revokeAccess(accessToken) {
      const active = needStore("revokeAccess");
      const { payload } = await verify<AccessClaims>(accessToken, secret, {
        ...checks,
        type: "ATK",
        requiredClaims: ["jti"],
        now: clock(),
      });
      await active.denyAccess(payload.jti, payload.exp);
    },
  };
  return tokens;
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
  for (const name of RESERVED) {
    if (name in claims)
      throw new TypeError(`claims.${name} is set by createTokens and may not be given`);
  }
  return claims;
}

function recordOf(payload: RefreshClaims<object>): RefreshRecord {
  return { jti: payload.jti, family: payload.fam, sub: payload.sub, exp: payload.exp };
}

function revokedError(state: "used" | "revoked"): JwtError {
  return new JwtError(
    "ERR_JWT_REVOKED",
    state === "used" ? "refresh token was already used" : "refresh token has been revoked",
  );
}

function randomId(): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(16)));
}
