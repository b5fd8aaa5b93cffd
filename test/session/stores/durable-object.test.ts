// durableObjectStore on real Durable Objects, in workerd: the store contract,
// the token flow and the refresh model over HTTP (test/support/store-bridge.ts),
// and what only this store has: the deadline on a call to an object, and its
// options checked at start-up.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { durableObjectStore } from "../../../src/session/stores/durable-object.js";
import type { RefreshStore } from "../../../src/session/stores/store.js";
import { describeTokenFlow } from "../../support/flow.js";
import { checkRefreshModel } from "../../support/refresh-model.js";
import { type RuntimeServer, runtimeAvailable } from "../../support/runtime-server.js";
import { remoteStore } from "../../support/store-bridge.js";
import { startWorkerdStore, WORKERD } from "../../support/workerd-store.js";
import { describeStoreContract } from "./contract.js";

const token = { sub: "alice", family: "f", jti: "j" };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("durableObjectStore options", () => {
  const namespace = { idFromName: (name: string) => name, get: () => ({ fetch }) };

  it.each([
    ["no namespace", undefined, {}],
    ["a namespace without idFromName", { get: namespace.get }, {}],
    ["a zero timeout", namespace, { timeout: 0 }],
    ["a NaN timeout", namespace, { timeout: Number.NaN }],
    ["a string timeout", namespace, { timeout: "5s" }],
  ])("refuses %s at start-up with a TypeError", (_, binding, options) => {
    expect(() => durableObjectStore(binding as never, options as never)).toThrow(TypeError);
  });
});

describe.skipIf(!runtimeAvailable(WORKERD))("durableObjectStore in workerd", () => {
  let server: RuntimeServer;
  beforeAll(async () => {
    server = await startWorkerdStore();
  }, 60_000);
  afterAll(() => server?.stop());

  describeStoreContract("durableObjectStore", () => remoteStore(server.url));
  describeTokenFlow("durableObjectStore", () => remoteStore(server.url));

  it("keeps the refresh model", async () => {
    await checkRefreshModel(async (now) => ({ store: remoteStore(server.url, now) }), 100);
  }, 120_000);

  it("rejects with a StoreError when the object does not answer before the deadline", async () => {
    const silent = remoteStore(new URL("silent/", server.url).href);
    await expect(silent.state(token)).rejects.toMatchObject({
      name: "StoreError",
      message: "durableObjectStore: no answer within 300 ms",
    });
  });

  const rotation = { ...token, next: { jti: "n", iat: 0, exp: 1 }, grace: 0, keepUntil: 1 };
  it.each([
    ["rotate", (store: RefreshStore) => store.rotate(rotation)],
    ["state", (store: RefreshStore) => store.state(token)],
    ["accessState", (store: RefreshStore) => store.accessState({ ...token, exp: 1 })],
  ])("rejects with a StoreError when %s gets a reply it cannot confirm", async (method, call) => {
    const garbled = remoteStore(new URL("garbled/", server.url).href);
    await expect(call(garbled)).rejects.toMatchObject({
      name: "StoreError",
      message: `durableObjectStore: ${method} got a reply it cannot confirm`,
    });
  });

  it("deletes a family from the object's storage by alarm once its keepUntil passes", async () => {
    const store = remoteStore(server.url);
    const sub = `alarm-${crypto.randomUUID()}`;
    const keys = async () => (await fetch(new URL(`keys/${sub}`, server.url))).json();
    const keepUntil = Math.floor(Date.now() / 1000) + 1;
    await store.open({ sub, family: "f", jti: "j", keepUntil });
    expect(await keys()).toEqual(["family:f"]);
    // The alarm is due within a second; wait up to five for it.
    for (let i = 0; i < 50 && (await keys()).length > 0; i++) await sleep(100);
    expect(await keys()).toEqual([]);
  });

  it("keeps every family across a restart of workerd, with its objects' storage on disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hs256-do-"));
    const family = { sub: "alice", family: crypto.randomUUID(), jti: "first" };
    const keepUntil = Math.floor(Date.now() / 1000) + 3600;
    const next = { jti: "second", iat: keepUntil - 3600, exp: keepUntil };
    try {
      const before = await startWorkerdStore(dir);
      try {
        const store = remoteStore(before.url);
        await store.open({ ...family, keepUntil });
        await store.rotate({ ...family, next, grace: 0, keepUntil });
      } finally {
        await before.stop();
      }
      const after = await startWorkerdStore(dir);
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
