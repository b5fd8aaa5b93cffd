// A Koa app: log in, a protected route, and refresh/logout with the refresh
// token in an HttpOnly cookie. No router: the routes are a small table.

import { createTokens, type RefreshStore } from "hs256";
import { type AuthState, auth, sessionRoutes } from "hs256/koa";
import Koa, { type Context } from "koa";
import { checkLogin, type User } from "../users.js";

type Claims = { role: string };

export interface AppOptions {
  secret: string;
  store: RefreshStore;
  users: ReadonlyMap<string, User>;
  /** The origin of our pages, allowed to refresh and log out with the cookie. */
  origin: string;
}

export function createApp({ secret, store, users, origin }: AppOptions): Koa<AuthState<Claims>> {
  const tokens = createTokens<Claims>({ secret, store, realm: "example" });
  const session = sessionRoutes(tokens, { csrf: { origins: [origin] } });
  const requireUser = auth(tokens);

  const routes: Record<string, (ctx: Context & { state: AuthState<Claims> }) => Promise<void>> = {
    "POST /auth/login": async (ctx) => {
      const body = await readJson(ctx);
      const user = await checkLogin(users, body.id, body.password);
      if (!user) {
        ctx.status = 401;
        ctx.body = { error: "wrong ID or password" };
        return;
      }
      session.login(ctx, await tokens.issue({ sub: user.id, role: user.role }));
    },
    "POST /auth/refresh": (ctx) => session.refresh(ctx),
    "POST /auth/logout": (ctx) => session.logout(ctx),
    "GET /me": (ctx) =>
      requireUser(ctx, async () => {
        ctx.body = { sub: ctx.state.auth?.sub, role: ctx.state.auth?.role };
      }),
  };

  const app = new Koa<AuthState<Claims>>();
  app.use(async (ctx, next) => {
    const route = routes[`${ctx.method} ${ctx.path}`];
    return route ? route(ctx) : next();
  });
  return app;
}

// Koa parses no body; a real app would use a body parser, which fills ctx.request.body.
async function readJson(ctx: Context): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of ctx.req.setEncoding("utf8")) {
    text += chunk;
    if (text.length > 16_384) ctx.throw(413, "body is too large");
  }
  try {
    return (JSON.parse(text) ?? {}) as Record<string, unknown>;
  } catch {
    return ctx.throw(400, "body must be JSON");
  }
}
