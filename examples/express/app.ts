// An Express 5 app: log in, a protected route, and refresh/logout with the
// refresh token in an HttpOnly cookie.
import express from "express";
import { type AccessClaims, createTokens, type RefreshStore } from "hs256";
import { auth, sessionRoutes } from "hs256/express";
import { checkLogin, type User } from "../users.js";

type Claims = { role: string };

// req.auth, typed: what the auth middleware puts there.
declare global {
  namespace Express {
    interface Request {
      auth?: Claims & AccessClaims;
    }
  }
}

export interface AppOptions {
  secret: string;
  store: RefreshStore;
  users: ReadonlyMap<string, User>;
  /** The origin of our pages, allowed to refresh and log out with the cookie. */
  origin: string;
}

export function createApp({ secret, store, users, origin }: AppOptions): express.Express {
  const tokens = createTokens<Claims>({ secret, store, realm: "example" });
  const session = sessionRoutes(tokens, { csrf: { origins: [origin] } });
  const app = express();
  app.use(express.json({ limit: "16kb" }));

  app.post("/auth/login", async (req, res) => {
    const user = await checkLogin(users, req.body?.id, req.body?.password);
    if (!user) return void res.status(401).json({ error: "wrong ID or password" });
    session.login(res, await tokens.issue({ sub: user.id, role: user.role }));
  });
  app.post("/auth/refresh", session.refresh);
  app.post("/auth/logout", session.logout);
  app.get("/me", auth(tokens), (req, res) => {
    res.json({ sub: req.auth?.sub, role: req.auth?.role });
  });
  return app;
}
