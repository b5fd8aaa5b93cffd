// A Hono app with the access/refresh token flow. `requireUser` is the
// middleware: it verifies the Bearer access token, or answers with the error's
// status and its RFC 6750 WWW-Authenticate challenge.
import { type Context, Hono, type MiddlewareHandler } from "hono";
import {
  type AccessClaims,
  authenticate,
  createTokens,
  type Duration,
  isJwtError,
  type JwtError,
  type RefreshStore,
} from "hs256";
import { checkLogin, type User } from "../users.js";

type Claims = { role: string };
type Env = { Variables: { user: Claims & AccessClaims } };

export interface AppOptions {
  secret: string;
  store: RefreshStore;
  users: ReadonlyMap<string, User>;
  accessTtl?: Duration;
}

export function createApp({ secret, store, users, accessTtl }: AppOptions): Hono<Env> {
  const tokens = createTokens<Claims>({ secret, store, accessTtl, realm: "example" });

  const requireUser: MiddlewareHandler<Env> = async (c, next) => {
    try {
      c.set("user", await authenticate(tokens, c.req.raw));
    } catch (error) {
      if (!isJwtError(error)) throw error;
      return deny(c, error);
    }
    await next();
  };

  const app = new Hono<Env>();
  app.post("/login", async (c) => {
    const { id, password } = await c.req.json();
    const user = await checkLogin(users, id, password);
    if (!user) return c.json({ error: "wrong ID or password" }, 401);
    return c.json(await tokens.issue({ sub: user.id, role: user.role }));
  });
  app.get("/me", requireUser, (c) => c.json({ sub: c.get("user").sub, role: c.get("user").role }));
  app.post("/refresh", async (c) => c.json(await tokens.refresh(await refreshToken(c))));
  app.post("/logout", async (c) => {
    await tokens.revoke(await refreshToken(c));
    return c.body(null, 204);
  });
  app.onError((error, c) => {
    if (isJwtError(error)) return deny(c, error);
    if (error instanceof SyntaxError) return c.json({ error: "body must be JSON" }, 400);
    console.error(error);
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}

// authenticate sets the status and the challenge; a bad refresh token is a 401 too.
function deny(c: Context, error: JwtError): Response {
  if (error.wwwAuthenticate) c.header("WWW-Authenticate", error.wwwAuthenticate);
  return c.json({ error: error.code, message: error.message }, error.status === 400 ? 400 : 401);
}

async function refreshToken(c: Context): Promise<string> {
  const { refreshToken } = await c.req.json<{ refreshToken?: unknown }>();
  return typeof refreshToken === "string" ? refreshToken : "";
}
