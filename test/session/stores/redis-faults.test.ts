// Real faults on a real redis-server: a stopped process, CLIENT PAUSE, evicting
// policies, real eviction, kill -9 with and without AOF, a stampede of one
// refresh token, and a flood of refused refreshes. docs/reliability.md lists
// what each test shows and its figures.
import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import { createTokens, type TokenPair } from "../../../src/index.js";
import { type RedisStoreOptions, redisStore } from "../../../src/session/stores/redis.js";
import type { NewFamily, RefreshStore } from "../../../src/session/stores/store.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../../support/redis-server.js";

const HOUR = 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const unique = (name: string) => `${name}-${crypto.randomUUID()}`;
const storeError = { name: "StoreError", code: "ERR_STORE_UNAVAILABLE", status: 503 };
const reused = { code: "ERR_JWT_REVOKED", status: 401 };
const secret = "redis-access-secret-redis-access-secret-1";
const refreshSecret = "redis-refresh-secret-redis-refresh-secret";
const GUARD_MS = 10_000;

type Client = ReturnType<typeof createClient>;

async function connect(server: RedisServer): Promise<Client> {
  const client = createClient({ url: server.url });
  client.on("error", () => {}); // a crashed or stopped server is what these tests do
  await client.connect();
  return client;
}

async function withServer<T>(
  args: string[],
  work: (server: RedisServer, client: Client) => Promise<T>,
): Promise<T> {
  const server = await startRedisServer({ args });
  const client = await connect(server);
  try {
    return await work(server, client);
  } finally {
    client.destroy();
    await server.stop();
  }
}

const HUNG = Symbol("hung");
// Settles with the call's outcome, or HUNG when it is still pending at the guard.
async function settle<T>(call: Promise<T>): Promise<PromiseSettledResult<T> | typeof HUNG> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<typeof HUNG>((resolve) => {
    timer = setTimeout(() => resolve(HUNG), GUARD_MS);
  });
  const outcome = call.then(
    (value): PromiseSettledResult<T> => ({ status: "fulfilled", value }),
    (reason: unknown): PromiseSettledResult<T> => ({ status: "rejected", reason }),
  );
  return Promise.race([outcome, guard]).finally(() => clearTimeout(timer));
}

const isStoreError = (outcome: unknown) =>
  outcome !== HUNG &&
  (outcome as PromiseSettledResult<unknown>).status === "rejected" &&
  (outcome as PromiseRejectedResult).reason?.code === "ERR_STORE_UNAVAILABLE";

const claimsOf = (token: string): { jti: string; fam: string } =>
  JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
const jtiOf = (token: string): string => claimsOf(token).jti;

const login = (): NewFamily => ({
  sub: unique("sub"),
  family: unique("family"),
  jti: unique("jti"),
  keepUntil: nowSeconds() + HOUR,
});
const access = (family: NewFamily) => ({ ...family, jti: unique("atk"), exp: nowSeconds() + 900 });
const rotation = (family: NewFamily) => ({
  ...family,
  next: { jti: unique("jti"), iat: nowSeconds(), exp: nowSeconds() + HOUR },
  grace: 0,
  keepUntil: nowSeconds() + HOUR,
});

const storeOn = (client: Client, options: RedisStoreOptions = {}) =>
  redisStore(client, { prefix: `${unique("faults")}:`, ...options });

// How many of `calls` resolve: each is a token that must be refused.
async function accepted(calls: (() => Promise<unknown>)[]): Promise<number> {
  let count = 0;
  for (const call of calls) {
    try {
      await call();
      count++;
    } catch {
      // refused, as it must be
    }
  }
  return count;
}

// Runs `calls` with at most `width` in flight, in order of batches.
async function inBatches<T>(calls: (() => Promise<T>)[], width: number) {
  const results: PromiseSettledResult<T>[] = [];
  for (let i = 0; i < calls.length; i += width) {
    results.push(...(await Promise.allSettled(calls.slice(i, i + width).map((call) => call()))));
  }
  return results;
}

// Every maxmemory-policy of Redis 7 that evicts keys.
const EVICTING_POLICIES = [
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
];

describe.skipIf(!redisServerAvailable())("redisStore under real faults", () => {
  it("rejects every call with a StoreError by its deadline while redis-server is stopped, and a retry within the grace keeps the login", async () => {
    await withServer([], async (server, client) => {
      const prefix = `${unique("sigstop")}:`;
      const store = redisStore(client, { prefix, timeout: 300 });
      const tokens = createTokens({ secret, refreshSecret, store, reuseGrace: 30 });
      const pair = await tokens.issue({ sub: "sigstop" });
      await store.ready();
      const calls: Promise<unknown>[] = [];
      process.kill(server.pid, "SIGSTOP");
      let refresh: PromiseSettledResult<unknown> | typeof HUNG;
      let outcomes: (PromiseSettledResult<unknown> | typeof HUNG)[];
      try {
        const f = login();
        calls.push(
          store.open(f),
          store.rotate(rotation(f)),
          store.state(f),
          store.accessState(access(f)),
          store.revokeFamily(f),
          store.revokeSubject(f.sub),
          store.denyAccess(access(f)),
        );
        outcomes = await Promise.all(calls.map(settle));
        refresh = await settle(tokens.refresh(pair.refreshToken));
      } finally {
        process.kill(server.pid, "SIGCONT");
      }
      expect(outcomes.filter((o) => o === HUNG)).toHaveLength(0);
      expect(outcomes.filter(isStoreError)).toHaveLength(7);
      expect(isStoreError(refresh)).toBe(true);
      // The stalled refresh ran once the server went on: PING comes after it.
      await client.ping();
      // The successor the stalled command wrote is what the retries get.
      const family = `${prefix}{sigstop}:fam:${claimsOf(pair.refreshToken).fam}`;
      const successor = await client.hGet(family, "n");
      const retry = await tokens.refresh(pair.refreshToken);
      const again = await tokens.refresh(pair.refreshToken);
      expect(successor).toEqual(expect.any(String));
      expect(jtiOf(retry.refreshToken)).toBe(successor);
      expect(jtiOf(again.refreshToken)).toBe(successor);
      await tokens.refresh(retry.refreshToken);
    });
  }, 30_000);

  it("answers a refresh stalled by CLIENT PAUSE with a 503, and its retry within the grace (only) keeps the login", async () => {
    await withServer([], async (server, client) => {
      const admin = await connect(server);
      try {
        const store = storeOn(client, { timeout: 300 });
        const withGrace = createTokens({ secret, refreshSecret, store, reuseGrace: 30 });
        const noGrace = createTokens({ secret, refreshSecret, store });
        const stalled = async (tokens: typeof withGrace) => {
          const pair = await tokens.issue({ sub: unique("paused") });
          await admin.sendCommand(["CLIENT", "PAUSE", "1500", "ALL"]);
          await expect(tokens.refresh(pair.refreshToken)).rejects.toMatchObject(storeError);
          await client.ping(); // returns after the pause, after the stalled refresh ran
          return pair;
        };
        const graced = await stalled(withGrace);
        const retry = await withGrace.refresh(graced.refreshToken);
        await withGrace.refresh(retry.refreshToken);
        const refused = await stalled(noGrace);
        await expect(noGrace.refresh(refused.refreshToken)).rejects.toMatchObject(reused);
      } finally {
        admin.destroy();
      }
    });
  }, 30_000);

  it("refuses every evicting maxmemory-policy at ready() and at the first call, and takes noeviction", async () => {
    await withServer([], async (_, client) => {
      let refused = 0;
      for (const policy of EVICTING_POLICIES) {
        await client.configSet("maxmemory-policy", policy);
        const message = expect.stringContaining(`"${policy}"`);
        await expect(storeOn(client).ready()).rejects.toMatchObject({ ...storeError, message });
        await expect(storeOn(client).open(login())).rejects.toMatchObject({
          ...storeError,
          message,
        });
        refused++;
      }
      expect(refused).toBe(EVICTING_POLICIES.length);
      await client.configSet("maxmemory-policy", "noeviction");
      const store = storeOn(client);
      await store.ready();
      await store.open(login());
    });
  }, 30_000);

  it.each(EVICTING_POLICIES)(
    "accepts no revoked token when %s evicts under memory pressure",
    async (policy) => {
      await withServer(["--maxmemory", "3mb", "--maxmemory-policy", policy], async (_, client) => {
        const prefix = `${unique("evict")}:`;
        const store = redisStore(client, { prefix, allowEviction: true, timeout: 10_000 });
        const tokens = createTokens({ secret, refreshSecret, store, checkRevoked: true });
        const LOGINS = 200;
        const pairs: TokenPair[] = [];
        for (let i = 0; i < LOGINS; i++)
          pairs.push(await tokens.issue({ sub: `user-${i % 100}-${i}` }));
        const revokedRtks: string[] = [];
        const revokedAtks: string[] = [];
        const live: TokenPair[] = [];
        for (const [i, pair] of pairs.entries()) {
          const kind = i % 5;
          if (kind === 0) {
            await tokens.revoke(pair.refreshToken); // logged out
            revokedRtks.push(pair.refreshToken);
            revokedAtks.push(pair.accessToken);
          } else if (kind === 1) {
            const next = await tokens.refresh(pair.refreshToken);
            await expect(tokens.refresh(pair.refreshToken)).rejects.toMatchObject(reused);
            revokedRtks.push(pair.refreshToken, next.refreshToken);
            revokedAtks.push(pair.accessToken, next.accessToken);
          } else if (kind === 2) {
            const { sub } = await tokens.verifyAccess(pair.accessToken);
            await tokens.revokeSubject(sub);
            revokedRtks.push(pair.refreshToken);
            revokedAtks.push(pair.accessToken);
          } else if (kind === 3) {
            await tokens.revokeAccess(pair.accessToken);
            revokedAtks.push(pair.accessToken);
            live.push(pair);
          } else {
            live.push(pair);
          }
        }
        const { evicted, before, after } = await fillUntilEvicted(client, prefix);
        expect(evicted).toBeGreaterThan(0);
        expect(after).toBeLessThan(before); // the store's own keys were evicted
        const tried = revokedRtks.length + revokedAtks.length;
        const wrongly = await accepted([
          ...revokedRtks.map((rtk) => () => tokens.refresh(rtk)),
          ...revokedAtks.map((atk) => () => tokens.verifyAccess(atk)),
        ]);
        expect(wrongly).toBe(0);
        // The fail-closed price: logins whose state was evicted must log in again.
        const kept = await accepted(live.map((pair) => () => tokens.refresh(pair.refreshToken)));
        console.info(
          `${policy}: ${evicted} keys evicted, store keys ${before} -> ${after}; revoked tokens accepted ${wrongly} of ${tried}; ` +
            `legitimate logins lost ${live.length - kept} of ${live.length}`,
        );
        expect(kept).toBeLessThan(live.length); // the eviction did reach the logins
      });
    },
    60_000,
  );

  it("rejects the in-flight refreshes of a server killed with -9, and refuses every old refresh token after a restart without AOF", async () => {
    await withServer([], async (server, client) => {
      const { loops, crash, tokens } = refreshLoops(client);
      const outcomes = await crash(server);
      expect(outcomes.filter((o) => o === HUNG)).toHaveLength(0);
      expect(outcomes.filter(isStoreError)).toHaveLength(outcomes.length);
      await server.restart();
      await untilAnswers(client);
      const old = loops.flatMap((loop) => loop.seen);
      const wrongly = await accepted(old.map((rtk) => () => tokens.refresh(rtk)));
      console.info(`kill -9 without AOF: old refresh tokens accepted ${wrongly} of ${old.length}`);
      expect(wrongly).toBe(0);
    });
  }, 60_000);

  it("keeps logouts and spent tokens refused, and live logins working, across kill -9 with appendfsync always", async () => {
    const args = ["--appendonly", "yes", "--appendfsync", "always"];
    await withServer(args, async (server, client) => {
      const { loops, crash, store, tokens } = refreshLoops(client);
      const noGrace = createTokens({ secret, refreshSecret, store });
      const loggedOut: string[] = [];
      const spent: string[] = [];
      for (let i = 0; i < 20; i++) {
        const out = await noGrace.issue({ sub: unique("out") });
        await noGrace.revoke(out.refreshToken);
        loggedOut.push(out.refreshToken);
        const used = await noGrace.issue({ sub: unique("used") });
        await noGrace.refresh(used.refreshToken);
        spent.push(used.refreshToken);
      }
      const outcomes = await crash(server);
      expect(outcomes.filter((o) => o === HUNG)).toHaveLength(0);
      expect(outcomes.filter(isStoreError)).toHaveLength(outcomes.length);
      await server.restart();
      await untilAnswers(client);
      const refused = [...loggedOut, ...spent].map((rtk) => () => noGrace.refresh(rtk));
      const wrongly = await accepted(refused);
      expect(wrongly).toBe(0);
      const working = await accepted(loops.map((loop) => () => tokens.refresh(loop.latest)));
      console.info(
        `kill -9 with AOF always: refused tokens accepted ${wrongly} of ${refused.length}; ` +
          `live logins kept ${working} of ${loops.length}`,
      );
      expect(working).toBe(loops.length);
    });
  }, 60_000);

  it("gives 500 concurrent refreshes of one token one pair without grace, and one successor to all within the grace", async () => {
    await withServer([], async (_, client) => {
      const store = storeOn(client, { timeout: 20_000 });
      const noGrace = createTokens({ secret, refreshSecret, store });
      const first = await noGrace.issue({ sub: "stampede" });
      const race = await Promise.allSettled(
        Array.from({ length: 500 }, () => noGrace.refresh(first.refreshToken)),
      );
      expect(race.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const refusals = race.filter(
        (r) =>
          r.status === "rejected" && (r.reason as { code?: string }).code === "ERR_JWT_REVOKED",
      );
      expect(refusals).toHaveLength(499);

      const withGrace = createTokens({ secret, refreshSecret, store, reuseGrace: 60 });
      const second = await withGrace.issue({ sub: "stampede-grace" });
      const pairs = await Promise.all(
        Array.from({ length: 500 }, () => withGrace.refresh(second.refreshToken)),
      );
      const successors = new Set(pairs.map((pair) => jtiOf(pair.refreshToken)));
      expect(pairs).toHaveLength(500);
      expect(successors.size).toBe(1);
      await withGrace.refresh(pairs[0]?.refreshToken ?? "");
    });
  }, 60_000);

  it("adds nothing to Redis for 10,000 refused refreshes", async () => {
    await withServer([], async (_, client) => {
      const prefix = `${unique("flood")}:`;
      const store = redisStore(client, { prefix, timeout: 20_000 });
      const tokens = createTokens({ secret, refreshSecret, store });
      const spent = await tokens.issue({ sub: "flood" });
      await tokens.refresh(spent.refreshToken);
      // The first replay revokes the family: that write is the only one.
      await expect(tokens.refresh(spent.refreshToken)).rejects.toMatchObject(reused);
      const out = await tokens.issue({ sub: "flood-out" });
      await tokens.revoke(out.refreshToken);
      const snapshot = async () => {
        const keys = (await client.keys(`${prefix}*`)).sort();
        const hashes = await Promise.all(
          keys.map((key) => (key.includes(":fam:") ? client.hGetAll(key) : client.get(key))),
        );
        const expiries = await Promise.all(
          keys.map((key) => client.sendCommand(["PEXPIRETIME", key])),
        );
        return { size: await client.dbSize(), keys, hashes, expiries };
      };
      const before = await snapshot();
      const replays = Array.from(
        { length: 10_000 },
        (_, i) => () => tokens.refresh(i % 2 ? spent.refreshToken : out.refreshToken),
      );
      const results = await inBatches(replays, 200);
      const refusals = results.filter(
        (r) =>
          r.status === "rejected" && (r.reason as { code?: string }).code === "ERR_JWT_REVOKED",
      );
      expect(refusals).toHaveLength(10_000);
      expect(await snapshot()).toEqual(before);
    });
  }, 60_000);
});

// Outlives every login, so that volatile-ttl evicts logins before filler.
const FILLER_TTL = 400 * 24 * HOUR;

// Writes filler keys (with a TTL, for volatile-* policies) until the server
// has evicted at least half of the store's keys (bounded at 40 batches of
// 500 KB), so that both kept and evicted revocations are presented again.
async function fillUntilEvicted(client: Client, prefix: string) {
  const value = "x".repeat(1024);
  const storeKeys = async () => (await client.keys(`${prefix}*`)).length;
  const before = await storeKeys();
  let after = before;
  for (let batch = 0; batch < 40 && after > before / 2; batch++) {
    const multi = client.multi();
    for (let i = 0; i < 500; i++) multi.set(`filler:${batch}:${i}`, value, { EX: FILLER_TTL });
    await multi.exec();
    after = await storeKeys();
  }
  const info = await client.info("stats");
  return { evicted: Number(/evicted_keys:(\d+)/.exec(info)?.[1] ?? 0), before, after };
}

interface Loop {
  latest: string;
  seen: string[];
}

// 50 logins refreshing concurrently, each keeping the latest refresh token it
// was answered; `crash` kills the server mid-loop and settles every loop's end.
function refreshLoops(client: Client) {
  const store: RefreshStore = storeOn(client, { timeout: 500 });
  const tokens = createTokens({ secret, refreshSecret, store, reuseGrace: 60 });
  const loops: Loop[] = [];
  let running: Promise<unknown>[] = [];
  let stop = false;
  const start = async () => {
    for (let i = 0; i < 50; i++) {
      const pair = await tokens.issue({ sub: unique("loop") });
      loops.push({ latest: pair.refreshToken, seen: [pair.refreshToken] });
    }
    running = loops.map(async (loop) => {
      for (let round = 0; round < 10_000 && !stop; round++) {
        const next = await tokens.refresh(loop.latest);
        loop.latest = next.refreshToken;
        loop.seen.push(next.refreshToken);
      }
    });
    // Each loop ends in a rejection at the crash; `crash` reads it later.
    for (const loop of running) loop.catch(() => {});
  };
  const crash = async (server: RedisServer) => {
    await start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.crash();
    const outcomes = await Promise.all(running.map(settle));
    stop = true;
    return outcomes;
  };
  return { loops, crash, store, tokens };
}

// node-redis reconnects by itself: wait (bounded) until the client answers.
async function untilAnswers(client: Client): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const answered = await settle(client.ping());
    if (answered !== HUNG && answered.status === "fulfilled") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the client did not reconnect");
}
