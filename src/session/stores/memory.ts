import {
  type AccessRef,
  checkAccess,
  checkFamily,
  checkNewFamily,
  checkRotation,
  checkString,
  checkToken,
  type FamilyRef,
  type RefreshState,
  type RefreshStore,
  type RotationResult,
  type Successor,
  type TokenRef,
} from "./store.js";

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** The clock, in milliseconds since the epoch, for tests. Default: `Date.now`. */
  now?: () => number;
}

/** A {@link RefreshStore} in memory, which tells how many families it holds. */
export interface MemoryStore extends RefreshStore {
  /** The number of families held, live or not yet swept. */
  readonly size: number;
}

// One login. Times in milliseconds since the epoch, on the store's clock.
interface FamilyRecord {
  sub: string;
  active: string;
  // The token that `active` replaced, its successor, and when.
  replaced: string | undefined;
  successor: Successor | undefined;
  rotatedAt: number;
  revoked: boolean;
  denied: Set<string> | undefined;
  keepUntil: number;
}

// Expired families examined per write: enough to keep up with the writes that
// make them, few enough that no call pauses the event loop.
const SWEEP_STEPS = 8;
// A Map rehashes all its entries when it grows or shrinks: split into many, no
// one rehash is long (at 1M entries, one table of them takes tens of ms).
const SHARDS = 256;

/** A Map split into shards by a hash of the key, with a sweep cursor that runs over all of them. */
class ShardedMap<V> {
  private readonly shards = Array.from({ length: SHARDS }, () => new Map<string, V>());
  private shard = 0;
  private cursor = this.shards[0]?.entries() as MapIterator<[string, V]>;
  size = 0;

  private of(key: string): Map<string, V> {
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
    return this.shards[hash & (SHARDS - 1)] as Map<string, V>;
  }

  get(key: string): V | undefined {
    return this.of(key).get(key);
  }

  set(key: string, value: V): void {
    const map = this.of(key);
    if (!map.has(key)) this.size++;
    map.set(key, value);
  }

  delete(key: string): void {
    if (this.of(key).delete(key)) this.size--;
  }

  /**
   * The next entry of a walk over every shard that resumes where it stopped
   * (a Map iterator stays valid while entries come and go); undefined at the
   * end of each shard.
   */
  next(): [string, V] | undefined {
    const step = this.cursor.next();
    if (!step.done) return step.value;
    this.shard = (this.shard + 1) % SHARDS;
    this.cursor = (this.shards[this.shard] as Map<string, V>).entries();
    return undefined;
  }
}

/**
 * A {@link RefreshStore} in this process's memory: the default for a single
 * server. Its state is lost on restart (every login then has to log in again:
 * a missing family is refused), and it is not shared between servers: use
 * `redisStore` for that.
 *
 * Every call does bounded work: families are indexed by subject, so
 * `revokeSubject` costs that subject's families, and expired families are
 * dropped a few at a time on each write by a sweep that resumes where it
 * stopped, so its size follows the number of live logins.
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = options.now ?? Date.now;
  const families = new ShardedMap<FamilyRecord>();
  const bySubject = new ShardedMap<Set<string>>();

  function forget(id: string, record: FamilyRecord): void {
    families.delete(id);
    const owned = bySubject.get(record.sub);
    owned?.delete(id);
    if (owned?.size === 0) bySubject.delete(record.sub);
  }

  // A family past keepUntil counts as missing even before the sweep reaches it.
  function find({ sub, family }: FamilyRef): FamilyRecord | undefined {
    const record = families.get(family);
    if (record === undefined || record.sub !== sub) return undefined;
    if (record.keepUntil > now()) return record;
    forget(family, record);
    return undefined;
  }

  // The sweep resumes where the last write left it: a few families per write,
  // so that it keeps up with the writes that make them without a pause.
  function sweep(): void {
    const t = now();
    for (let step = 0; step < SWEEP_STEPS; step++) {
      const entry = families.next();
      if (entry !== undefined && entry[1].keepUntil <= t) forget(entry[0], entry[1]);
    }
  }

  function advance(record: FamilyRecord, jti: string, next: Successor, keepUntil: number): void {
    record.replaced = jti;
    record.successor = next;
    record.rotatedAt = now();
    record.active = next.jti;
    record.keepUntil = Math.max(record.keepUntil, keepUntil * 1000);
  }

  return {
    get size() {
      return families.size;
    },

    async open(family) {
      checkNewFamily(family);
      const keepUntil = family.keepUntil * 1000;
      const held = find(family);
      // An id already revoked stays revoked: opening never revives a family.
      if (held?.revoked) {
        held.keepUntil = Math.max(held.keepUntil, keepUntil);
        return;
      }
      const other = families.get(family.family);
      if (other) forget(family.family, other);
      families.set(family.family, {
        sub: family.sub,
        active: family.jti,
        replaced: undefined,
        successor: undefined,
        rotatedAt: 0,
        revoked: false,
        denied: undefined,
        keepUntil,
      });
      const owned = bySubject.get(family.sub) ?? new Set();
      bySubject.set(family.sub, owned.add(family.family));
      sweep();
    },

    // Synchronous from the check to the write: no other call can come between.
    async rotate(rotation): Promise<RotationResult> {
      checkRotation(rotation);
      const record = find(rotation);
      if (record === undefined) return { outcome: "unknown" };
      if (record.revoked) return { outcome: "revoked" };
      if (rotation.jti === record.active) {
        advance(record, rotation.jti, { ...rotation.next }, rotation.keepUntil);
        sweep();
        return { outcome: "rotated" };
      }
      const successor = record.successor;
      if (
        rotation.jti === record.replaced &&
        successor !== undefined &&
        now() < record.rotatedAt + rotation.grace * 1000
      ) {
        return { outcome: "grace", next: { ...successor } };
      }
      // RFC 9700 section 4.14.2: a refresh token presented again outside the
      // grace means one of its holders is an attacker: the family is revoked.
      record.revoked = true;
      return { outcome: "reused" };
    },

    async state(token: TokenRef): Promise<RefreshState> {
      checkToken(token);
      const record = find(token);
      if (record === undefined) return "unknown";
      if (record.revoked) return "revoked";
      return token.jti === record.active ? "active" : "used";
    },

    async accessState(token: AccessRef) {
      checkAccess(token);
      const record = find(token);
      const accepted = record !== undefined && !record.revoked && !record.denied?.has(token.jti);
      return accepted ? "active" : "revoked";
    },

    async revokeFamily(family) {
      checkFamily(family);
      const record = find(family);
      if (record) record.revoked = true;
      sweep();
    },

    async revokeSubject(sub) {
      checkString(sub, "sub");
      for (const id of bySubject.get(sub) ?? []) {
        const record = find({ sub, family: id });
        if (record) record.revoked = true;
      }
      sweep();
    },

    async denyAccess(token) {
      checkAccess(token);
      // A missing family refuses its access tokens already.
      const record = find(token);
      if (record === undefined) return;
      record.denied ??= new Set();
      record.denied.add(token.jti);
      record.keepUntil = Math.max(record.keepUntil, token.exp * 1000);
      sweep();
    },
  };
}
