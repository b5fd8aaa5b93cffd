// A plain node:http server with the access/refresh token flow:
//   POST /login    {"id","password"}  -> 200 token pair
//   GET  /me       Authorization: Bearer <access token>
//   POST /refresh  {"refreshToken"}   -> 200 new pair; the old refresh token is used up
//   POST /logout   {"refreshToken"}   -> 204; the refresh token's family is revoked
// and, for browsers, the same flow with the refresh token in an HttpOnly cookie:
//   GET  /               a page that keeps the access token in memory only
//   POST /auth/login     {"id","password"} -> 200 access token; the refresh token in the cookie
//   POST /auth/refresh   the cookie -> 200 new access token and cookie
//   POST /auth/logout    the cookie -> 204; the family is revoked and the cookie cleared
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import {
  authenticate,
  createTokens,
  type Duration,
  isJwtError,
  type RefreshCookieOptions,
  type RefreshStore,
  sessionRoutes,
} from "hs256";
import { checkLogin, type User } from "../users.js";
import { page } from "./page.js";

export interface ServerOptions {
  secret: string;
  store: RefreshStore;
  users: ReadonlyMap<string, User>;
  accessTtl?: Duration;
  refreshTtl?: Duration;
  reuseGrace?: Duration;
  checkRevoked?: boolean;
  /** The refresh token cookie; `{ secure: false }` only for a browser on plain http other than localhost. */
  cookie?: RefreshCookieOptions;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function createAuthServer({ users, cookie, ...options }: ServerOptions): Server {
  const tokens = createTokens<{ role: string }>({ ...options, realm: "example" });
  // The default CSRF check: only our own page (Sec-Fetch-Site: same-origin) may use the cookie.
  const session = sessionRoutes(tokens, { cookie });

  const routes: Record<string, (req: IncomingMessage) => Promise<Answer | Response>> = {
    "GET /": async () => new Response(page, { headers: { "content-type": "text/html" } }),
    "POST /auth/login": async (req) => {
      const { id, password } = await readJson(req);
      const user = await checkLogin(users, id, password);
      if (!user) return { status: 401, body: { error: "wrong ID or password" } };
      return session.login(await tokens.issue({ sub: user.id, role: user.role }));
    },
    "POST /auth/refresh": async (req) => session.refresh(await toRequest(req)),
    "POST /auth/logout": async (req) => session.logout(await toRequest(req)),
    "POST /login": async (req) => {
      const { id, password } = await readJson(req);
      const user = await checkLogin(users, id, password);
      if (!user) return { status: 401, body: { error: "wrong ID or password" } };
      return { status: 200, body: await tokens.issue({ sub: user.id, role: user.role }) };
    },
    "GET /me": async (req) => {
      const { sub, role } = await authenticate(tokens, req);
      return { status: 200, body: { sub, role } };
    },
    "POST /refresh": async (req) => {
      return { status: 200, body: await tokens.refresh(await refreshToken(req)) };
    },
    "POST /logout": async (req) => {
      await tokens.revoke(await refreshToken(req));
      return { status: 204 };
    },
  };

  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const route = routes[`${req.method} ${new URL(req.url ?? "/", "http://localhost").pathname}`];
    let answer: Answer | Response;
    try {
      answer = route ? await route(req) : { status: 404, body: { error: "not found" } };
    } catch (error) {
      answer = failure(error);
    }
    if (answer instanceof Response) {
      const headers: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        headers[name] = value;
      });
      res.writeHead(answer.status, headers);
      res.end(Buffer.from(await answer.arrayBuffer()));
      return;
    }
    res.writeHead(answer.status, {
      ...answer.headers,
      ...(answer.body === undefined ? {} : { "content-type": "application/json" }),
    });
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  });
}

class BadRequest extends Error {}

function failure(error: unknown): Answer {
  if (error instanceof BadRequest) return { status: 400, body: { error: error.message } };
  if (!isJwtError(error)) {
    console.error(error);
    return { status: 500, body: { error: "internal error" } };
  }
  // authenticate sets the status and the RFC 6750 challenge; a bad refresh token is a 401 too.
  return {
    status: error.status ?? 401,
    headers: error.wwwAuthenticate ? { "www-authenticate": error.wwwAuthenticate } : {},
    body: { error: error.code, message: error.message },
  };
}

async function refreshToken(req: IncomingMessage): Promise<string> {
  const { refreshToken } = await readJson(req);
  return typeof refreshToken === "string" ? refreshToken : "";
}

// The Fetch Request that sessionRoutes reads (node:http joins repeated headers with ", ").
async function toRequest(req: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const body = await readText(req);
  return new Request(`http://localhost${req.url}`, { method: req.method, headers, body });
}

async function readText(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req.setEncoding("utf8")) {
    text += chunk;
    if (text.length > 16_384) throw new BadRequest("body is too large");
  }
  return text;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readText(req);
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null) return body as Record<string, unknown>;
  } catch {}
  throw new BadRequest("body must be a JSON object");
}
