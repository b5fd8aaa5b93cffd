import type { Server } from "node:http";
import { afterAll, beforeAll, describe } from "vitest";
import { createApp } from "../../examples/fastify/app.js";
import { memoryStore } from "../../src/index.js";
import { type Listening, listen } from "../support/http.js";
import { describeCookieFlow, exampleUsers, ORIGIN } from "./flow.js";

describe("examples/fastify", () => {
  let server: Listening;
  beforeAll(async () => {
    const app = createApp({
      secret: "fastify-example-secret-0123456789abcdef",
      store: memoryStore(),
      users: await exampleUsers(),
      origin: ORIGIN,
    });
    await app.ready();
    server = await listen(app.server as Server);
  });
  afterAll(() => server.close());

  describeCookieFlow(() => (path, init) => fetch(server.base + path, init));
});
