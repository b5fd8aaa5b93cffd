// Each adapter behind a real server of its framework, through the same story:
// 200 with a valid token, 401 with the challenge, 400 for a malformed header,
// 503 when the store is down, the framework's own 500 for any other error,
// and `optional` letting an anonymous request through.
import { createServer, type Server } from "node:http";
import { getRequestListener } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { auth as expressAuth, sessionRoutes as expressRoutes } from "../../src/http/express.js";
import { auth as fastifyAuth, sessionRoutes as fastifyRoutes } from "../../src/http/fastify.js";
import {
  type AuthEnv,
  auth as honoAuth,
  sessionRoutes as honoRoutes,
} from "../../src/http/hono.js";
import { type AuthState, auth as koaAuth, sessionRoutes as koaRoutes } from "../../src/http/koa.js";
import {
  type AccessClaims,
  createTokens,
  memoryStore,
  type Tokens,
  withAuth,
} from "../../src/index.js";
import { type Listening, listen, rawGet } from "../support/http.js";

type Claims = { role: string };
type User = Claims & AccessClaims;

declare global {
  namespace Express {
    interface Request {
      auth?: Claims & AccessClaims;
    }
  }
}
declare module "fastify" {
  interface FastifyRequest {
    auth?: Claims & AccessClaims;
  }
}

const secret = "adapter-test-secret-adapter-test-secret!";
const NOW = new Date("2030-01-01T00:00:00Z");
const store = memoryStore({ now: () => NOW.getTime() });
const options = { secret, store, realm: "api", checkRevoked: true, now: () => NOW };
const tokens = createTokens<Claims>(options);
// Issued two hours before NOW, so expired by NOW (the access token lives 15 minutes).
const earlier = createTokens<Claims>({ ...options, now: () => new Date(NOW.getTime() - 7.2e6) });
const down = createTokens<Claims>({
  ...options,
  store: { ...memoryStore(), accessState: () => Promise.reject(new Error("store down")) },
});
// An error that is neither the client's nor the store's: a bug, for the framework to handle.
const buggy: Tokens<Claims> = {
  ...tokens,
  realm: "api",
  verifyAccess: () => Promise.reject(new RangeError("a bug")),
};

/** The tokens behind each route; every framework serves the same four. */
const gates = { "/me": tokens, "/down": down, "/buggy": buggy } as const;
type Path = keyof typeof gates;
const paths = Object.keys(gates) as Path[];

const caught = (error: Error) => ({ caught: error.message });
const me = (user: User | undefined) => ({ sub: user?.sub ?? null, role: user?.role ?? null });

interface Framework {
  name: string;
  start(): Promise<Listening>;
}

const frameworks: Framework[] = [
  {
    name: "express",
    start: () => {
      const app = express();
      for (const path of paths) {
        app.get(path, expressAuth(gates[path]), (req, res) => {
          expectTypeOf(req.auth).toEqualTypeOf<User | undefined>();
          res.json(me(req.auth));
        });
      }
      app.get("/maybe", expressAuth(tokens, { optional: true }), (req, res) => {
        res.json(me(req.auth));
      });
      app.use((error: Error, _req: unknown, res: express.Response, _next: unknown) => {
        res.status(500).json(caught(error));
      });
      return listen(createServer(app));
    },
  },
  {
    name: "fastify",
    start: async () => {
      const app = Fastify();
      app.decorateRequest("auth", undefined);
      app.setErrorHandler((error: Error, _request, reply) => reply.code(500).send(caught(error)));
      for (const path of paths) {
        app.get(path, { onRequest: fastifyAuth(gates[path]) }, async (request) => {
          expectTypeOf(request.auth).toEqualTypeOf<User | undefined>();
          return me(request.auth);
        });
      }
      app.get("/maybe", { onRequest: fastifyAuth(tokens, { optional: true }) }, async (request) =>
        me(request.auth),
      );
      await app.ready();
      return listen(app.server as Server);
    },
  },
  {
    name: "hono",
    start: () => {
      const app = new Hono<AuthEnv<Claims>>();
      for (const path of paths) {
        app.get(path, honoAuth(gates[path]), (c) => {
          expectTypeOf(c.get("auth")).toEqualTypeOf<User | undefined>();
          return c.json(me(c.get("auth")));
        });
      }
      app.get("/maybe", honoAuth(tokens, { optional: true }), (c) => c.json(me(c.get("auth"))));
      app.onError((error, c) => c.json(caught(error), 500));
      return listen(createServer(getRequestListener(app.fetch)));
    },
  },
  {
    name: "koa",
    start: () => {
      const app = new Koa<AuthState<Claims>>();
      const routes = { ...gates, "/maybe": tokens };
      app.use(async (ctx, next) => {
        try {
          await next();
        } catch (error) {
          ctx.status = 500;
          ctx.body = caught(error as Error);
        }
      });
      app.use((ctx, next) => {
        const gate = routes[ctx.path as Path | "/maybe"];
        if (!gate) return next();
        const middleware = koaAuth(gate, { optional: ctx.path === "/maybe" });
        return middleware(ctx, async () => {
          expectTypeOf(ctx.state.auth).toEqualTypeOf<User | undefined>();
          ctx.body = me(ctx.state.auth);
        });
      });
      return listen(createServer(app.callback()));
    },
  },
  {
    name: "withAuth (Fetch)",
    start: () => {
      const handlers: Record<string, (request: Request) => Promise<Response>> = {
        "/maybe": withAuth(
          tokens,
          (_, user) => {
            expectTypeOf(user).toEqualTypeOf<User | undefined>();
            return Response.json(me(user));
          },
          { optional: true },
        ),
      };
      for (const path of paths) {
        handlers[path] = withAuth(gates[path], (_, user) => {
          expectTypeOf(user).toEqualTypeOf<User>();
          return Response.json(me(user));
        });
      }
      const fetch = async (request: Request) => {
        const handler = handlers[new URL(request.url).pathname];
        if (!handler) return new Response(null, { status: 404 });
        return handler(request).catch((error: Error) =>
          Response.json(caught(error), { status: 500 }),
        );
      };
      return listen(createServer(getRequestListener(fetch)));
    },
  },
];

describe.each(frameworks)("$name", ({ start }) => {
  let server: Listening;
  let valid: string;
  beforeAll(async () => {
    server = await start();
    valid = (await tokens.issue({ sub: "alice", role: "admin" })).accessToken;
  });
  afterAll(() => server.close());

  const get = (path: string, authorization?: string) =>
    fetch(server.base + path, { headers: authorization ? { authorization } : {} });

  it("answers 200 with the claims of a valid access token", async () => {
    const response = await get("/me", `Bearer ${valid}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: "alice", role: "admin" });
  });

  it("answers 401 with a bare challenge when there is no token", async () => {
    const response = await get("/me");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="api"');
    expect(await response.json()).toMatchObject({ error: "ERR_JWT_MISSING" });
  });

  it("answers 401 invalid_token to an expired token", async () => {
    const { accessToken } = await earlier.issue({ sub: "alice", role: "admin" });
    const response = await get("/me", `Bearer ${accessToken}`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer realm="api", error="invalid_token", error_description="token has expired"',
    );
    expect(await response.json()).toMatchObject({ error: "ERR_JWT_EXPIRED" });
  });

  it("answers 400 invalid_request to a malformed header", async () => {
    const response = await get("/me", "Bearer a b");
    expect(response.status).toBe(400);
    expect(response.headers.get("www-authenticate")).toMatch(
      /^Bearer realm="api", error="invalid_request", error_description="/,
    );
  });

  it("answers 503 when the store is down, not 401", async () => {
    const response = await get("/down", `Bearer ${valid}`);
    expect(response.status).toBe(503);
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(await response.json()).toEqual({
      error: "ERR_STORE_UNAVAILABLE",
      message: "the token store is unavailable",
    });
  });

  it("leaves any other error to the framework's error handler", async () => {
    const response = await get("/buggy", `Bearer ${valid}`);
    expect(response.status).toBe(500);
    expect(response.headers.get("www-authenticate")).toBeNull();
    expect(await response.json()).toEqual({ caught: "a bug" });
  });

  it("lets an anonymous request through when optional, but not a bad token", async () => {
    const anonymous = await get("/maybe");
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ sub: null, role: null });
    const known = await get("/maybe", `Bearer ${valid}`);
    expect(await known.json()).toEqual({ sub: "alice", role: "admin" });
    const bad = await get("/maybe", `Bearer ${valid.slice(0, -2)}AA`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });
});

describe.each(frameworks.filter(({ name }) => name !== "hono" && !name.startsWith("withAuth")))(
  "$name on node:http",
  ({ start }) => {
    it("answers 400 to two Authorization headers", async () => {
      const server = await start();
      try {
        const { accessToken } = await tokens.issue({ sub: "alice", role: "admin" });
        const reply = await rawGet(server.base, "/me", [
          `Authorization: Bearer ${accessToken}`,
          "Authorization: Bearer other",
        ]);
        expect(reply).toMatch(/^HTTP\/1\.1 400 /);
      } finally {
        await server.close();
      }
    });
  },
);

describe("adapter set-up", () => {
  it.each([
    ["express", expressAuth],
    ["fastify", fastifyAuth],
    ["hono", honoAuth],
    ["koa", koaAuth],
    ["withAuth", (t: never, o: never) => withAuth(t, () => new Response(), o)],
  ] as const)(
    "%s refuses what is not a tokens object, or a bad optional, at start-up",
    (_, make) => {
      const adapt = make as (tokens: unknown, options?: unknown) => unknown;
      const notTokens = new TypeError("the first argument must be the object createTokens returns");
      expect(() => adapt({})).toThrow(notTokens);
      expect(() => adapt(null)).toThrow(notTokens);
      expect(() => adapt(tokens, { optional: "yes" })).toThrow(
        new TypeError("optional must be a boolean"),
      );
    },
  );
});

// The session routes of each adapter, for a client that is not a browser: the
// refresh token comes in the JSON body the framework (or its body parser) read.
const sessionApps: { name: string; start(): Promise<Listening> }[] = [
  {
    name: "express",
    start: () => {
      const session = expressRoutes(tokens);
      const app = express();
      app.use(express.json());
      app.post("/auth/refresh", session.refresh);
      app.post("/auth/logout", session.logout);
      return listen(createServer(app));
    },
  },
  {
    name: "fastify",
    start: async () => {
      const session = fastifyRoutes(tokens);
      const app = Fastify();
      app.post("/auth/refresh", session.refresh);
      app.post("/auth/logout", session.logout);
      await app.ready();
      return listen(app.server as Server);
    },
  },
  {
    name: "koa",
    start: () => {
      const session = koaRoutes(tokens);
      const app = new Koa();
      // What a body parser does: the parsed JSON goes on ctx.request.body.
      app.use(async (ctx, next) => {
        let text = "";
        for await (const chunk of ctx.req.setEncoding("utf8")) text += chunk;
        (ctx.request as { body?: unknown }).body = JSON.parse(text);
        return next();
      });
      app.use((ctx) => (ctx.path === "/auth/refresh" ? session.refresh(ctx) : session.logout(ctx)));
      return listen(createServer(app.callback()));
    },
  },
  {
    name: "hono",
    start: () => {
      const session = honoRoutes(tokens);
      const app = new Hono();
      app.post("/auth/refresh", session.refresh);
      app.post("/auth/logout", session.logout);
      return listen(createServer(getRequestListener(app.fetch)));
    },
  },
];

describe.each(sessionApps)("$name sessionRoutes", ({ start }) => {
  let server: Listening;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(() => server.close());

  const post = (path: string, body: unknown) =>
    fetch(server.base + path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("rotates and revokes the refresh token of the JSON body, answering in the body", async () => {
    const { refreshToken } = await tokens.issue({ sub: "alice", role: "admin" });
    const refreshed = await post("/auth/refresh", { refreshToken });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get("set-cookie")).toBeNull();
    const pair = (await refreshed.json()) as { refreshToken: string };
    expect(pair.refreshToken).not.toBe(refreshToken);
    const logout = await post("/auth/logout", { refreshToken: pair.refreshToken });
    expect(logout.status).toBe(204);
    expect(await logout.text()).toBe("");
    expect((await post("/auth/refresh", { refreshToken: pair.refreshToken })).status).toBe(401);
  });
});
