// `npm run demo`: the node-http example server on a free port of 127.0.0.1, and a
// scripted client that walks through the access/refresh token story. It exits 1
// as soon as an answer is not the expected one, so that a test can run it.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  decodeUnverified,
  memoryStore,
  type RefreshStore,
  redisStore,
  type TokenPair,
} from "hs256";
import { createClient } from "redis";
import { createAuthServer } from "./node-http/server.js";
import { hashPassword, type User } from "./users.js";

const ACCESS_TTL_SECONDS = 3;
// Short, so that the demo can show reuse after it; a server would use about 10 s.
const REUSE_GRACE_SECONDS = 2;
const PASSWORD = "correct horse battery staple";

const { store, storeName, closeStore } = await openStore();
const users = new Map<string, User>([
  ["alice", { id: "alice", role: "admin", passwordHash: await hashPassword(PASSWORD) }],
]);
const server = createAuthServer({
  secret: randomBytes(32).toString("base64url"),
  store,
  users,
  accessTtl: ACCESS_TTL_SECONDS,
  refreshTtl: "1m", // so that the demo's keys leave Redis soon after it
  reuseGrace: REUSE_GRACE_SECONDS,
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
console.log(`Server on ${base}, ${storeName} store, access tokens live ${ACCESS_TTL_SECONDS} s.\n`);

let step = 0;

/** Sends a request, prints the step, and stops the demo unless the status (and error) are the expected ones. */
async function call(
  title: string,
  method: string,
  path: string,
  expected: number,
  options: {
    body?: object;
    bearer?: string;
    error?: string;
    show?: (answer: Answer) => string;
  } = {},
): Promise<Answer> {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(options.body ? { "content-type": "application/json" } : {}),
      ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
    },
    body: options.body ? JSON.stringify(options.body) : undefined,
  });
  const text = await response.text();
  const answer: Answer = {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
  const error = (answer.body as { error?: string } | undefined)?.error;
  const ok = answer.status === expected && (options.error === undefined || error === options.error);
  console.log(`${ok ? "ok " : "BAD"} ${String(++step).padStart(2)}. ${title}`);
  console.log(`        ${method} ${path} -> ${answer.status} ${(options.show ?? summary)(answer)}`);
  if (!ok) {
    const got = [answer.status, error].filter(Boolean).join(" ");
    const wanted = [expected, options.error].filter(Boolean).join(" ");
    console.error(`\nStep ${step} answered ${got}, expected ${wanted}.`);
    await stop(1);
  }
  return answer;
}

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

function summary({ body }: Answer): string {
  if (body === undefined) return "(no body)";
  const { error, message } = body as { error?: string; message?: string };
  return error ? `${error}${message ? `: ${message}` : ""}` : JSON.stringify(body);
}

const pairSummary = ({ body }: Answer) => {
  const pair = body as TokenPair;
  return `new ATK (expires in ${pair.expiresIn} s) and RTK (expires in ${pair.refreshExpiresIn} s)`;
};

async function stop(code: number): Promise<never> {
  server.close();
  await closeStore();
  process.exit(code);
}

// The memory store, or with REDIS_URL set, the Redis store on node-redis.
async function openStore(): Promise<{
  store: RefreshStore;
  storeName: string;
  closeStore: () => Promise<void>;
}> {
  const url = process.env.REDIS_URL;
  if (!url) return { store: memoryStore(), storeName: "memory", closeStore: async () => {} };
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on("error", () => {}); // connect() rejects with the same error, reported below
  try {
    await client.connect();
  } catch (error) {
    console.error(`Cannot connect to Redis at REDIS_URL: ${(error as Error).message}`);
    process.exit(1);
  }
  // A prefix of its own, so that the demo leaves other data in that Redis alone.
  const store = redisStore(client, { prefix: `hs256-demo:${randomBytes(8).toString("hex")}:` });
  // Fails here, before the first step, if the server's settings would lose logins.
  await store.ready();
  return {
    store,
    // Only the host: the URL may hold a password.
    storeName: `Redis (${new URL(url).host})`,
    closeStore: () => client.close(),
  };
}

await call("A wrong password is refused", "POST", "/login", 401, {
  body: { id: "alice", password: "guess" },
});
const login = await call(
  "Log in: an access token (ATK) and a refresh token (RTK)",
  "POST",
  "/login",
  200,
  {
    body: { id: "alice", password: PASSWORD },
    show: pairSummary,
  },
);
const first = login.body as TokenPair;
await call("The ATK opens /me", "GET", "/me", 200, { bearer: first.accessToken });
await call("The RTK does not: wrong token type", "GET", "/me", 401, {
  bearer: first.refreshToken,
  error: "ERR_JWT_TYPE",
});

const exp = decodeUnverified(first.accessToken).payload.exp as number;
const wait = Math.max(0, exp * 1000 - Date.now()) + 50;
console.log(`        ... waiting ${(wait / 1000).toFixed(1)} s for the ATK to expire`);
await sleep(wait);
await call("The expired ATK is refused, with an RFC 6750 challenge", "GET", "/me", 401, {
  bearer: first.accessToken,
  error: "ERR_JWT_EXPIRED",
  show: (answer) => `WWW-Authenticate: ${answer.headers.get("www-authenticate")}`,
});

const refreshed = await call(
  "Refresh: the RTK buys a new pair and is used up",
  "POST",
  "/refresh",
  200,
  {
    body: { refreshToken: first.refreshToken },
    show: pairSummary,
  },
);
const second = refreshed.body as TokenPair;
await call("The new ATK opens /me", "GET", "/me", 200, { bearer: second.accessToken });
// Two tabs (or a retry after a lost answer) present the same RTK at once: inside
// the reuse grace, both get the same new RTK, and nobody is logged out.
const tabs = await Promise.all(
  [1, 2].map((tab) =>
    call(
      `Tab ${tab} refreshes with the same RTK at once: inside the grace`,
      "POST",
      "/refresh",
      200,
      {
        body: { refreshToken: second.refreshToken },
        show: pairSummary,
      },
    ),
  ),
);
const [tab1, tab2] = tabs.map((answer) => answer.body as TokenPair) as [TokenPair, TokenPair];
if (tab1.refreshToken !== tab2.refreshToken) {
  console.error("\nThe two tabs were given different refresh tokens.");
  await stop(1);
}
await call("Both tabs stay logged in, holding one RTK", "GET", "/me", 200, {
  bearer: tab2.accessToken,
});

console.log(`        ... waiting ${REUSE_GRACE_SECONDS} s for the reuse grace to end`);
await sleep(REUSE_GRACE_SECONDS * 1000 + 100);
await call(
  "The old RTK again, after the grace: reuse, so its whole family is revoked",
  "POST",
  "/refresh",
  401,
  {
    body: { refreshToken: second.refreshToken },
    error: "ERR_JWT_REVOKED",
  },
);
await call("Even the newest RTK of that family is now refused", "POST", "/refresh", 401, {
  body: { refreshToken: tab1.refreshToken },
  error: "ERR_JWT_REVOKED",
});

const again = await call("Log in again: a new family", "POST", "/login", 200, {
  body: { id: "alice", password: PASSWORD },
  show: pairSummary,
});
const third = again.body as TokenPair;
await call("Log out: the RTK's family is revoked", "POST", "/logout", 204, {
  body: { refreshToken: third.refreshToken },
});
await call("The logged-out RTK is refused", "POST", "/refresh", 401, {
  body: { refreshToken: third.refreshToken },
  error: "ERR_JWT_REVOKED",
});

console.log("\nEvery step answered as expected.");
await stop(0);
