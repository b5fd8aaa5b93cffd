// The route handlers of examples/next, called as Next.js calls them:
// `METHOD(request, { params })`, behind a real HTTP server, with no Next build.
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { afterAll, beforeAll, describe } from "vitest";
import { type Listening, listen } from "../support/http.js";
import { describeCookieFlow, exampleUsers, ORIGIN } from "./flow.js";

type RouteHandler = (request: Request, context: { params: Promise<object> }) => Promise<Response>;

describe("examples/next", () => {
  let server: Listening;
  beforeAll(async () => {
    process.env.JWT_SECRET = "next-example-secret-0123456789abcdef";
    process.env.APP_ORIGIN = ORIGIN;
    const { users } = await import("../../examples/next/lib/auth.js");
    for (const [id, user] of await exampleUsers()) users.set(id, user);
    // The app/ folder as Next maps it: path -> route module.
    const modules: Record<string, Record<string, unknown>> = {
      "/me": await import("../../examples/next/app/me/route.js"),
      "/auth/login": await import("../../examples/next/app/auth/login/route.js"),
      "/auth/refresh": await import("../../examples/next/app/auth/refresh/route.js"),
      "/auth/logout": await import("../../examples/next/app/auth/logout/route.js"),
    };
    const route = (request: Request) => {
      const handler = modules[new URL(request.url).pathname]?.[request.method] as
        | RouteHandler
        | undefined;
      if (!handler) return new Response(null, { status: 404 });
      return handler(request, { params: Promise.resolve({}) });
    };
    server = await listen(createServer(getRequestListener(route)));
  });
  afterAll(async () => {
    await server.close();
    delete process.env.JWT_SECRET;
    delete process.env.APP_ORIGIN;
  });

  describeCookieFlow(() => (path, init) => fetch(server.base + path, init));
});
