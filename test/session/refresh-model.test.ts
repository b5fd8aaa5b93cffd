// Revocation holds in every order of operations, for every store.
import { createClient } from "redis";
import { afterAll, beforeAll, describe, it } from "vitest";
import { memoryStore } from "../../src/index.js";
import { redisStore } from "../../src/session/stores/redis.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../support/redis-server.js";
import { checkRefreshModel } from "../support/refresh-model.js";

describe("refresh rotation and revocation, against a model", () => {
  it("memory store: a revoked family's tokens are never accepted again", async () => {
    await checkRefreshModel(async (now) => ({ store: memoryStore({ now }) }), 150);
  });
});

describe.skipIf(!redisServerAvailable())("refresh model on a real redis-server", () => {
  let server: RedisServer;
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    server = await startRedisServer();
    client = createClient({ url: server.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it("redis store: a revoked family's tokens are never accepted again", async () => {
    // Redis expires keys on its own clock, which the model's clock never runs behind,
    // so keys outlive the model's view of them; tokens expire first, in verify.
    const fresh = async () => ({
      store: redisStore(client, { prefix: `model-${crypto.randomUUID()}:` }),
    });
    await checkRefreshModel(fresh, 100);
  });
});
