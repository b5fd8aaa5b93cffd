import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createAuthServer } from "../../examples/node-http/server.js";
import { memoryStore, type RefreshStore } from "../../src/index.js";
import { describeFlow, exampleUsers, PASSWORD } from "./flow.js";

describe("examples/node-http", () => {
  let server: ReturnType<typeof createAuthServer>;
  let base: string;

  beforeAll(async () => {
    server = createAuthServer({
      secret: "node-http-example-secret-0123456789abcdef",
      store: memoryStore(),
      users: await exampleUsers(),
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  describeFlow(() => (path, init) => fetch(base + path, init));

  it("answers 404 to an unknown route", async () => {
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/login`)).status).toBe(404);
  });

  it("answers 400 to a body too large", async () => {
    const response = await fetch(`${base}/login`, { method: "POST", body: "x".repeat(20_000) });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "body is too large" });
  });

  it("answers 500, not 401, when the store fails", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const failing = { ...memoryStore(), open: () => Promise.reject(new Error("store down")) };
    const broken = createAuthServer({
      secret: "node-http-example-secret-0123456789abcdef",
      store: failing as RefreshStore,
      users: await exampleUsers(),
    });
    await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = broken.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/login`, {
        method: "POST",
        body: JSON.stringify({ id: "alice", password: PASSWORD }),
      });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: "internal error" });
      expect(log).toHaveBeenCalledWith(
        expect.objectContaining({ name: "StoreError", cause: new Error("store down") }),
      );
    } finally {
      log.mockRestore();
      broken.close();
    }
  });
});
