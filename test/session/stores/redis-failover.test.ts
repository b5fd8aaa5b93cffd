// The Redis store through a real failover: a primary with one replica, the
// replica made to lag (SIGSTOP, and megabytes it has not read), the primary
// killed with SIGKILL, the replica promoted. Without waitReplicas, logouts and
// rotations the primary confirmed come back undone: the window is real. With
// waitReplicas, every write the replica did not take is refused, and no
// confirmed one is undone.
import { createClient } from "redis";
import { afterAll, describe, expect, it } from "vitest";
import { createTokens, type TokenPair } from "../../../src/index.js";
import { type RedisStoreOptions, redisStore } from "../../../src/session/stores/redis.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../../support/redis-server.js";

const secret = "failover-access-secret-failover-access-secret";
const refreshSecret = "failover-refresh-secret-failover-refresh-secret";
const LOGINS = 10;
// More than the kernel buffers of a loopback connection hold, so that the
// writes after it stay in the primary's own memory and die with it.
const BACKLOG_BYTES = 32 * 1024 * 1024;
const LINK_TIMEOUT_MS = 15_000;
const waitReplicas = { count: 1, timeout: 300 };

type Client = ReturnType<typeof createClient>;

const servers: RedisServer[] = [];
const clients: Client[] = [];

afterAll(async () => {
  try {
    for (const client of clients) if (client.isOpen) client.destroy();
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
});

async function connect(url: string): Promise<Client> {
  // A client of a killed server retries in the background: its errors are expected.
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on("error", () => {});
  clients.push(client);
  await client.connect();
  return client;
}

async function startPair() {
  const primary = await startRedisServer();
  servers.push(primary);
  const replica = await startRedisServer({
    args: ["--replicaof", "127.0.0.1", String(primary.port)],
  });
  servers.push(replica);
  const replicaClient = await connect(replica.url);
  const deadline = Date.now() + LINK_TIMEOUT_MS;
  while (!(await replicaClient.info("replication")).includes("master_link_status:up")) {
    if (Date.now() > deadline) throw new Error("the replica never linked to its primary");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { primary, replica, primaryClient: await connect(primary.url), replicaClient };
}

type Tokens = ReturnType<typeof createTokens>;

// Logs out the even logins and refreshes the odd ones, so that each login's
// first refresh token is spent; sorts them by whether the store confirmed it.
async function spend(tokens: Tokens, logins: TokenPair[]) {
  const confirmed: string[] = [];
  const refused: string[] = [];
  for (const [i, { refreshToken }] of logins.entries()) {
    try {
      await (i % 2 === 0 ? tokens.revoke(refreshToken) : tokens.refresh(refreshToken));
      confirmed.push(refreshToken);
    } catch (error) {
      expect(error).toMatchObject({ code: "ERR_STORE_UNAVAILABLE" });
      refused.push(refreshToken);
    }
  }
  return { confirmed, refused };
}

// How many spent refresh tokens the promoted replica takes again.
async function acceptedAfter(tokens: Tokens, spent: string[]): Promise<number> {
  let accepted = 0;
  for (const refreshToken of spent) {
    try {
      await tokens.refresh(refreshToken);
      accepted++;
    } catch (error) {
      expect(error).toMatchObject({ code: "ERR_JWT_REVOKED" });
    }
  }
  return accepted;
}

/**
 * Spends `healthy` logins while the replica keeps up and `lagging` ones while
 * it lags (when `lag`), then kills the primary and promotes the replica.
 */
async function failover(options: {
  lag: boolean;
  waitReplicas?: RedisStoreOptions["waitReplicas"];
}) {
  const { primary, replica, primaryClient, replicaClient } = await startPair();
  const prefix = `failover-${crypto.randomUUID()}:`;
  const store = redisStore(primaryClient, { prefix, waitReplicas: options.waitReplicas });
  const tokens = createTokens({ secret, refreshSecret, store });
  const issue = (n: number, name: string) =>
    Promise.all(Array.from({ length: n }, (_, i) => tokens.issue({ sub: `${name}-${i}` })));
  const early = await issue(LOGINS, "early");
  const late = await issue(LOGINS, "late");
  // Every login is on the replica before anything is spent.
  expect(await primaryClient.sendCommand(["WAIT", "1", "5000"])).toBe(1);

  const before = await spend(tokens, early);
  let during: Awaited<ReturnType<typeof spend>>;
  if (options.lag) process.kill(replica.pid, "SIGSTOP");
  try {
    if (options.lag) await primaryClient.set(`${prefix}backlog`, "x".repeat(BACKLOG_BYTES));
    during = await spend(tokens, late);
    await primary.crash();
  } finally {
    if (options.lag) process.kill(replica.pid, "SIGCONT");
  }
  expect(await replicaClient.sendCommand(["REPLICAOF", "NO", "ONE"])).toBe("OK");

  const promoted = createTokens({
    secret,
    refreshSecret,
    store: redisStore(replicaClient, { prefix }),
  });
  return {
    before,
    during,
    acceptedConfirmed: await acceptedAfter(promoted, [...before.confirmed, ...during.confirmed]),
    acceptedRefused: await acceptedAfter(promoted, [...before.refused, ...during.refused]),
  };
}

describe.skipIf(!redisServerAvailable())("redisStore through a primary/replica failover", () => {
  it("without waitReplicas, undoes logouts and rotations the lagging replica missed", async () => {
    const run = await failover({ lag: true });
    console.log(
      `without waitReplicas: ${run.during.confirmed.length} spent while the replica lagged, ` +
        `${run.acceptedConfirmed} of ${2 * LOGINS} confirmed ones accepted after failover`,
    );
    expect(run.before.refused).toEqual([]);
    expect(run.during.refused).toEqual([]);
    expect(run.acceptedConfirmed).toBeGreaterThan(0);
  }, 60_000);

  it("with waitReplicas, refuses every write the lagging replica missed and undoes no confirmed one", async () => {
    const run = await failover({ lag: true, waitReplicas });
    console.log(
      `with waitReplicas, lagging replica: ${run.before.confirmed.length} confirmed, ` +
        `${run.during.refused.length} refused with StoreError; after failover ` +
        `${run.acceptedConfirmed} confirmed and ${run.acceptedRefused} refused ones accepted`,
    );
    expect(run.before.confirmed).toHaveLength(LOGINS);
    expect(run.during.confirmed).toEqual([]);
    expect(run.during.refused).toHaveLength(LOGINS);
    expect(run.acceptedConfirmed).toBe(0);
  }, 60_000);

  it("with waitReplicas and a healthy replica, confirms every write and undoes none", async () => {
    const run = await failover({ lag: false, waitReplicas });
    expect(run.before.refused).toEqual([]);
    expect(run.during.refused).toEqual([]);
    expect(run.before.confirmed.length + run.during.confirmed.length).toBe(2 * LOGINS);
    expect(run.acceptedConfirmed).toBe(0);
  }, 60_000);
});
