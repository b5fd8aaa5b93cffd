// A plain node:http server with the access/refresh token flow:
//   POST /login    {"id","password"}  -> 200 token pair
//   GET  /me       Authorization: Bearer <access token>
//   POST /refresh  {"refreshToken"}   -> 200 new pair; the old refresh token is used up
//   POST /logout   {"refreshToken"}   -> 204; the refresh token's family is revoked
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { authenticate, createTokens, type Duration, isJwtError, type RefreshStore } from "hs256";
import { checkLogin, type User } from "../users.js";

export interface ServerOptions {
  secret: string;
  store: RefreshStore;
  users: ReadonlyMap<string, User>;
  accessTtl?: Duration;
  refreshTtl?: Duration;
  reuseGrace?: Duration;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export function createAuthServer({ users, ...options }: ServerOptions): Server {
  const tokens = createTokens<{ role: string }>({ ...options, realm: "example" });

  const routes: Record<string, (req: IncomingMessage) => Promise<Answer>> = {
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
    let answer: Answer;
    try {
      answer = route ? await route(req) : { status: 404, body: { error: "not found" } };
    } catch (error) {
      answer = failure(error);
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

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req.setEncoding("utf8")) {
    text += chunk;
    if (text.length > 16_384) throw new BadRequest("body is too large");
  }
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === "object" && body !== null) return body as Record<string, unknown>;
  } catch {}
  throw new BadRequest("body must be a JSON object");
}
