import { StoreError } from "../errors.js";
import {
  type AccessRef,
  checkAccess,
  checkFamily,
  checkNewFamily,
  checkRotation,
  checkString,
  checkToken,
  type FamilyRef,
  type NewFamily,
  type RefreshState,
  type RefreshStore,
  type Rotation,
  type RotationResult,
  type Successor,
  type TokenRef,
} from "./store.js";

/**
 * What the Redis store needs from a client on one server (or behind a proxy
 * that routes by key): send a command as its words and resolve with the
 * reply. node-redis (v4, v5) clients have it as is; others take a one-line
 * adapter (see {@link redisStore}).
 * @category Stores
 */
export interface RedisClient {
  /** Sends one command, as its words (`["GET", "key"]`), and resolves with the reply. */
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * What the Redis store needs from a Redis Cluster client (with `cluster: true`):
 * node-redis's `createCluster()` has it as is. `firstKey` is the key the
 * command touches (every key of one command shares its hash slot), or
 * undefined for a command that touches none; `isReadonly` is always false, so
 * that no read goes to a replica that may lag.
 * @category Stores
 */
export interface RedisClusterClient {
  /** Sends one command to the master that holds `firstKey`'s slot. */
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
  ): Promise<unknown>;
}

/** Options of {@link redisStore}. @category Stores */
export interface RedisStoreOptions {
  /**
   * Put before every key, to share a database with other data. Default
   * `"jwt:"`. A prefix holding a `{...}` hash tag puts every key in one
   * cluster slot: allowed, but nothing is then spread across masters.
   */
  prefix?: string | undefined;
  /**
   * The deadline of each store call, in milliseconds, from the call to its
   * last reply (a NOSCRIPT retry and a `WAIT` included). Past it the call
   * rejects with a StoreError, whatever the client does. Default 2000.
   */
  timeout?: number | undefined;
  /**
   * Accept a server whose `maxmemory-policy` evicts keys. Default false: the
   * first call refuses such a server, as evicted state logs users out.
   */
  allowEviction?: boolean | undefined;
  /**
   * After each write that revokes or consumes a token, wait with `WAIT count
   * timeout` until `count` replicas have it, and reject with a StoreError when
   * fewer confirm, so that a failover cannot bring a spent token back. Its
   * `timeout` (milliseconds) must leave room within the store's `timeout`.
   */
  waitReplicas?: { count: number; timeout: number } | undefined;
}

/** A {@link RefreshStore} on Redis, with the check of the server's settings it runs first. @category Stores */
export interface RedisStore extends RefreshStore {
  /**
   * Checks the server's `maxmemory-policy` (once; every call awaits it too).
   * Await it at start-up to fail there, not on the first request, when the
   * policy evicts keys and `allowEviction` is not set.
   */
  ready(): Promise<void>;
}

// Every call is one Lua script over the two keys of one subject, which share a
// hash slot: atomic, one round trip, and on a cluster one master. Times are
// read from the server's clock (TIME) and kept in milliseconds, so that
// clients with skewed clocks agree on the grace and on expiry.
//
// KEYS[1], the family: a hash of s (state: "active" or "revoked"), e (the
// subject's epoch when it was opened), a (the active jti), r (the jti it
// replaced), t (when), n/ni/ne (the successor's jti, iat and exp), and one
// field d:<jti> per denied access token.
// KEYS[2], the subject's epoch: a random string that revokeSubject replaces.
// A family is live only while its e is the subject's epoch: logging out
// everywhere is one write, and a lost epoch (or family) refuses, never accepts.
// The epoch key outlives every family of its subject.
const LIVE = `
local function live(state, epoch)
  return state == 'active' and epoch ~= false and epoch == redis.call('GET', KEYS[2])
end
`;
const PRELUDE = `${LIVE}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function keep_until(key, at)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 or now + ttl < at then redis.call('PEXPIREAT', key, at) end
end
local function keep_both(at)
  keep_until(KEYS[1], at)
  keep_until(KEYS[2], at)
end
`;

// ARGV: jti, keepUntil, a fresh epoch. Replies 1 (opened), 2 (the id is
// revoked, and stays so), 0 (already past keepUntil: nothing written).
const OPEN = `${PRELUDE}
local at = tonumber(ARGV[2])
if at <= now then return 0 end
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[3]
  redis.call('SET', KEYS[2], epoch, 'PXAT', at)
end
local f = redis.call('HMGET', KEYS[1], 's', 'e')
if f[1] and not live(f[1], f[2]) then
  keep_both(at)
  return 2
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 's', 'active', 'e', epoch, 'a', ARGV[1])
keep_both(at)
return 1
`;

// ARGV: jti, next jti, next iat, next exp, grace (ms), keepUntil. The whole
// refresh: check, consume and record the successor, in one step. A refusal
// writes nothing, but the revocation of a detected reuse.
const ROTATE = `${PRELUDE}
local f = redis.call('HMGET', KEYS[1], 's', 'e', 'a', 'r', 't', 'n', 'ni', 'ne')
if not f[1] then return {'unknown'} end
if not live(f[1], f[2]) then return {'revoked'} end
if ARGV[1] == f[3] then
  redis.call('HSET', KEYS[1], 'a', ARGV[2], 'r', ARGV[1], 't', now,
    'n', ARGV[2], 'ni', ARGV[3], 'ne', ARGV[4])
  keep_both(tonumber(ARGV[6]))
  return {'rotated'}
end
if ARGV[1] == f[4] and f[6] and now < tonumber(f[5]) + tonumber(ARGV[5]) then
  return {'grace', f[6], f[7], f[8]}
end
redis.call('HSET', KEYS[1], 's', 'revoked')
return {'reused'}
`;

// ARGV: jti. Reads only.
const STATE = `${LIVE}
local f = redis.call('HMGET', KEYS[1], 's', 'e', 'a')
if not f[1] then return 'unknown' end
if not live(f[1], f[2]) then return 'revoked' end
if ARGV[1] == f[3] then return 'active' end
return 'used'
`;

// ARGV: access jti. Replies 1 only for a live family that did not deny it.
const ACCESS = `${LIVE}
local f = redis.call('HMGET', KEYS[1], 's', 'e', 'd:' .. ARGV[1])
if live(f[1], f[2]) and not f[3] then return 1 end
return 0
`;

// Replies 1 (revoked) or 0 (no such family).
const REVOKE_FAMILY = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 's', 'revoked')
return 1
`;

// KEYS[1]: the subject's epoch. ARGV: a fresh epoch. Every family opened
// before now holds the old one. Replies 1, or 0 when the subject has no family.
const REVOKE_SUBJECT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return 1
`;

// ARGV: access jti, its exp. Replies 1, or 0 when the family is missing (its
// access tokens are refused already).
const DENY = `${PRELUDE}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'd:' .. ARGV[1], '1')
keep_both(tonumber(ARGV[2]))
return 1
`;

const scripts = {
  open: script(OPEN),
  rotate: script(ROTATE),
  state: script(STATE),
  access: script(ACCESS),
  revokeFamily: script(REVOKE_FAMILY),
  revokeSubject: script(REVOKE_SUBJECT),
  deny: script(DENY),
};

const STATES: readonly RefreshState[] = ["active", "used", "revoked", "unknown"];
const EVICTION_SAFE = "noeviction";
const DEFAULT_TIMEOUT_MS = 2000;

/** Sends one command; `key` is its first key, for a cluster client to route by. */
type Send = (args: string[], key: string | undefined) => Promise<unknown>;

/**
 * A {@link RefreshStore} on Redis 6.2 or later: one server, a primary with
 * replicas, or a Redis Cluster. It imports nothing, so it runs wherever the
 * client does. Each call is one Lua script over the two keys of one subject
 * (one round trip; a refresh included), every key expires with the login it
 * is about, and nothing scans the keyspace. docs/redis.md has the settings it
 * needs (`maxmemory-policy noeviction`, AOF, `WAIT`) and why.
 *
 * Keys, after the prefix, with `<sub>` the subject with `%`, `{` and `}`
 * percent-encoded (a cluster hash tag: a subject's keys share a slot, and
 * subjects spread over the masters): `{<sub>}:fam:<family>` (a hash: the
 * login) and `{<sub>}:epoch` (what revokeSubject changes).
 *
 * Every call has a deadline (`timeout`), and rejects with a `StoreError`
 * when the client fails, the deadline passes, or the reply is not one the
 * store expects. The first call checks `maxmemory-policy` (see
 * {@link RedisStore.ready}); a server that refuses `CONFIG` is taken as is.
 *
 * @example node-redis
 * ```ts
 * import { redisStore } from "hs256";
 * import { createClient } from "redis";
 * const client = await createClient({ url: process.env.REDIS_URL! }).connect();
 * const store = redisStore(client);
 * await store.ready();
 * ```
 * @example node-redis cluster
 * ```ts
 * import { redisStore } from "hs256";
 * import { createCluster } from "redis";
 * const cluster = await createCluster({ rootNodes: [{ url: "redis://127.0.0.1:7000" }] }).connect();
 * const store = redisStore(cluster, { cluster: true });
 * ```
 * @example ioredis, a Redis or a Cluster (ioredis routes by the keys of each script)
 * ```ts
 * import { redisStore } from "hs256";
 * const store = redisStore({ sendCommand: ([name, ...args]) => ioredis.call(name!, ...args) });
 * ```
 * @category Stores
 */
export function redisStore(client: RedisClient, options?: RedisStoreOptions): RedisStore;
/** A {@link RedisStore} on a Redis Cluster client, such as node-redis's `createCluster()`. */
export function redisStore(
  client: RedisClusterClient,
  options: RedisStoreOptions & { cluster: true },
): RedisStore;
export function redisStore(
  client: RedisClient | RedisClusterClient,
  options: RedisStoreOptions & { cluster?: boolean } = {},
): RedisStore {
  if (typeof client?.sendCommand !== "function") {
    throw new TypeError("client must have a sendCommand method");
  }
  const { prefix = "jwt:", timeout = DEFAULT_TIMEOUT_MS, allowEviction = false } = options;
  if (typeof prefix !== "string") throw new TypeError("prefix must be a string");
  if (typeof allowEviction !== "boolean") throw new TypeError("allowEviction must be a boolean");
  if (!Number.isSafeInteger(timeout) || timeout <= 0) {
    throw new TypeError("timeout must be a whole number of milliseconds above 0");
  }
  const replicas = checkWaitReplicas(options.waitReplicas, timeout);
  const send: Send = options.cluster
    ? (args, key) => (client as RedisClusterClient).sendCommand(key, false, args)
    : (args) => (client as RedisClient).sendCommand(args);

  const keysOf = (sub: string, family: string) => {
    const tag = `${prefix}{${encodeTag(sub)}}`;
    return [`${tag}:fam:${family}`, `${tag}:epoch`];
  };
  const epochKey = (sub: string) => `${prefix}{${encodeTag(sub)}}:epoch`;

  let checked: Promise<void> | undefined;
  const ready = () => {
    checked ??= checkPolicy(send, allowEviction).catch((error: unknown) => {
      checked = undefined; // a failure to answer is tried again by the next call
      throw error;
    });
    return checked;
  };

  // One store call: the settings check (once), then `work`, within the deadline.
  const call = <T>(work: () => Promise<T>): Promise<T> => withDeadline(ready().then(work), timeout);

  const run = (source: Script, keys: string[], args: string[]) =>
    evalScript(send, source, keys, args);

  // WAIT goes to the master that took the write: the one holding `key`.
  const replicated = async (key: string): Promise<void> => {
    if (!replicas) return;
    const acks = toInteger(
      await send(["WAIT", String(replicas.count), String(replicas.timeout)], key),
    );
    if (acks < replicas.count) {
      throw new StoreError(`only ${acks} of ${replicas.count} replicas confirmed the write`);
    }
  };

  return {
    ready: () => withDeadline(ready(), timeout),

    async open(family: NewFamily) {
      checkNewFamily(family);
      const keys = keysOf(family.sub, family.family);
      const args = [family.jti, epochMs(family.keepUntil, "keepUntil"), newEpoch()];
      await call(async () => integerIn(await run(scripts.open, keys, args), [0, 1, 2]));
    },

    async rotate(rotation: Rotation): Promise<RotationResult> {
      checkRotation(rotation);
      const keys = keysOf(rotation.sub, rotation.family);
      const { next } = rotation;
      const args = [
        rotation.jti,
        next.jti,
        String(next.iat),
        String(next.exp),
        String(Math.ceil(rotation.grace * 1000)),
        epochMs(rotation.keepUntil, "keepUntil"),
      ];
      return call(async () => {
        const result = toRotationResult(await run(scripts.rotate, keys, args));
        if (result.outcome === "rotated" || result.outcome === "reused") {
          await replicated(keys[0] as string);
        }
        return result;
      });
    },

    async state(token: TokenRef) {
      checkToken(token);
      const keys = keysOf(token.sub, token.family);
      return call(async () => textIn(await run(scripts.state, keys, [token.jti]), STATES));
    },

    async accessState(token: AccessRef) {
      checkAccess(token);
      const keys = keysOf(token.sub, token.family);
      return call(async () => {
        const accepted = integerIn(await run(scripts.access, keys, [token.jti]), [0, 1]);
        return accepted === 1 ? "active" : "revoked";
      });
    },

    async revokeFamily(family: FamilyRef) {
      checkFamily(family);
      const keys = keysOf(family.sub, family.family);
      await call(async () => {
        integerIn(await run(scripts.revokeFamily, keys, []), [0, 1]);
        await replicated(keys[0] as string);
      });
    },

    async revokeSubject(sub: string) {
      checkString(sub, "sub");
      const key = epochKey(sub);
      await call(async () => {
        integerIn(await run(scripts.revokeSubject, [key], [newEpoch()]), [0, 1]);
        await replicated(key);
      });
    },

    async denyAccess(token: AccessRef) {
      checkAccess(token);
      const keys = keysOf(token.sub, token.family);
      const args = [token.jti, epochMs(token.exp, "exp")];
      await call(async () => {
        integerIn(await run(scripts.deny, keys, args), [0, 1]);
        await replicated(keys[0] as string);
      });
    },
  };
}

function checkWaitReplicas(
  value: RedisStoreOptions["waitReplicas"],
  timeout: number,
): { count: number; timeout: number } | undefined {
  if (value === undefined) return undefined;
  const { count, timeout: wait } = value ?? {};
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new TypeError("waitReplicas.count must be a whole number above 0");
  }
  // WAIT 0 waits for ever: the store's deadline would then always fire first.
  if (!Number.isSafeInteger(wait) || wait < 1 || wait >= timeout) {
    throw new TypeError("waitReplicas.timeout must be whole milliseconds above 0, below timeout");
  }
  return { count, timeout: wait };
}

// An evicting policy drops revocations and logins alike under memory pressure:
// refusals then look like logouts, and nothing in Redis says so.
async function checkPolicy(send: Send, allowEviction: boolean): Promise<void> {
  if (allowEviction) return;
  let reply: unknown;
  try {
    reply = await send(["CONFIG", "GET", "maxmemory-policy"], undefined);
  } catch (error) {
    // Managed servers often refuse CONFIG (renamed, or an ACL): the server
    // answered, so take it as it is (docs/redis.md says what to set there).
    if (isErrorReply(error)) return;
    throw error;
  }
  const policy = configValue(reply, "maxmemory-policy");
  if (policy !== EVICTION_SAFE) {
    throw new StoreError(
      `Redis maxmemory-policy is "${policy}", which evicts logins and revocations under ` +
        `memory pressure: set it to noeviction, or pass allowEviction: true to redisStore`,
    );
  }
}

// The value of `name` in a CONFIG GET reply: a flat list in RESP2, a map in RESP3.
function configValue(reply: unknown, name: string): string {
  const entries: unknown[] =
    reply instanceof Map
      ? [...reply].flat()
      : Array.isArray(reply)
        ? reply
        : typeof reply === "object" && reply !== null
          ? Object.entries(reply).flat()
          : [];
  const index = entries.findIndex((entry) => toText(entry) === name);
  const value = index >= 0 ? toText(entries[index + 1]) : undefined;
  return value ?? unexpected(reply);
}

// A Redis error reply reads "CODE message" (ERR, NOPERM, ...); a client's own
// failures (a closed socket, a refused connection) do not.
function isErrorReply(error: unknown): boolean {
  return /^[A-Z]{2,}\b/.test(String((error as Error | undefined)?.message));
}

// Rejects with a StoreError when `work` fails or is not done within `ms`. The
// client's promise may stay pending for ever (node-redis does not time out a
// command already written): it is left behind, its outcome ignored.
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreError(`Redis did not answer within ${ms} ms`)), ms);
  });
  work.catch(() => {}); // a failure after the deadline is not unhandled
  return Promise.race([work, deadline])
    .catch((error: unknown) => {
      if (error instanceof StoreError) throw error;
      throw new StoreError("Redis failed to answer", { cause: error });
    })
    .finally(() => clearTimeout(timer));
}

// The subject goes in a hash tag, `{...}`, which ends at the first `}`:
// escaped, no subject can end it early, and two subjects never share a key.
function encodeTag(sub: string): string {
  return sub.replace(/[%{}]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function newEpoch(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

interface Script {
  source: string;
  sha(): Promise<string>;
}

function script(source: string): Script {
  let sha: Promise<string> | undefined;
  return {
    source,
    sha: () => {
      sha ??= crypto.subtle.digest("SHA-1", new TextEncoder().encode(source)).then(toHex);
      return sha;
    },
  };
}

// EVALSHA saves sending the script each time; a server that has not seen it
// yet (a restart, SCRIPT FLUSH, a failover) answers NOSCRIPT without running
// anything, and EVAL then runs it and caches it for the next call.
async function evalScript(
  send: Send,
  { source, sha }: Script,
  keys: string[],
  args: string[],
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await send(["EVALSHA", await sha(), ...tail], keys[0]);
  } catch (error) {
    if (!String((error as Error | undefined)?.message).includes("NOSCRIPT")) throw error;
    return send(["EVAL", source, ...tail], keys[0]);
  }
}

function toHex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function toRotationResult(reply: unknown): RotationResult {
  if (!Array.isArray(reply)) return unexpected(reply);
  const [outcome, jti, iat, exp] = reply.map(toText);
  if (reply.length === 1 && (outcome === "rotated" || outcome === "reused")) return { outcome };
  if (reply.length === 1 && (outcome === "revoked" || outcome === "unknown")) return { outcome };
  if (reply.length === 4 && outcome === "grace")
    return { outcome, next: toSuccessor(jti, iat, exp) };
  return unexpected(reply);
}

function toSuccessor(
  jti: string | undefined,
  iat: string | undefined,
  exp: string | undefined,
): Successor {
  const next = { jti: jti ?? "", iat: Number(iat), exp: Number(exp) };
  if (next.jti === "" || !Number.isFinite(next.iat) || !Number.isFinite(next.exp)) {
    return unexpected(next);
  }
  return next;
}

// A reply is one of the few a script gives, or an error: a client that hands
// back something else (an error as a value, a truncated reply) never passes
// for a confirmed write.
function integerIn(reply: unknown, allowed: readonly number[]): number {
  const value = toInteger(reply);
  return allowed.includes(value) ? value : unexpected(reply);
}

function textIn<T extends string>(reply: unknown, allowed: readonly T[]): T {
  const found = allowed.find((meaning) => meaning === toText(reply));
  return found ?? unexpected(reply);
}

function toInteger(reply: unknown): number {
  const text = toText(reply);
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : unexpected(reply);
}

// Clients differ in how they hand back a reply: node-redis gives numbers and
// strings, adapters may give bigints or bytes.
function toText(reply: unknown): string | undefined {
  if (reply instanceof Uint8Array) return new TextDecoder().decode(reply);
  if (typeof reply === "string") return reply;
  if ((typeof reply === "number" && Number.isSafeInteger(reply)) || typeof reply === "bigint") {
    return String(reply);
  }
  return undefined;
}

function unexpected(reply: unknown): never {
  throw new StoreError(`unexpected reply from Redis: ${typeof reply}`);
}

// Redis takes whole milliseconds, and refuses numbers it cannot hold.
function epochMs(value: number, name: string): string {
  const ms = Math.ceil(value * 1000);
  if (!Number.isSafeInteger(ms)) throw new TypeError(`${name} is out of range`);
  return String(ms);
}
