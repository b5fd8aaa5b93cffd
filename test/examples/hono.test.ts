import { describe, expect, it, vi } from "vitest";
import { createApp } from "../../examples/hono/app.js";
import { memoryStore, type RefreshStore } from "../../src/index.js";
import { describeFlow, exampleUsers } from "./flow.js";

describe("examples/hono", async () => {
  const users = await exampleUsers();
  const app = createApp({
    secret: "hono-example-secret-0123456789abcdef",
    store: memoryStore(),
    users,
  });

  describeFlow(() => (path, init) => Promise.resolve(app.request(path, init)));

  it("answers 500, not 401, when the store fails", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const failing = { ...memoryStore(), open: () => Promise.reject(new Error("store down")) };
    const broken = createApp({
      secret: "hono-example-secret-0123456789abcdef",
      store: failing as RefreshStore,
      users,
    });
    const response = await broken.request("/login", {
      method: "POST",
      body: JSON.stringify({ id: "alice", password: "a password for the example tests" }),
    });
    expect(response.status).toBe(500);
    expect(log).toHaveBeenCalledWith(
      expect.objectContaining({ name: "StoreError", cause: new Error("store down") }),
    );
    log.mockRestore();
  });
});
