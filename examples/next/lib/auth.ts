// What the route handlers share: the tokens, the session routes and the users.
// A real app keeps its users in a database and its refresh tokens in a store
// that every server instance sees (redisStore), not in this process's memory.
import { createTokens, memoryStore, sessionRoutes } from "hs256";
import type { User } from "../../users.js";

const secret = process.env.JWT_SECRET;
if (!secret) throw new Error("set JWT_SECRET: 32 random bytes, base64url");

export const tokens = createTokens<{ role: string }>({
  secret,
  store: memoryStore(),
  realm: "example",
});

export const session = sessionRoutes(tokens, {
  csrf: { origins: [process.env.APP_ORIGIN ?? "http://localhost:3000"] },
});

export const users = new Map<string, User>();
