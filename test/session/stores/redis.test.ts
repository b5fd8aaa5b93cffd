import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RedisClient,
  type RefreshRecord,
  type RedisRefreshStore as RefreshStore,
  redisStore,
} from "../../../src/session/stores/redis.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../../support/redis-server.js";
import { describeLegacyStoreContract } from "./redis-contract.js";

const HOUR = 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const unique = (name: string) => `${name}-${crypto.randomUUID()}`;
const record = (overrides: Partial<RefreshRecord> = {}): RefreshRecord => ({
  jti: unique("jti"),
  family: unique("family"),
  sub: unique("sub"),
  exp: nowSeconds() + HOUR,
  ...overrides,
});

// A client that answers every command with `reply`, recording what it was sent.
function fakeClient(reply: (args: string[]) => unknown) {
  const sent: string[][] = [];
  const client: RedisClient = {
    sendCommand: async (args) => {
      sent.push(args);
      return reply(args);
    },
  };
  return { client, sent };
}

const everyMethod: [string, (store: RefreshStore) => Promise<unknown>][] = [
  ["add", (s) => s.add(record())],
  ["consume", (s) => s.consume(record())],
  ["state", (s) => s.state(record())],
  ["revokeFamily", (s) => s.revokeFamily("f", nowSeconds() + HOUR)],
  ["revokeSubject", (s) => s.revokeSubject("alice")],
  ["denyAccess", (s) => s.denyAccess("j", nowSeconds() + HOUR)],
  ["isAccessDenied", (s) => s.isAccessDenied("j")],
];

describe("redisStore without a server", () => {
  it("refuses a client without sendCommand and a prefix that is not a string", () => {
    expect(() => redisStore({} as never)).toThrow(TypeError);
    expect(() => redisStore(null as never)).toThrow(TypeError);
    expect(() => redisStore(fakeClient(() => 0).client, { prefix: 1 as never })).toThrow(TypeError);
  });

  it.each([
    ["an empty jti", (s: RefreshStore) => s.add(record({ jti: "" }))],
    ["an empty family", (s: RefreshStore) => s.consume(record({ family: "" }))],
    ["an empty sub", (s: RefreshStore) => s.add(record({ sub: "" }))],
    ["an exp out of range", (s: RefreshStore) => s.add(record({ exp: 1e300 }))],
    ["an empty family to revoke", (s: RefreshStore) => s.revokeFamily("", nowSeconds())],
    ["an empty subject", (s: RefreshStore) => s.revokeSubject("")],
    ["an empty jti to deny", (s: RefreshStore) => s.denyAccess("", nowSeconds())],
  ])("refuses %s with a TypeError before sending anything", async (_, call) => {
    const { client, sent } = fakeClient(() => 0);
    await expect(call(redisStore(client))).rejects.toThrow(TypeError);
    expect(sent).toEqual([]);
  });

  it.each(everyMethod)("%s rejects with the client's error, sent once", async (_, call) => {
    const failure = new Error("connection lost");
    const { client, sent } = fakeClient(() => Promise.reject(failure));
    await expect(call(redisStore(client))).rejects.toBe(failure);
    expect(sent).toHaveLength(1);
  });

  it.each([
    [2, "revoked"],
    [1, "active"],
    [0, "used"],
    ["2", "revoked"],
    [1n, "active"],
    [new TextEncoder().encode("0"), "used"],
  ])("reads the integer reply %o as %s", async (reply, state) => {
    const store = redisStore(fakeClient(() => reply).client);
    expect(await store.consume(record())).toBe(state);
    expect(await store.state(record())).toBe(state);
  });

  it.each([
    ["1", true],
    [0n, false],
    [1, true],
  ] as const)("reads an EXISTS reply %o as %s", async (reply, denied) => {
    const store = redisStore(fakeClient(() => reply).client);
    expect(await store.isAccessDenied("j")).toBe(denied);
  });

  it.each([[3], [-1], ["active"], [""], [null], [undefined], [{}], [1.5]])(
    "rejects the unexpected reply %o",
    async (reply) => {
      const store = redisStore(fakeClient(() => reply).client);
      await expect(store.consume(record())).rejects.toThrow(/unexpected reply from Redis/);
      await expect(store.isAccessDenied("j")).rejects.toThrow(/unexpected reply from Redis/);
    },
  );

  it("falls back to EVAL on NOSCRIPT, whatever error class the client uses", async () => {
    const { client, sent } = fakeClient(([command]) =>
      command === "EVALSHA" ? Promise.reject({ message: "NOSCRIPT No matching script." }) : 1,
    );
    expect(await redisStore(client).consume(record())).toBe("active");
    expect(sent.map(([command]) => command)).toEqual(["EVALSHA", "EVAL"]);
  });
});

describe.skipIf(!redisServerAvailable())("redisStore on a real redis-server", () => {
  let server: RedisServer | undefined;
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    server = await startRedisServer();
    client = createClient({ url: server.url });
    await client.connect();
  }, 30_000);

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  const pexpiretime = (key: string) => client.sendCommand(["PEXPIRETIME", key]);
  const freshStore = () => {
    const prefix = `${unique("test")}:`;
    return { prefix, store: redisStore(client, { prefix }) };
  };

  describeLegacyStoreContract("redisStore", () => freshStore().store);

  describe("keys", () => {
    it("keeps an active token under the default prefix jwt:, holding its family", async () => {
      const token = record();
      await redisStore(client).add(token);
      expect(await client.get(`jwt:rt:${token.jti}`)).toBe(token.family);
      expect(await client.zScore(`jwt:sub:${token.sub}`, token.family)).toBe(token.exp * 1000);
      await client.del([`jwt:rt:${token.jti}`, `jwt:sub:${token.sub}`]);
    });

    it("expires a token, and its subject's families, with the token", async () => {
      const { prefix, store } = freshStore();
      const token = record();
      await store.add(token);
      expect(await pexpiretime(`${prefix}rt:${token.jti}`)).toBe(token.exp * 1000);
      expect(await pexpiretime(`${prefix}sub:${token.sub}`)).toBe(token.exp * 1000);

      await store.add(record({ sub: token.sub, exp: token.exp - 60 }));
      expect(await pexpiretime(`${prefix}sub:${token.sub}`)).toBe(token.exp * 1000);
      await store.add(record({ sub: token.sub, exp: token.exp + 60 }));
      expect(await pexpiretime(`${prefix}sub:${token.sub}`)).toBe((token.exp + 60) * 1000);
    });

    it("rounds a fractional exp up, so nothing expires early", async () => {
      const { prefix, store } = freshStore();
      const token = record({ exp: nowSeconds() + HOUR + 0.0001 });
      await store.add(token);
      expect(await pexpiretime(`${prefix}rt:${token.jti}`)).toBe(Math.ceil(token.exp * 1000));
    });

    it("keeps a family's revocation until the latest time it was asked for", async () => {
      const { prefix, store } = freshStore();
      const until = nowSeconds() + HOUR;
      await store.revokeFamily("f", until);
      expect(await pexpiretime(`${prefix}fam:f`)).toBe(until * 1000);
      await store.revokeFamily("f", until - 60);
      expect(await pexpiretime(`${prefix}fam:f`)).toBe(until * 1000);
      await store.revokeFamily("f", until + 60);
      expect(await pexpiretime(`${prefix}fam:f`)).toBe((until + 60) * 1000);
    });

    it("stretches a revocation over a token added to the family later", async () => {
      const { prefix, store } = freshStore();
      const token = record();
      await store.revokeFamily(token.family, token.exp - 60);
      await store.add(token);
      expect(await pexpiretime(`${prefix}fam:${token.family}`)).toBe(token.exp * 1000);
      await store.add(record({ exp: token.exp + 60 }));
      expect(await pexpiretime(`${prefix}fam:${token.family}`)).toBe(token.exp * 1000);
    });

    it("revokes each of a subject's families until its last token expires", async () => {
      const { prefix, store } = freshStore();
      const first = record();
      const rotated = record({ sub: first.sub, family: first.family, exp: first.exp + 60 });
      const second = record({ sub: first.sub, exp: first.exp + 120 });
      for (const token of [rotated, first, second]) await store.add(token);
      await store.revokeSubject(first.sub);
      expect(await pexpiretime(`${prefix}fam:${first.family}`)).toBe(rotated.exp * 1000);
      expect(await pexpiretime(`${prefix}fam:${second.family}`)).toBe(second.exp * 1000);
    });

    it("denies an access token until its exp", async () => {
      const { prefix, store } = freshStore();
      const exp = nowSeconds() + HOUR;
      await store.denyAccess("atk", exp);
      expect(await pexpiretime(`${prefix}deny:atk`)).toBe(exp * 1000);
    });

    it("drops families whose tokens have all expired from the subject's set", async () => {
      const { prefix, store } = freshStore();
      const token = record();
      await client.zAdd(`${prefix}sub:${token.sub}`, { score: 1000, value: "expired" });
      await store.add(token);
      expect(await client.zRange(`${prefix}sub:${token.sub}`, 0, -1)).toEqual([token.family]);
    });

    it("writes nothing for a token, revocation or denial already expired", async () => {
      const { prefix, store } = freshStore();
      const past = nowSeconds() - 1;
      for (const exp of [past, 0, -1]) {
        const token = record({ exp });
        await store.add(token);
        expect(await store.state(token)).toBe("used");
        await store.revokeFamily(token.family, exp);
        await store.denyAccess(token.jti, exp);
        expect(await store.isAccessDenied(token.jti)).toBe(false);
      }
      expect(await client.keys(`${prefix}*`)).toEqual([]);
    });

    it("gives every key it writes an expiry", async () => {
      const { prefix, store } = freshStore();
      const token = record();
      await store.add(token);
      await store.add(record({ sub: token.sub }));
      await store.consume(token);
      await store.revokeFamily(unique("family"), nowSeconds() + HOUR);
      await store.revokeSubject(token.sub);
      await store.denyAccess(unique("atk"), nowSeconds() + HOUR);
      const keys = await client.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThanOrEqual(5);
      for (const key of keys) expect(await client.pTTL(key), key).toBeGreaterThan(0);
    });
  });

  it("keeps stores with different prefixes apart", async () => {
    const a = freshStore().store;
    const b = freshStore().store;
    const token = record();
    await a.add(token);
    await b.add(token);
    await b.revokeSubject(token.sub);
    await b.denyAccess(token.jti, token.exp);
    expect(await a.state(token)).toBe("active");
    expect(await b.state(token)).toBe("revoked");
    expect(await a.isAccessDenied(token.jti)).toBe(false);
    expect(await a.consume(token)).toBe("active");
  });

  it("never scans the keyspace, not even inside its scripts", async () => {
    const monitor = client.duplicate();
    await monitor.connect();
    const lines: string[] = [];
    await monitor.monitor((line) => lines.push(String(line)));
    try {
      const { store } = freshStore();
      for (const [, call] of everyMethod) await call(store);
      const marker = unique("end-of-monitor");
      await client.sendCommand(["ECHO", marker]);
      await expect.poll(() => lines.some((line) => line.includes(marker))).toBe(true);
    } finally {
      await monitor.close();
    }
    // The monitor shows the commands run by scripts: proof that it saw them.
    expect(lines.some((line) => /\[\d+ lua\] "ZADD"/i.test(line))).toBe(true);
    expect(lines.filter((line) => /"(keys|scan)"/i.test(line))).toEqual([]);
  });

  it("reloads its scripts with EVAL after SCRIPT FLUSH, then uses EVALSHA again", async () => {
    const sent: string[] = [];
    const recording: RedisClient = {
      sendCommand: (args) => {
        sent.push(args[0] ?? "");
        return client.sendCommand(args);
      },
    };
    const store = redisStore(recording, { prefix: `${unique("test")}:` });
    const token = record();
    await store.add(token);
    await client.sendCommand(["SCRIPT", "FLUSH"]);
    sent.length = 0;

    expect(await store.consume(token)).toBe("active");
    expect(sent).toEqual(["EVALSHA", "EVAL"]);
    sent.length = 0;
    expect(await store.state(token)).toBe("used");
    expect(sent).toEqual(["EVALSHA"]);
  });
});
