// A Bun server: log in, a protected route, and refresh/logout with the refresh
// token in an HttpOnly cookie, all on Fetch's Request and Response.
//   JWT_SECRET=... DEMO_PASSWORD=... bun examples/bun/server.ts
import { createTokens, memoryStore, sessionRoutes, withAuth } from "hs256";
import { checkLogin, hashPassword, type User } from "../users.js";

const secret = Bun.env.JWT_SECRET;
const password = Bun.env.DEMO_PASSWORD;
if (!secret || !password) throw new Error("set JWT_SECRET and DEMO_PASSWORD");

// A real app keeps its users in a database, and its refresh tokens in a store
// that every server instance sees (redisStore).
const users = new Map<string, User>([
  ["alice", { id: "alice", role: "admin", passwordHash: await hashPassword(password) }],
]);
const tokens = createTokens<{ role: string }>({ secret, store: memoryStore(), realm: "example" });
const session = sessionRoutes(tokens, {
  csrf: { origins: [Bun.env.APP_ORIGIN ?? "http://localhost:3000"] },
});

const routes: Record<string, (request: Request) => Promise<Response>> = {
  "POST /auth/login": async (request) => {
    const body = (await request.json().catch(() => ({}))) as { id?: unknown; password?: unknown };
    const user = await checkLogin(users, body.id, body.password);
    if (!user) return Response.json({ error: "wrong ID or password" }, { status: 401 });
    return session.login(await tokens.issue({ sub: user.id, role: user.role }));
  },
  "POST /auth/refresh": session.refresh,
  "POST /auth/logout": session.logout,
  "GET /me": withAuth(tokens, async (_request, auth) =>
    Response.json({ sub: auth.sub, role: auth.role }),
  ),
};

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(Bun.env.PORT ?? 3000),
  fetch(request) {
    const route = routes[`${request.method} ${new URL(request.url).pathname}`];
    return route ? route(request) : new Response("not found", { status: 404 });
  },
});
console.log(`listening on ${server.url}`);
