// denoKvStore on a real Deno KV (in memory), in Deno: the store contract,
// the token flow and the refresh model over HTTP (test/support/store-bridge.ts),
// and what only this store has: a failing database, and its options checked
// at start-up.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { denoKvStore } from "../../../src/session/stores/deno-kv.js";
import { DENO, startDenoStore } from "../../support/deno-store.js";
import { describeTokenFlow } from "../../support/flow.js";
import { checkRefreshModel } from "../../support/refresh-model.js";
import { type RuntimeServer, runtimeAvailable } from "../../support/runtime-server.js";
import { remoteStore } from "../../support/store-bridge.js";
import { describeStoreContract } from "./contract.js";

const token = { sub: "alice", family: "f", jti: "j" };

describe("denoKvStore options", () => {
  const kv = { get: () => {}, list: () => {}, atomic: () => {} };

  it.each([
    ["no database", undefined, {}],
    ["a database without atomic", { get: kv.get }, {}],
    ["a string prefix", kv, { prefix: "hs256" }],
    ["a prefix with a number", kv, { prefix: ["hs256", 1] }],
    ["a negative timeout", kv, { timeout: -1 }],
    ["an infinite timeout", kv, { timeout: Number.POSITIVE_INFINITY }],
  ])("refuses %s at start-up with a TypeError", (_, database, options) => {
    expect(() => denoKvStore(database as never, options as never)).toThrow(TypeError);
  });
});

describe.skipIf(!runtimeAvailable(DENO))("denoKvStore in Deno", () => {
  let server: RuntimeServer;
  beforeAll(async () => {
    server = await startDenoStore();
  }, 60_000);
  afterAll(() => server?.stop());

  describeStoreContract("denoKvStore", () => remoteStore(server.url));
  describeTokenFlow("denoKvStore", () => remoteStore(server.url));

  it("keeps the refresh model", async () => {
    await checkRefreshModel(async (now) => ({ store: remoteStore(server.url, now) }), 100);
  }, 120_000);

  it("rejects with a StoreError when the database fails", async () => {
    const closed = remoteStore(new URL("closed/", server.url).href);
    await expect(closed.state(token)).rejects.toMatchObject({
      name: "StoreError",
      message: "denoKvStore: the store failed",
    });
  });

  it("keeps every family across a restart of Deno, with its database in a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hs256-kv-"));
    const family = { sub: "alice", family: crypto.randomUUID(), jti: "first" };
    const keepUntil = Math.floor(Date.now() / 1000) + 3600;
    const next = { jti: "second", iat: keepUntil - 3600, exp: keepUntil };
    try {
      const before = await startDenoStore(join(dir, "kv.sqlite"));
      try {
        const store = remoteStore(before.url);
        await store.open({ ...family, keepUntil });
        await store.rotate({ ...family, next, grace: 0, keepUntil });
      } finally {
        await before.stop();
      }
      const after = await startDenoStore(join(dir, "kv.sqlite"));
      try {
        const store = remoteStore(after.url);
        expect(await store.state({ ...family, jti: "second" })).toBe("active");
        expect(await store.state(family)).toBe("used");
      } finally {
        await after.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
