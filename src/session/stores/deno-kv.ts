// `hs256/deno-kv`: refresh state in Deno KV. Each family is one value; every
// write is an atomic operation that checks the versionstamp it read, so of
// concurrent writers exactly one commits and the others read again and decide
// again. `Deno.Kv` is typed here by shape: nothing is imported.
import {
  accessStateOf,
  checkTimeout,
  type Decision,
  decideDeny,
  decideOpen,
  decideRevoke,
  decideRotate,
  type FamilyRecord,
  liveRecord,
  refreshStateOf,
  withDeadline,
} from "./family-record.js";
import {
  checkAccess,
  checkFamily,
  checkNewFamily,
  checkRotation,
  checkString,
  checkToken,
  type FamilyRef,
  type RefreshStore,
} from "./store.js";

/** A Deno KV key, as this store builds it: strings only. */
export type DenoKvKey = readonly string[];

/** The part of a `Deno.AtomicOperation` that {@link denoKvStore} uses. */
export interface DenoKvAtomicLike {
  /** Fails the commit unless `key` still has `versionstamp` (null: still absent). */
  check(...checks: { key: DenoKvKey; versionstamp: string | null }[]): DenoKvAtomicLike;
  /** Sets `key`, to expire after `expireIn` milliseconds. */
  set(key: DenoKvKey, value: unknown, options?: { expireIn?: number }): DenoKvAtomicLike;
  /** Commits: `ok` is false when a check failed and nothing was written. */
  commit(): Promise<{ ok: boolean }>;
}

/** The part of `Deno.Kv` that {@link denoKvStore} uses: `await Deno.openKv()` has it. */
export interface DenoKvLike {
  /** Reads one key, with the versionstamp to check when writing it back. */
  get(key: DenoKvKey): Promise<{ value: unknown; versionstamp: string | null }>;
  /** Lists the entries under a prefix. */
  list(selector: { prefix: DenoKvKey }): AsyncIterable<{
    key: readonly unknown[];
    value: unknown;
    versionstamp: string;
  }>;
  /** Starts an atomic operation. */
  atomic(): DenoKvAtomicLike;
}

/** Options of {@link denoKvStore}. */
export interface DenoKvStoreOptions {
  /** The first parts of every key, to share a database with other data. Default `["hs256"]`. */
  prefix?: DenoKvKey;
  /** Milliseconds each call may take before it rejects with a StoreError. Default 5000. */
  timeout?: number;
  /** The clock, in milliseconds since the epoch, for tests. Default: `Date.now`. */
  now?: () => number;
}

const NAME = "denoKvStore";
// Each conflict means another writer committed to the family; few do at once
// (a refresh race settles in three rounds), so this bound is only reached by a
// store that never lets a write through.
const MAX_ATTEMPTS = 10;

/**
 * A {@link RefreshStore} on Deno KV (`Deno.openKv()`, local or on Deno
 * Deploy): one value per family under `[...prefix, sub, family]`, so that
 * `revokeSubject` lists one prefix. Reads are strongly consistent, every
 * write checks the versionstamp it read (retried on conflict, at most 10
 * times), and each value expires with `expireIn` when its family's tokens
 * have; a value past its time is refused even before KV deletes it. Each call
 * has a deadline; one that fails or times out rejects with a StoreError.
 *
 * @example
 * ```ts
 * import { createTokens } from "npm:hs256";
 * import { denoKvStore } from "npm:hs256/deno-kv";
 * const tokens = createTokens({ secret, store: denoKvStore(await Deno.openKv()) });
 * ```
 */
export function denoKvStore(kv: DenoKvLike, options: DenoKvStoreOptions = {}): RefreshStore {
  if (typeof kv?.get !== "function" || typeof kv.atomic !== "function") {
    throw new TypeError(`${NAME}: kv must be a Deno.Kv (await Deno.openKv())`);
  }
  const prefix = options.prefix ?? ["hs256"];
  if (!Array.isArray(prefix) || !prefix.every((part) => typeof part === "string")) {
    throw new TypeError(`${NAME}: prefix must be an array of strings`);
  }
  const timeout = checkTimeout(options.timeout ?? 5000, NAME);
  const clock = options.now ?? Date.now;
  const now = () => clock() / 1000;
  const keyOf = (ref: FamilyRef): DenoKvKey => [...prefix, ref.sub, ref.family];
  const deadline = <T>(work: () => Promise<T>) => withDeadline(NAME, timeout, work);

  const read = async (ref: FamilyRef) => liveRecord((await kv.get(keyOf(ref))).value, now());

  async function update<R>(
    key: DenoKvKey,
    decide: (record: FamilyRecord | undefined, now: number) => Decision<R>,
  ): Promise<R> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const entry = await kv.get(key);
      const at = clock();
      const { result, write } = decide(liveRecord(entry.value, at / 1000), at / 1000);
      if (!write) return result;
      const expireIn = Math.max(1, Math.ceil(write.keepUntil * 1000 - at));
      const { ok } = await kv
        .atomic()
        .check({ key, versionstamp: entry.versionstamp })
        .set(key, write, { expireIn })
        .commit();
      if (ok) return result;
    }
    throw new Error(`${MAX_ATTEMPTS} writes in a row lost to concurrent writes`);
  }

  return {
    async open(family) {
      checkNewFamily(family);
      return deadline(() => update(keyOf(family), (r, t) => decideOpen(r, family, t)));
    },
    async rotate(rotation) {
      checkRotation(rotation);
      return deadline(() => update(keyOf(rotation), (r, t) => decideRotate(r, rotation, t)));
    },
    async state(token) {
      checkToken(token);
      return deadline(async () => refreshStateOf(await read(token), token));
    },
    async accessState(token) {
      checkAccess(token);
      return deadline(async () => accessStateOf(await read(token), token));
    },
    async revokeFamily(family) {
      checkFamily(family);
      return deadline(() => update(keyOf(family), decideRevoke));
    },
    async revokeSubject(sub) {
      checkString(sub, "sub");
      return deadline(async () => {
        for await (const entry of kv.list({ prefix: [...prefix, sub] })) {
          await update(entry.key as DenoKvKey, decideRevoke);
        }
      });
    },
    async denyAccess(token) {
      checkAccess(token);
      return deadline(() => update(keyOf(token), (r, t) => decideDeny(r, token, t)));
    },
  };
}
