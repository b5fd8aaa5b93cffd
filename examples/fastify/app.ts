// A Fastify 5 app: log in, a protected route, and refresh/logout with the
// refresh token in an HttpOnly cookie.
import Fastify, { type FastifyInstance } from "fastify";
import { type AccessClaims, createTokens, type RefreshStore } from "hs256";
import { auth, sessionRoutes } from "hs256/fastify";
import { checkLogin, type User } from "../users.js";

type Claims = { role: string };

// request.auth, typed: what the auth hook puts there.
declare module "fastify" {
  interface FastifyRequest {
    auth?: Claims & AccessClaims;
  }
}

export interface AppOptions {
  secret: string;
  store: RefreshStore;
  users: ReadonlyMap<string, User>;
  /** The origin of our pages, allowed to refresh and log out with the cookie. */
  origin: string;
}

export function createApp({ secret, store, users, origin }: AppOptions): FastifyInstance {
  const tokens = createTokens<Claims>({ secret, store, realm: "example" });
  const session = sessionRoutes(tokens, { csrf: { origins: [origin] } });
  const app = Fastify({ bodyLimit: 16_384 });
  // Declared up front, so that every request keeps one shape.
  app.decorateRequest("auth", undefined);

  app.post<{ Body: { id?: unknown; password?: unknown } }>(
    "/auth/login",
    async (request, reply) => {
      const user = await checkLogin(users, request.body?.id, request.body?.password);
      if (!user) return reply.code(401).send({ error: "wrong ID or password" });
      return session.login(reply, await tokens.issue({ sub: user.id, role: user.role }));
    },
  );
  app.post("/auth/refresh", session.refresh);
  app.post("/auth/logout", session.logout);
  app.get("/me", { onRequest: auth(tokens) }, async (request) => ({
    sub: request.auth?.sub,
    role: request.auth?.role,
  }));
  return app;
}
