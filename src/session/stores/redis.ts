import {
  checkRecord,
  checkString,
  checkTime,
  type RefreshRecord,
  type RefreshState,
  type RefreshStore,
} from "./store.js";

/**
 * The one method the Redis store needs from a client: send a command as its
 * words and resolve with the reply. node-redis (v4, v5) clients have it as is;
 * others take a one-line adapter (see {@link redisStore}).
 * @category Stores
 */
export interface RedisClient {
  /** Sends one command, as its words (`["GET", "key"]`), and resolves with the reply. */
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of {@link redisStore}. @category Stores */
export interface RedisStoreOptions {
  /** Put before every key, to share a database with other data. Default `"jwt:"`. */
  prefix?: string | undefined;
}

// Every write runs as one Lua script, so a store that fails mid-way leaves
// nothing half done, and concurrent callers see each step whole. Times are in
// milliseconds since the epoch, read from the server's clock (TIME) so that
// clients with skewed clocks agree on what has expired.
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function keep_until(key, at)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 or now + ttl < tonumber(at) then redis.call('PEXPIREAT', key, at) end
end
`;

// KEYS: token, subject's families, family's revocation. ARGV: family, exp.
// The subject's families are a sorted set scored by their last token's exp, so
// families whose tokens have all expired are dropped instead of piling up. A
// token added to a revoked family (a refresh racing a logout) stays revoked
// for as long as it lives.
const ADD = `${PRELUDE}
if tonumber(ARGV[2]) <= now then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZADD', KEYS[2], 'GT', ARGV[2], ARGV[1])
keep_until(KEYS[2], ARGV[2])
if redis.call('EXISTS', KEYS[3]) == 1 then keep_until(KEYS[3], ARGV[2]) end
return 1
`;

// KEYS: family's revocation, token. ARGV: family, "1" to consume. Replies 2
// for revoked, 1 for active, 0 for used (or held for another family): deleting
// the token in the same script as the check is what lets exactly one of many
// concurrent refreshes win.
const CHECK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 2 end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if ARGV[2] == '1' then redis.call('DEL', KEYS[2]) end
return 1
`;

// KEYS: family's revocation. ARGV: until. A later, shorter revocation never
// cuts short an earlier, longer one.
const REVOKE_FAMILY = `${PRELUDE}
if tonumber(ARGV[1]) <= now then return 0 end
redis.call('SET', KEYS[1], '1', 'KEEPTTL')
keep_until(KEYS[1], ARGV[1])
return 1
`;

// KEYS: subject's families. ARGV: prefix of revocation keys. Each family is
// revoked until its last token expires. The revocation keys are built here
// rather than passed in KEYS, as they are known only inside the script: this
// is why the store needs a single Redis server, not a cluster.
const REVOKE_SUBJECT = `${PRELUDE}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local families = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #families, 2 do
  local key = ARGV[1] .. families[i]
  redis.call('SET', key, '1', 'KEEPTTL')
  keep_until(key, families[i + 1])
end
return 1
`;

// KEYS: denied token. ARGV: exp.
const DENY = `${PRELUDE}
if tonumber(ARGV[1]) <= now then return 0 end
redis.call('SET', KEYS[1], '1', 'PXAT', ARGV[1])
return 1
`;

const scripts = {
  add: script(ADD),
  check: script(CHECK),
  revokeFamily: script(REVOKE_FAMILY),
  revokeSubject: script(REVOKE_SUBJECT),
  deny: script(DENY),
};

const STATES: readonly RefreshState[] = ["used", "active", "revoked"];

/**
 * A {@link RefreshStore} on Redis (6.2 or later, a single server or a primary
 * with replicas; not a cluster). It imports nothing, so it runs wherever the
 * client does. Every key expires with the token it is about, and no operation
 * scans the keyspace.
 *
 * Keys, after the prefix: `rt:<jti>` (an active refresh token, holding its
 * family), `sub:<sub>` (the subject's families), `fam:<family>` (a revoked
 * family), `deny:<jti>` (a denied access token).
 *
 * @example node-redis
 * ```ts
 * import { redisStore } from "hs256";
 * import { createClient } from "redis";
 * const client = await createClient({ url: process.env.REDIS_URL! }).connect();
 * const store = redisStore(client);
 * ```
 * @example ioredis
 * ```ts
 * import { redisStore } from "hs256";
 * const store = redisStore({ sendCommand: ([command, ...rest]) => ioredis.call(command!, ...rest) });
 * ```
 * @category Stores
 */
export function redisStore(client: RedisClient, options: RedisStoreOptions = {}): RefreshStore {
  if (typeof client?.sendCommand !== "function") {
    throw new TypeError("client must have a sendCommand(args) method");
  }
  const { prefix = "jwt:" } = options;
  if (typeof prefix !== "string") throw new TypeError("prefix must be a string");
  const run = (script: Script, keys: string[], args: string[]) =>
    evalScript(client, script, keys, args);
  const keys = {
    token: (jti: string) => `${prefix}rt:${jti}`,
    subject: (sub: string) => `${prefix}sub:${sub}`,
    family: (family: string) => `${prefix}fam:${family}`,
    denied: (jti: string) => `${prefix}deny:${jti}`,
  };

  const check = async (record: RefreshRecord, consume: boolean): Promise<RefreshState> => {
    checkRecord(record);
    const { jti, family } = record;
    const reply = await run(
      scripts.check,
      [keys.family(family), keys.token(jti)],
      [family, consume ? "1" : "0"],
    );
    return pick(reply, STATES);
  };

  return {
    async add(record) {
      checkRecord(record);
      const { jti, family, sub, exp } = record;
      await run(
        scripts.add,
        [keys.token(jti), keys.subject(sub), keys.family(family)],
        [family, epochMs(exp, "exp")],
      );
    },
    consume: (record) => check(record, true),
    state: (record) => check(record, false),
    async revokeFamily(family, until) {
      const key = keys.family(text(family, "family"));
      await run(scripts.revokeFamily, [key], [epochMs(until, "until")]);
    },
    async revokeSubject(sub) {
      await run(scripts.revokeSubject, [keys.subject(text(sub, "sub"))], [keys.family("")]);
    },
    async denyAccess(jti, exp) {
      await run(scripts.deny, [keys.denied(text(jti, "jti"))], [epochMs(exp, "exp")]);
    },
    async isAccessDenied(jti) {
      const reply = await client.sendCommand(["EXISTS", keys.denied(text(jti, "jti"))]);
      return pick(reply, [false, true]);
    },
  };
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
  client: RedisClient,
  { source, sha }: Script,
  keys: string[],
  args: string[],
): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  try {
    return await client.sendCommand(["EVALSHA", await sha(), ...tail]);
  } catch (error) {
    if (!String((error as Error | undefined)?.message).includes("NOSCRIPT")) throw error;
    return client.sendCommand(["EVAL", source, ...tail]);
  }
}

function toHex(digest: ArrayBuffer): string {
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// Maps an integer reply to its meaning: the n-th of `meanings`.
function pick<T>(reply: unknown, meanings: readonly T[]): T {
  const meaning = meanings[toInteger(reply)];
  return meaning === undefined ? unexpected(reply) : meaning;
}

// Clients differ in how they hand back an integer reply: node-redis gives a
// number, adapters may give a string, a bigint or bytes.
function toInteger(reply: unknown): number {
  const value =
    reply instanceof Uint8Array
      ? new TextDecoder().decode(reply)
      : typeof reply === "number" || typeof reply === "bigint"
        ? String(reply)
        : reply;
  if (typeof value !== "string" || !/^-?\d+$/.test(value)) return unexpected(reply);
  return Number(value);
}

function unexpected(reply: unknown): never {
  throw new Error(`unexpected reply from Redis: ${typeof reply}`);
}

function text(value: string, name: string): string {
  checkString(value, name);
  return value;
}

// Redis takes whole milliseconds, and refuses numbers it cannot hold.
function epochMs(value: number, name: string): string {
  checkTime(value, name);
  const ms = Math.ceil(value * 1000);
  if (!Number.isSafeInteger(ms)) throw new TypeError(`${name} is out of range`);
  return String(ms);
}
