/** A refresh token as a store sees it: its id, its family, its subject and when it expires. @category Stores */
export interface RefreshRecord {
  /** The token's `jti`. */
  jti: string;
  /** The family id shared by every refresh token rotated from one login. */
  family: string;
  /** The token's `sub`. */
  sub: string;
  /** The token's `exp`, in seconds since the epoch: the store may forget it after that. */
  exp: number;
}

/**
 * The state of a refresh token in a store:
 * - "active": issued and not used yet;
 * - "used": already consumed by a refresh, or unknown to the store;
 * - "revoked": its family was revoked (logout, reuse, or revokeSubject).
 * @category Stores
 */
export type RefreshState = "active" | "used" | "revoked";

/**
 * Server-side state for refresh rotation and revocation. Every method may
 * reject (a store that is down); the caller then fails and changes nothing.
 * @category Stores
 */
export interface RefreshStore {
  /** Records a newly issued refresh token as active. */
  add(record: RefreshRecord): Promise<void>;
  /**
   * Atomically consumes a refresh token and returns its state before the call:
   * of any number of concurrent calls with one active token, exactly one sees "active".
   */
  consume(record: RefreshRecord): Promise<RefreshState>;
  /** The state of a refresh token, without changing it. */
  state(record: RefreshRecord): Promise<RefreshState>;
  /** Revokes a family until `until` (seconds since the epoch), after which no token of it can be alive. */
  revokeFamily(family: string, until: number): Promise<void>;
  /** Revokes every family of a subject that the store knows. */
  revokeSubject(sub: string): Promise<void>;
  /** Puts an access token's `jti` on the deny list until its `exp`. */
  denyAccess(jti: string, exp: number): Promise<void>;
  /** Whether an access token's `jti` is on the deny list. */
  isAccessDenied(jti: string): Promise<boolean>;
}

/** Refuses a record that is not what the store API promises, before any store writes it. @category Stores */
export function checkRecord(record: RefreshRecord): void {
  if (typeof record !== "object" || record === null)
    throw new TypeError("record must be an object");
  checkString(record.jti, "jti");
  checkString(record.family, "family");
  checkString(record.sub, "sub");
  checkTime(record.exp, "exp");
}

/** Refuses an id that is not a non-empty string. @category Stores */
export function checkString(value: unknown, name: string): void {
  if (typeof value !== "string" || value === "")
    throw new TypeError(`${name} must be a non-empty string`);
}

/** Refuses a time that is not a finite number of seconds. @category Stores */
export function checkTime(value: unknown, name: string): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number of seconds since the epoch`);
  }
}
