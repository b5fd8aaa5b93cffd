// A Hono app: log in, a protected route, and refresh/logout with the refresh
// token in an HttpOnly cookie. `auth` verifies the Bearer access token and
// sets c.get("auth"), or answers with the RFC 6750 challenge.
import { Hono } from "hono";
import { createTokens, type Duration, type RefreshStore } from "hs256";
import { type AuthEnv, auth, sessionRoutes } from "hs256/hono";
import { checkLogin, type User } from "../users.js";

type Claims = { role: string };

export interface AppOptions {
  secret: string;
  store: RefreshStore;
  users: ReadonlyMap<string, User>;
  /** The origin of our pages, allowed to refresh and log out with the cookie. */
  origin: string;
  accessTtl?: Duration;
}

export function createApp({
  secret,
  store,
  users,
  origin,
  accessTtl,
}: AppOptions): Hono<AuthEnv<Claims>> {
  const tokens = createTokens<Claims>({ secret, store, accessTtl, realm: "example" });
  const session = sessionRoutes(tokens, { csrf: { origins: [origin] } });

  const app = new Hono<AuthEnv<Claims>>();
  app.post("/auth/login", async (c) => {
    const { id, password } = await c.req.json();
    const user = await checkLogin(users, id, password);
    if (!user) return c.json({ error: "wrong ID or password" }, 401);
    return session.login(await tokens.issue({ sub: user.id, role: user.role }));
  });
  app.post("/auth/refresh", session.refresh);
  app.post("/auth/logout", session.logout);
  app.get("/me", auth(tokens), (c) =>
    c.json({ sub: c.get("auth")?.sub, role: c.get("auth")?.role }),
  );
  app.onError((error, c) => {
    if (error instanceof SyntaxError) return c.json({ error: "body must be JSON" }, 400);
    console.error(error);
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
