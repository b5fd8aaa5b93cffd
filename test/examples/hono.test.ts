import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createApp } from "../../examples/hono/app.js";
import { memoryStore, type RefreshStore } from "../../src/index.js";
import { type Listening, listen } from "../support/http.js";
import { describeCookieFlow, exampleUsers, ORIGIN, PASSWORD } from "./flow.js";

const secret = "hono-example-secret-0123456789abcdef";

describe("examples/hono", () => {
  let server: Listening;
  beforeAll(async () => {
    const app = createApp({
      secret,
      store: memoryStore(),
      users: await exampleUsers(),
      origin: ORIGIN,
    });
    server = await listen(createServer(getRequestListener(app.fetch)));
  });
  afterAll(() => server.close());

  describeCookieFlow(() => (path, init) => fetch(server.base + path, init));

  it("answers 400 to a login body that is not JSON", async () => {
    const response = await fetch(`${server.base}/auth/login`, { method: "POST", body: "{id:" });
    expect(response.status).toBe(400);
  });

  it("answers 500, not 401, when the store fails at login", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const failing = { ...memoryStore(), open: () => Promise.reject(new Error("store down")) };
    const broken = createApp({
      secret,
      store: failing as RefreshStore,
      users: await exampleUsers(),
      origin: ORIGIN,
    });
    const response = await broken.request("/auth/login", {
      method: "POST",
      body: JSON.stringify({ id: "alice", password: PASSWORD }),
    });
    expect(response.status).toBe(500);
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({ name: "StoreError", cause: new Error("store down") }),
    );
    log.mockRestore();
  });
});
