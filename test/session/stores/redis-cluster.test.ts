// The Redis store on a real Redis Cluster of three masters, through
// node-redis's createCluster(): every script touches the keys of one subject
// only, which share a hash slot, so that no call is refused with CROSSSLOT and
// subjects spread over the masters.
import { createClient, createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokens } from "../../../src/index.js";
import { redisStore } from "../../../src/session/stores/redis.js";
import { describeTokenFlow } from "../../support/flow.js";
import { type RedisCluster, startRedisCluster } from "../../support/redis-cluster.js";
import { redisServerAvailable } from "../../support/redis-server.js";
import { checkRefreshModel } from "../../support/refresh-model.js";
import { describeStoreContract } from "./contract.js";

const unique = (name: string) => `${name}-${crypto.randomUUID()}`;
const secret = "cluster-access-secret-cluster-access-secret";
const refreshSecret = "cluster-refresh-secret-cluster-refresh-secret";
const RACE = 500;
const SUBJECTS = 300;

describe.skipIf(!redisServerAvailable())("redisStore on a real Redis Cluster", () => {
  let cluster: RedisCluster | undefined;
  let client: ReturnType<typeof createCluster>;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    client = createCluster({ rootNodes: cluster.urls.map((url) => ({ url })) });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    try {
      await client?.close();
    } finally {
      await cluster?.stop();
    }
  });

  const freshStore = () => redisStore(client, { cluster: true, prefix: `${unique("test")}:` });

  describeStoreContract("redisStore on a cluster", freshStore);
  describeTokenFlow("redisStore on a cluster", freshStore);

  it("holds the login flow's model, on the servers' clocks", async () => {
    await checkRefreshModel(async () => ({ store: freshStore(), ownClock: true }), 10);
  }, 60_000);

  it(`lets one of ${RACE} concurrent refreshes of one token win, without grace`, async () => {
    const tokens = createTokens({ secret, refreshSecret, store: freshStore() });
    const { refreshToken } = await tokens.issue({ sub: "race" });
    const results = await Promise.allSettled(
      Array.from({ length: RACE }, () => tokens.refresh(refreshToken)),
    );
    const won = results.filter((result) => result.status === "fulfilled");
    expect(won).toHaveLength(1);
    const refused = results.filter((result) => result.status === "rejected");
    for (const result of refused) expect(result.reason).toMatchObject({ code: "ERR_JWT_REVOKED" });
  }, 30_000);

  it(`gives all ${RACE} concurrent refreshes of one token the same successor, with grace`, async () => {
    const tokens = createTokens({ secret, refreshSecret, store: freshStore(), reuseGrace: 30 });
    const { refreshToken } = await tokens.issue({ sub: "race" });
    const pairs = await Promise.all(
      Array.from({ length: RACE }, () => tokens.refresh(refreshToken)),
    );
    const successors = new Set(pairs.map((pair) => pair.refreshToken));
    expect(successors.size).toBe(1);
    expect(successors.has(refreshToken)).toBe(false);
  }, 30_000);

  it("revokes every login of many subjects, and no other subject's", async () => {
    const tokens = createTokens({ secret, refreshSecret, store: freshStore() });
    const subjects = Array.from({ length: 50 }, (_, i) => `user-${i}`);
    const logins = await Promise.all(
      subjects.flatMap((sub) => [tokens.issue({ sub }), tokens.issue({ sub })]),
    );
    const kept = await tokens.issue({ sub: "bystander" });
    await Promise.all(subjects.map((sub) => tokens.revokeSubject(sub)));
    for (const pair of logins) {
      await expect(tokens.refresh(pair.refreshToken)).rejects.toMatchObject({
        code: "ERR_JWT_REVOKED",
      });
    }
    await tokens.refresh(kept.refreshToken);
  }, 30_000);

  it(`spreads the keys of ${SUBJECTS} subjects over every master`, async () => {
    const store = freshStore();
    const tokens = createTokens({ secret, refreshSecret, store });
    const masters = (cluster as RedisCluster).urls;
    const before = await dbSizes(masters);
    await Promise.all(
      Array.from({ length: SUBJECTS }, (_, i) => tokens.issue({ sub: `spread-${i}` })),
    );
    const after = await dbSizes(masters);
    const added = after.map((size, i) => size - (before[i] as number));
    console.log(`keys per master after ${SUBJECTS} logins: ${added.join(", ")}`);
    for (const count of added) expect(count).toBeGreaterThan(0);
    // Two keys a login: its family and its subject's epoch.
    expect(added.reduce((sum, count) => sum + count, 0)).toBe(2 * SUBJECTS);
  }, 30_000);
});

async function dbSizes(urls: string[]): Promise<number[]> {
  return Promise.all(
    urls.map(async (url) => {
      const node = createClient({ url });
      await node.connect();
      try {
        return await node.dbSize();
      } finally {
        await node.close();
      }
    }),
  );
}
