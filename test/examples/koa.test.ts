import { createServer } from "node:http";
import { afterAll, beforeAll, describe } from "vitest";
import { createApp } from "../../examples/koa/app.js";
import { memoryStore } from "../../src/index.js";
import { type Listening, listen } from "../support/http.js";
import { describeCookieFlow, exampleUsers, ORIGIN } from "./flow.js";

describe("examples/koa", () => {
  let server: Listening;
  beforeAll(async () => {
    const app = createApp({
      secret: "koa-example-secret-0123456789abcdef",
      store: memoryStore(),
      users: await exampleUsers(),
      origin: ORIGIN,
    });
    server = await listen(createServer(app.callback()));
  });
  afterAll(() => server.close());

  describeCookieFlow(() => (path, init) => fetch(server.base + path, init));
});
