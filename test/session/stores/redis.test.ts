import { createHash } from "node:crypto";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTokens } from "../../../src/index.js";
import {
  type RedisClient,
  type RedisStoreOptions,
  redisStore,
} from "../../../src/session/stores/redis.js";
import type { NewFamily, RefreshStore } from "../../../src/session/stores/store.js";
import { describeTokenFlow } from "../../support/flow.js";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../../support/redis-server.js";
import { checkRefreshModel } from "../../support/refresh-model.js";
import { describeStoreContract } from "./contract.js";

const HOUR = 3600;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const unique = (name: string) => `${name}-${crypto.randomUUID()}`;
const storeError = { name: "StoreError", code: "ERR_STORE_UNAVAILABLE", status: 503 };
const secret = "redis-access-secret-redis-access-secret-1";
const refreshSecret = "redis-refresh-secret-redis-refresh-secret";

const login = (overrides: Partial<NewFamily> = {}): NewFamily => ({
  sub: unique("sub"),
  family: unique("family"),
  jti: unique("jti"),
  keepUntil: nowSeconds() + HOUR,
  ...overrides,
});
const access = (family: NewFamily) => ({ ...family, jti: unique("atk"), exp: nowSeconds() + 900 });
const rotation = (family: NewFamily) => ({
  ...family,
  next: { jti: unique("jti"), iat: nowSeconds(), exp: nowSeconds() + HOUR },
  grace: 0,
});

// A client that answers CONFIG GET with noeviction and every other command
// with `reply`, recording what it was sent: for the replies no server gives.
function scriptedClient(reply: (args: string[]) => unknown) {
  const sent: string[][] = [];
  const client: RedisClient = {
    sendCommand: async (args) => {
      sent.push(args);
      return args[0] === "CONFIG" ? ["maxmemory-policy", "noeviction"] : reply(args);
    },
  };
  return { client, sent };
}

const everyMethod: [string, (store: RefreshStore) => Promise<unknown>][] = [
  ["open", (s) => s.open(login())],
  ["rotate", (s) => s.rotate(rotation(login()))],
  ["state", (s) => s.state(login())],
  ["accessState", (s) => s.accessState(access(login()))],
  ["revokeFamily", (s) => s.revokeFamily(login())],
  ["revokeSubject", (s) => s.revokeSubject("alice")],
  ["denyAccess", (s) => s.denyAccess(access(login()))],
];

describe("redisStore options", () => {
  const client = scriptedClient(() => 1).client;
  const noClient = "client must have a sendCommand method";
  const badTimeout = "timeout must be a whole number of milliseconds above 0";
  const badCount = "waitReplicas.count must be a whole number above 0";
  const badWait = "waitReplicas.timeout must be whole milliseconds above 0, below timeout";
  it.each([
    ["a client without sendCommand", {}, {}, noClient],
    ["no client", null, {}, noClient],
    ["a prefix that is not a string", client, { prefix: 1 }, "prefix must be a string"],
    ["a timeout of 0", client, { timeout: 0 }, badTimeout],
    ["a fractional timeout", client, { timeout: 1.5 }, badTimeout],
    [
      "an allowEviction that is not a boolean",
      client,
      { allowEviction: "yes" },
      "allowEviction must be a boolean",
    ],
    ["waitReplicas without count", client, { waitReplicas: { timeout: 100 } }, badCount],
    ["waitReplicas.count 0", client, { waitReplicas: { count: 0, timeout: 100 } }, badCount],
    [
      "waitReplicas.timeout 0 (WAIT for ever)",
      client,
      { waitReplicas: { count: 1, timeout: 0 } },
      badWait,
    ],
    [
      "waitReplicas.timeout past the deadline",
      client,
      { waitReplicas: { count: 1, timeout: 2000 } },
      badWait,
    ],
    ["waitReplicas null", client, { waitReplicas: null }, badCount],
  ])("refuses %s with a TypeError at start-up", (_, bad, options, message) => {
    const create = () => redisStore(bad as RedisClient, options as RedisStoreOptions);
    expect(create).toThrow(TypeError);
    expect(create).toThrow(message);
  });

  it.each([1, 99])("takes a waitReplicas.timeout of %i ms within a deadline of 100", (wait) => {
    const options = { timeout: 100, waitReplicas: { count: 1, timeout: wait } };
    expect(redisStore(client, options)).toHaveProperty("ready");
  });
});

describe("redisStore replies, from a scripted client", () => {
  // Redis finds a script by the SHA-1 of its source: a wrong name would make
  // every call send the whole script again.
  it.each(everyMethod)("%s names its script by the SHA-1 of its source", async (_, call) => {
    const { client, sent } = scriptedClient(([command]) =>
      command === "EVALSHA" ? Promise.reject(new Error("NOSCRIPT No matching script.")) : 1,
    );
    await call(redisStore(client)).catch(() => "only the commands sent matter here");
    const [, [, sha] = [], [, source = ""] = []] = sent;
    expect(sha).toBe(createHash("sha1").update(source).digest("hex"));
  });

  // A failed EVALSHA may have run (a lost reply): sending it again could
  // spend a token twice, so only NOSCRIPT, which runs nothing, is retried.
  it.each(everyMethod)(
    "%s rejects with a StoreError, cause attached, when the client fails, and does not retry",
    async (_, call) => {
      for (const failure of [new Error("connection lost"), undefined]) {
        const { client, sent } = scriptedClient(() => Promise.reject(failure));
        await expect(call(redisStore(client))).rejects.toMatchObject({
          ...storeError,
          message: "Redis failed to answer",
          cause: failure,
        });
        expect(sent.map(([command]) => command)).toEqual(["CONFIG", "EVALSHA"]);
      }
    },
  );

  it.each(everyMethod)(
    "%s rejects with a StoreError by its deadline when the client never answers",
    async (_, call) => {
      const store = redisStore(scriptedClient(() => new Promise(() => {})).client, { timeout: 50 });
      await expect(call(store)).rejects.toMatchObject({
        ...storeError,
        message: "Redis did not answer within 50 ms",
      });
    },
  );

  // An error handed back as a value, a reply of another command, a lost reply.
  const strangeReplies: [string, unknown][] = [
    ["an Error as a value", new Error("READONLY You can't write against a read only replica")],
    ["OK", "OK"],
    ["3", 3],
    ["-1", -1],
    ["1.5", 1.5],
    ["null", null],
    ["undefined", undefined],
    ["an object", {}],
    ["a list of one", [1]],
  ];
  it.each(strangeReplies)("counts %s as a failure, never as a confirmed call", async (_, reply) => {
    const store = redisStore(scriptedClient(() => reply).client);
    const refusal = { ...storeError, message: `unexpected reply from Redis: ${typeof reply}` };
    for (const [, call] of everyMethod) await expect(call(store)).rejects.toMatchObject(refusal);
  });

  it.each([
    ["an unknown outcome", ["accepted"]],
    ["a grace without its successor", ["grace"]],
    ["a grace with an empty jti", ["grace", "", "1", "2"]],
    ["a grace with an iat that is no number", ["grace", "j", "soon", "2"]],
    ["a grace with extras", ["grace", "j", "1", "2", "3"]],
    ["a grace with a nil jti", ["grace", null, "1", "2"]],
    ["a grace with an iat that is no integer reply", ["grace", "j", 1.5, "2"]],
    ["four words that are no grace", ["accepted", "j", "1", "2"]],
    ["a rotated with extras", ["rotated", "j"]],
    ["a revoked with extras", ["revoked", "j"]],
  ])("rotate counts %s as a failure", async (_, reply) => {
    const store = redisStore(scriptedClient(() => reply).client);
    await expect(store.rotate(rotation(login()))).rejects.toMatchObject({
      ...storeError,
      message: "unexpected reply from Redis: object",
    });
  });

  const waiting = { waitReplicas: { count: 1, timeout: 100 } };
  // Consuming a token and revoking a reused family are writes a failover
  // must not undo.
  it.each([["rotated"], ["reused"]])(
    "rotate waits for a replica after a %s reply, and fails closed when none confirms",
    async (outcome) => {
      const { client, sent } = scriptedClient(([command]) => (command === "WAIT" ? 0 : [outcome]));
      await expect(redisStore(client, waiting).rotate(rotation(login()))).rejects.toMatchObject({
        ...storeError,
        message: "only 0 of 1 replicas confirmed the write",
      });
      expect(sent.map(([command]) => command)).toEqual(["CONFIG", "EVALSHA", "WAIT"]);
    },
  );

  it.each([[["grace", "next", "1", "2"]], [["revoked"]], [["unknown"]]])(
    "rotate asks for no WAIT after %j, which wrote nothing",
    async (reply) => {
      const { client, sent } = scriptedClient(([command]) => (command === "WAIT" ? 0 : reply));
      const result = await redisStore(client, waiting).rotate(rotation(login()));
      expect(result.outcome).toBe(reply[0]);
      expect(sent.map(([command]) => command)).toEqual(["CONFIG", "EVALSHA"]);
    },
  );

  it.each(["OK", null, "1.5", 1.5, -1, "x1"])(
    "counts a WAIT reply of %o as a failure, never as confirmed",
    async (acks) => {
      const { client } = scriptedClient(([command]) => (command === "WAIT" ? acks : 1));
      await expect(redisStore(client, waiting).revokeFamily(login())).rejects.toMatchObject({
        ...storeError,
        message: `unexpected reply from Redis: ${typeof acks}`,
      });
    },
  );

  it("reads WAIT's reply as the number of replicas that confirmed the write", async () => {
    let acks = 12;
    const { client } = scriptedClient(([command]) => (command === "WAIT" ? acks : 1));
    const store = redisStore(client, { waitReplicas: { count: 12, timeout: 100 } });
    await expect(store.revokeFamily(login())).resolves.toBeUndefined();
    acks = 11;
    await expect(store.revokeFamily(login())).rejects.toMatchObject({
      ...storeError,
      message: "only 11 of 12 replicas confirmed the write",
    });
  });

  const badArguments: [string, string, (store: RefreshStore) => Promise<unknown>][] = [
    ["open", "keepUntil is out of range", (s) => s.open(login({ keepUntil: 1e13 }))],
    [
      "rotate",
      "keepUntil is out of range",
      (s) => s.rotate({ ...rotation(login()), keepUntil: 1e13 }),
    ],
    ["denyAccess", "exp is out of range", (s) => s.denyAccess({ ...access(login()), exp: 1e13 })],
    ["revokeSubject", "sub must be a non-empty string", (s) => s.revokeSubject("")],
  ];
  // 1e13 s is 1e16 ms, past the integers a double holds exactly.
  it.each(badArguments)("%s refuses with a TypeError: %s", async (_, message, call) => {
    const { client, sent } = scriptedClient(() => 1);
    await expect(call(redisStore(client))).rejects.toMatchObject({ name: "TypeError", message });
    expect(sent).toEqual([]);
  });

  // A deadline left running would hold a short-lived process (a command, a
  // function) open until it fires.
  it("clears the deadline of a call once it ends", async () => {
    vi.useFakeTimers();
    try {
      await redisStore(scriptedClient(() => 1).client).revokeFamily(login());
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    [1, "active"],
    ["1", "active"],
    [1n, "active"],
    [new TextEncoder().encode("1"), "active"],
    [0, "revoked"],
  ])("reads the integer reply %o of accessState as %s", async (reply, state) => {
    const store = redisStore(scriptedClient(() => reply).client);
    expect(await store.accessState(access(login()))).toBe(state);
  });

  it("reads a grace reply given as bytes", async () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    const reply = [bytes("grace"), bytes("next"), bytes("100"), bytes("200")];
    const store = redisStore(scriptedClient(() => reply).client);
    expect(await store.rotate(rotation(login()))).toEqual({
      outcome: "grace",
      next: { jti: "next", iat: 100, exp: 200 },
    });
  });

  it("falls back to EVAL on NOSCRIPT, whatever error class the client uses", async () => {
    const { client, sent } = scriptedClient(([command]) =>
      command === "EVALSHA"
        ? Promise.reject({ message: "NOSCRIPT No matching script." })
        : "active",
    );
    expect(await redisStore(client).state(login())).toBe("active");
    expect(sent.map(([command]) => command)).toEqual(["CONFIG", "EVALSHA", "EVAL"]);
  });

  it("gives a cluster client the first key of each command, and never a read-only route", async () => {
    const routes: [string | undefined, boolean | undefined, string[]][] = [];
    const cluster = {
      sendCommand: async (
        key: string | undefined,
        readonly: boolean | undefined,
        args: string[],
      ) => {
        routes.push([key, readonly, args]);
        return args[0] === "CONFIG"
          ? ["maxmemory-policy", "noeviction"]
          : args[0] === "WAIT"
            ? 1
            : 1;
      },
    };
    const store = redisStore(cluster, { cluster: true, waitReplicas: { count: 1, timeout: 100 } });
    const family = login({ sub: "a{b}" });
    await store.revokeFamily(family);
    const key = `jwt:{a%7Bb%7D}:fam:${family.family}`;
    const sha = expect.stringMatching(/^[0-9a-f]{40}$/);
    expect(routes).toEqual([
      [undefined, false, ["CONFIG", "GET", "maxmemory-policy"]],
      [key, false, ["EVALSHA", sha, "2", key, "jwt:{a%7Bb%7D}:epoch"]],
      [key, false, ["WAIT", "1", "100"]],
    ]);
  });
});

describe("redisStore's check of maxmemory-policy, from a scripted client", () => {
  const withConfig = (config: () => unknown) => {
    const sent: string[][] = [];
    const client: RedisClient = {
      sendCommand: async (args) => {
        sent.push(args);
        return args[0] === "CONFIG" ? config() : "unknown";
      },
    };
    return { client, sent };
  };

  it.each([
    ["a RESP2 list", ["maxmemory-policy", "noeviction"]],
    ["a RESP3 map", new Map([["maxmemory-policy", "noeviction"]])],
    ["an object", { "maxmemory-policy": "noeviction" }],
    ["a list with another setting first", ["maxmemory", "0", "maxmemory-policy", "noeviction"]],
  ])("reads the policy from %s, once", async (_, reply) => {
    const { client, sent } = withConfig(() => reply);
    const store = redisStore(client);
    await store.ready();
    expect(await store.state(login())).toBe("unknown");
    expect(await store.state(login())).toBe("unknown");
    expect(sent.filter(([command]) => command === "CONFIG")).toEqual([
      ["CONFIG", "GET", "maxmemory-policy"],
    ]);
  });

  it("refuses an evicting policy, at ready() and at every call", async () => {
    const { client } = withConfig(() => ["maxmemory-policy", "allkeys-lru"]);
    const store = redisStore(client);
    const refusal = {
      ...storeError,
      message:
        'Redis maxmemory-policy is "allkeys-lru", which evicts logins and revocations under ' +
        "memory pressure: set it to noeviction, or pass allowEviction: true to redisStore",
    };
    await expect(store.ready()).rejects.toMatchObject(refusal);
    await expect(store.state(login())).rejects.toMatchObject(refusal);
  });

  it("goes on when the server refuses CONFIG (a managed server)", async () => {
    const { client } = withConfig(() => Promise.reject(new Error("ERR unknown command 'CONFIG'")));
    expect(await redisStore(client).state(login())).toBe("unknown");
  });

  // Only a reply that starts with an error code is the server's: a client's
  // own message may name one later (ECONNREFUSED).
  it.each([
    ["a closed socket", new Error("Socket closed unexpectedly")],
    ["a refused connection", new Error("connect ECONNREFUSED 127.0.0.1:6379")],
    ["a rejection without a reason", undefined],
  ])("asks again on the next call when the check failed with %s", async (_, failure) => {
    let calls = 0;
    const { client } = withConfig(() =>
      calls++ === 0 ? Promise.reject(failure) : ["maxmemory-policy", "noeviction"],
    );
    const store = redisStore(client);
    await expect(store.ready()).rejects.toMatchObject({ ...storeError, cause: failure });
    expect(await store.state(login())).toBe("unknown");
  });

  it.each([
    ["an empty list", []],
    ["a value without its name", ["noeviction"]],
    ["null", null],
    ["undefined", undefined],
  ])("refuses %s, a reply without the policy", async (_, reply) => {
    const { client } = withConfig(() => reply);
    await expect(redisStore(client).ready()).rejects.toMatchObject({
      ...storeError,
      message: `unexpected reply from Redis: ${typeof reply}`,
    });
  });

  it("does not ask with allowEviction", async () => {
    const { client, sent } = withConfig(() => ["maxmemory-policy", "allkeys-lru"]);
    await redisStore(client, { allowEviction: true }).ready();
    expect(sent).toEqual([]);
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

  const freshStore = (options: RedisStoreOptions = {}) => {
    const prefix = `${unique("test")}:`;
    return { prefix, store: redisStore(client, { prefix, ...options }) };
  };

  describeStoreContract("redisStore", () => freshStore().store);
  describeTokenFlow("redisStore", () => freshStore().store);

  it("holds the login flow's model, on the server's clock", async () => {
    await checkRefreshModel(async () => ({ store: freshStore().store, ownClock: true }), 25);
  }, 120_000);

  describe("keys", () => {
    it("keeps a login in one hash and the subject's epoch beside it, under one hash tag", async () => {
      const { prefix, store } = freshStore();
      const family = login({ sub: "alice" });
      await store.open(family);
      expect((await client.keys(`${prefix}*`)).sort()).toEqual([
        `${prefix}{alice}:epoch`,
        `${prefix}{alice}:fam:${family.family}`,
      ]);
      expect(await client.hGetAll(`${prefix}{alice}:fam:${family.family}`)).toEqual({
        s: "active",
        e: await client.get(`${prefix}{alice}:epoch`),
        a: family.jti,
      });
    });

    it("percent-encodes %, { and } in the subject, so no subject can end the hash tag", async () => {
      const { prefix, store } = freshStore();
      const tricky = login({ sub: "}:fam:x{%" });
      await store.open(tricky);
      const keys = await client.keys(`${prefix}*`);
      expect(keys.sort()).toEqual([
        `${prefix}{%7D:fam:x%7B%25}:epoch`,
        `${prefix}{%7D:fam:x%7B%25}:fam:${tricky.family}`,
      ]);
      // The encoded form as a subject of its own is another subject.
      const lookalike = { ...tricky, sub: "%7D:fam:x%7B%25" };
      expect(await store.state(lookalike)).toBe("unknown");
      expect(await store.state(tricky)).toBe("active");
    });

    it("expires both keys at the latest keepUntil of the subject's logins", async () => {
      const { prefix, store } = freshStore();
      const first = login({ sub: "bob" });
      await store.open(first);
      const later = { ...rotation(first), keepUntil: first.keepUntil + 60 };
      await store.rotate(later);
      await store.open(login({ sub: "bob", keepUntil: first.keepUntil - 60 }));
      const expiry = (key: string) => client.sendCommand(["PEXPIRETIME", key]);
      expect(await expiry(`${prefix}{bob}:fam:${first.family}`)).toBe(later.keepUntil * 1000);
      expect(await expiry(`${prefix}{bob}:epoch`)).toBe(later.keepUntil * 1000);
    });

    it("writes nothing for a login already past its keepUntil", async () => {
      const { prefix, store } = freshStore();
      await store.open(login({ keepUntil: nowSeconds() - 1 }));
      expect(await client.keys(`${prefix}*`)).toEqual([]);
    });

    it("refuses every login of a subject whose epoch is lost, even after a new login", async () => {
      const { prefix, store } = freshStore();
      const family = login({ sub: "carol" });
      await store.open(family);
      await client.del(`${prefix}{carol}:epoch`);
      expect(await store.state(family)).toBe("revoked");
      expect(await store.accessState(access(family))).toBe("revoked");
      const later = login({ sub: "carol" });
      await store.open(later);
      expect(await store.rotate(rotation(family))).toEqual({ outcome: "revoked" });
      expect(await store.state(later)).toBe("active");
    });

    it("refuses a family whose state is anything but active", async () => {
      const { prefix, store } = freshStore();
      const family = login({ sub: "dave" });
      await store.open(family);
      await client.hSet(`${prefix}{dave}:fam:${family.family}`, "s", "Active");
      expect(await store.state(family)).toBe("revoked");
      expect(await store.accessState(access(family))).toBe("revoked");
    });
  });

  it("keeps stores with different prefixes apart", async () => {
    const a = freshStore().store;
    const b = freshStore().store;
    const family = login();
    await a.open(family);
    await b.open(family);
    await b.revokeSubject(family.sub);
    expect(await a.state(family)).toBe("active");
    expect(await b.state(family)).toBe("revoked");
  });

  it("refreshes in one round trip to Redis", async () => {
    let sent = 0;
    const counting: RedisClient = {
      sendCommand: (args) => {
        sent++;
        return client.sendCommand(args);
      },
    };
    const store = redisStore(counting, { prefix: `${unique("test")}:` });
    const tokens = createTokens({ secret, refreshSecret, store, reuseGrace: 10 });
    let pair = await tokens.issue({ sub: "erin" });
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      sent = 0;
      pair = await tokens.refresh(pair.refreshToken);
      counts.push(sent);
    }
    expect(counts).toEqual([1, 1, 1, 1, 1]);
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
    expect(lines.some((line) => /\[\d+ lua\] "HMGET"/i.test(line))).toBe(true);
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
    const family = login();
    await store.open(family);
    await client.sendCommand(["SCRIPT", "FLUSH"]);
    sent.length = 0;

    expect(await store.state(family)).toBe("active");
    expect(sent).toEqual(["EVALSHA", "EVAL"]);
    sent.length = 0;
    expect(await store.state(family)).toBe("active");
    expect(sent).toEqual(["EVALSHA"]);
  });

  it("asks for WAIT after a revocation and fails closed when no replica confirms it", async () => {
    const { store } = freshStore({ waitReplicas: { count: 1, timeout: 50 } });
    const family = login();
    await store.open(family);
    await expect(store.revokeFamily(family)).rejects.toMatchObject({
      ...storeError,
      message: "only 0 of 1 replicas confirmed the write",
    });
    await expect(store.rotate(rotation(login()))).resolves.toEqual({ outcome: "unknown" });
  });
});
