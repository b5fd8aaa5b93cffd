// The contract between the login flow (createTokens) and the state it keeps.
// Every store keeps one record per family (one login): which refresh token of
// it is active now, the one it replaced, and the access tokens denied one by
// one. Acceptance rests only on a record that is present and says "active":
// a family that is missing (never stored, expired, evicted, lost in a restart
// or a failover) is refused, never accepted.

/** A family (one login) and the subject it belongs to. Stores that shard keep a subject's families together. */
export interface FamilyRef {
  /** The subject (`sub`) the family belongs to. */
  sub: string;
  /** The family id (`fam`), shared by every token of one login. */
  family: string;
}

/** A token of a family: its `jti`. */
export interface TokenRef extends FamilyRef {
  /** The token's `jti`. */
  jti: string;
}

/** A login, as `open` records it: its family, its first refresh token, and how long to keep it. */
export interface NewFamily extends TokenRef {
  /**
   * Seconds since the epoch after which the store may forget the family: the
   * latest `exp` of any token of it, plus the clock tolerance.
   */
  keepUntil: number;
}

/** The successor of a refresh token: what the caller signs, and what a retry inside the grace gets again. */
export interface Successor {
  /** The successor's `jti`. */
  jti: string;
  /** The successor's `iat`, in seconds since the epoch. */
  iat: number;
  /** The successor's `exp`, in seconds since the epoch. */
  exp: number;
}

/** One refresh, as `rotate` takes it. */
export interface Rotation extends TokenRef {
  /** The token that replaces the presented one when it is the active token. */
  next: Successor;
  /**
   * Seconds after a rotation during which presenting the replaced token again
   * answers "grace" with the recorded successor instead of counting as reuse.
   * 0 turns the grace off (RFC 9700 section 4.14.2 as written).
   */
  grace: number;
  /** As in {@link NewFamily}: the family is kept at least this long (seconds since the epoch). */
  keepUntil: number;
}

/**
 * What `rotate` did, decided in one atomic step:
 * - "rotated": the presented token was the family's active token; `next` is now active;
 * - "grace": the presented token was replaced less than `grace` seconds ago;
 *   `next` is the successor recorded then (sign it again: same jti, iat, exp);
 * - "reused": the presented token was used before (outside the grace): the
 *   family is now revoked;
 * - "revoked": the family was revoked before;
 * - "unknown": the store holds no such family (never stored, expired or lost).
 * Only "rotated" and "grace" accept; the others write nothing but the revocation of "reused".
 */
export type RotationResult =
  | { outcome: "rotated" }
  | { outcome: "grace"; next: Successor }
  | { outcome: "reused" }
  | { outcome: "revoked" }
  | { outcome: "unknown" };

/**
 * The state of a refresh token:
 * - "active": its family is present and active, and it is the family's active token;
 * - "used": its family is active, but it was replaced (or never was its token);
 * - "revoked": its family was revoked (logout, reuse, or revokeSubject);
 * - "unknown": the store holds no such family.
 */
export type RefreshState = "active" | "used" | "revoked" | "unknown";

/** An access token, as a store checks it: its family, its `jti`, and its `exp`. */
export interface AccessRef extends TokenRef {
  /** The token's `exp`, in seconds since the epoch. */
  exp: number;
}

/**
 * Server-side state for refresh rotation and revocation. Every method rejects
 * when the store cannot answer (down, or past its deadline); the caller then
 * refuses and changes nothing. Every time a store compares is read from its
 * own clock.
 */
export interface RefreshStore {
  /** Records a new login: a family whose active refresh token is `jti`. */
  open(family: NewFamily): Promise<void>;
  /**
   * The whole refresh in one atomic step: check the presented token, and if it
   * is the active one, record `next` as active in its place. Of any number of
   * concurrent calls with one active token, exactly one answers "rotated"; with
   * a grace, the others answer "grace" with the same successor.
   */
  rotate(rotation: Rotation): Promise<RotationResult>;
  /** The state of a refresh token, without changing anything. */
  state(token: TokenRef): Promise<RefreshState>;
  /**
   * Whether an access token may be accepted: only when its family is present
   * and active and the token was not denied ("active"); otherwise "revoked".
   */
  accessState(token: AccessRef): Promise<"active" | "revoked">;
  /** Revokes a family (logout): none of its tokens, refresh or access, is accepted again. */
  revokeFamily(family: FamilyRef): Promise<void>;
  /** Revokes every family of a subject (logout everywhere). */
  revokeSubject(sub: string): Promise<void>;
  /** Denies one access token of a family until its `exp`; the family stays active. */
  denyAccess(token: AccessRef): Promise<void>;
}

// Input checks, run by every store before it reads or writes anything, so that
// a bad call is a TypeError from any store rather than a key built from junk.

/** Refuses a value that is not an object. */
function checkObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) throw new TypeError(`${name} must be an object`);
}

/** Refuses a {@link FamilyRef} that is not two ids. */
export function checkFamily(value: FamilyRef): void {
  checkObject(value, "family");
  checkString(value.sub, "sub");
  checkString(value.family, "family");
}

/** Refuses a {@link TokenRef} that is not three ids. */
export function checkToken(value: TokenRef): void {
  checkFamily(value);
  checkString(value.jti, "jti");
}

/** Refuses a {@link NewFamily} with a bad id or time. */
export function checkNewFamily(value: NewFamily): void {
  checkToken(value);
  checkTime(value.keepUntil, "keepUntil");
}

/** Refuses an {@link AccessRef} with a bad id or time. */
export function checkAccess(value: AccessRef): void {
  checkToken(value);
  checkTime(value.exp, "exp");
}

/** Refuses a {@link Rotation} with a bad id, time, successor or grace. */
export function checkRotation(value: Rotation): void {
  checkNewFamily(value);
  checkObject(value.next, "next");
  checkString(value.next.jti, "next.jti");
  checkTime(value.next.iat, "next.iat");
  checkTime(value.next.exp, "next.exp");
  checkTime(value.grace, "grace");
  if (value.grace < 0) throw new TypeError("grace must be zero or more seconds");
}

/**
 * Refuses an id that is not a non-empty, well-formed UTF-16 string: a lone
 * surrogate has no UTF-8 form, so stores that encode keys would map two
 * different ids onto one key.
 */
export function checkString(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string" || value === "")
    throw new TypeError(`${name} must be a non-empty string`);
  if (!isWellFormed(value)) throw new TypeError(`${name} must be well-formed UTF-16`);
}

/** Refuses a time that is not a finite number of seconds. */
export function checkTime(value: unknown, name: string): asserts value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number of seconds since the epoch`);
  }
}

// String.prototype.isWellFormed is missing on Node 20. Every high surrogate
// must be followed by a low one, and every low one preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}
