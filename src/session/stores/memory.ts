import {
  checkRecord,
  checkString,
  checkTime,
  type RefreshRecord,
  type RefreshState,
  type RefreshStore,
} from "./store.js";

/** Options of {@link memoryStore}. @category Stores */
export interface MemoryStoreOptions {
  /** The clock, in milliseconds since the epoch, for tests. Default: `Date.now`. */
  now?: (() => number) | undefined;
}

/** A {@link RefreshStore} in memory, which tells how many entries it holds. @category Stores */
export interface MemoryStore extends RefreshStore {
  /** The number of entries held, live or not yet swept. */
  readonly size: number;
}

/**
 * A {@link RefreshStore} in this process's memory: the default for a single
 * server. Its state is lost on restart (every refresh token then counts as used),
 * and it is not shared between servers: use `redisStore` for that.
 *
 * Expired entries are dropped as it goes, so its size follows the number of
 * live tokens, not the number ever issued.
 * @category Stores
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = options.now ?? Date.now;
  // Each map holds an expiry in milliseconds; an entry past it counts as absent.
  const active = new Map<string, { family: string; expires: number }>();
  const revoked = new Map<string, number>();
  // family -> its subject, for revokeSubject; a scan of live families is fine
  // for a store that lives in one process.
  const families = new Map<string, { sub: string; expires: number }>();
  const denied = new Map<string, number>();
  let writes = 0;
  let sweepAfter = 256;
  const size = () => active.size + revoked.size + denied.size + families.size;

  const live = (expires: number | undefined) => expires !== undefined && expires > now();
  const familyRevoked = (family: string) => live(revoked.get(family));

  function stateOf(record: RefreshRecord): RefreshState {
    if (familyRevoked(record.family)) return "revoked";
    const entry = active.get(record.jti);
    return entry && entry.family === record.family && live(entry.expires) ? "active" : "used";
  }

  // A full sweep after as many writes as there were entries left by the last
  // one keeps the cost of sweeping constant per write, and the entries held
  // within about twice the live ones.
  function wrote(): void {
    if (++writes < sweepAfter) return;
    writes = 0;
    const t = now();
    for (const map of [active, revoked, denied, families] as Map<string, unknown>[]) {
      for (const [key, value] of map) if (expiryOf(value) <= t) map.delete(key);
    }
    sweepAfter = 256 + size();
  }

  return {
    get size() {
      return size();
    },
    async add(record) {
      checkRecord(record);
      const expires = record.exp * 1000;
      active.set(record.jti, { family: record.family, expires });
      const known = families.get(record.family)?.expires ?? 0;
      families.set(record.family, { sub: record.sub, expires: Math.max(known, expires) });
      wrote();
    },
    async consume(record) {
      checkRecord(record);
      const state = stateOf(record);
      if (state === "active") active.delete(record.jti);
      return state;
    },
    async state(record) {
      checkRecord(record);
      return stateOf(record);
    },
    async revokeFamily(family, until) {
      checkString(family, "family");
      checkTime(until, "until");
      revoked.set(family, Math.max(revoked.get(family) ?? 0, until * 1000));
      wrote();
    },
    async revokeSubject(sub) {
      checkString(sub, "sub");
      for (const [family, owner] of families) {
        if (owner.sub !== sub) continue;
        revoked.set(family, Math.max(revoked.get(family) ?? 0, owner.expires));
        families.delete(family);
      }
      wrote();
    },
    async denyAccess(jti, exp) {
      checkString(jti, "jti");
      checkTime(exp, "exp");
      denied.set(jti, exp * 1000);
      wrote();
    },
    async isAccessDenied(jti) {
      checkString(jti, "jti");
      return live(denied.get(jti));
    },
  };
}

function expiryOf(value: unknown): number {
  return typeof value === "number" ? value : (value as { expires: number }).expires;
}
