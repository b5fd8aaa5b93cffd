// One server of the HTTP benchmark: GET /me verifies the Bearer token with the
// library named by argv[2] and answers with its subject. Prints "ready" once it
// listens on 127.0.0.1:argv[3]. The library comes from BENCH_DIST (default
// ../dist/), where the framework adapters hs256/express and hs256/fastify are
// built too.
import { createServer } from "node:http";
import { createVerifier as fastVerifier } from "fast-jwt";
import { jwtVerify } from "jose";

const [, , name, port] = process.argv;
const DIST = new URL(process.env.BENCH_DIST ?? "../dist/", import.meta.url);
const { createTokens, createVerifier, memoryStore, verify } = await import(
  new URL("index.js", DIST).href
);
const { nodeHmac } = await import(new URL("node.js", DIST).href);
const SECRET_TEXT = process.env.BENCH_SECRET;
const secret = new TextEncoder().encode(SECRET_TEXT);
const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
  "verify",
]);

// Each returns the payload, or throws.
const hmac = nodeHmac();
const payloadOf = (verified) => verified.then((r) => r.payload);
const verifiers = {
  "no auth": undefined,
  hs256: (token) => payloadOf(verify(token, secret)),
  "hs256 cache": (
    (cached) => (token) =>
      payloadOf(cached(token))
  )(createVerifier(secret, { cache: { max: 10000 } })),
  "hs256 nodeHmac": (token) => payloadOf(verify(token, secret, { hmac })),
  "hs256 nodeHmac + cache": (
    (cached) => (token) =>
      payloadOf(cached(token))
  )(createVerifier(secret, { hmac, cache: { max: 10000 } })),
  "jose (Uint8Array)": (token) => payloadOf(jwtVerify(token, secret)),
  "jose (CryptoKey)": (token) => payloadOf(jwtVerify(token, key)),
  "fast-jwt": fastVerifier({ key: Buffer.from(SECRET_TEXT), algorithms: ["HS256"] }),
};
// Each framework with its own JWT plugin, and with this library's adapter, on
// the same route: GET /me answers the subject of the token, 401 without a good one.
const frameworks = {
  "express: hs256/express": async () => {
    const { default: express } = await import("express");
    const { auth } = await import(new URL("express.js", DIST).href);
    const tokens = createTokens({ secret: SECRET_TEXT, store: memoryStore() });
    const app = express();
    app.get("/me", auth(tokens), (req, res) => res.json({ sub: req.auth.sub }));
    return app;
  },
  "express: express-jwt": async () => {
    const { default: express } = await import("express");
    const { expressjwt } = await import("express-jwt");
    const app = express();
    app.get("/me", expressjwt({ secret: SECRET_TEXT, algorithms: ["HS256"] }), (req, res) =>
      res.json({ sub: req.auth.sub }),
    );
    app.use((error, _req, res, _next) =>
      res.status(error.status ?? 500).json({ error: error.code }),
    );
    return app;
  },
  "fastify: hs256/fastify + nodeHmac": async () => {
    const { default: Fastify } = await import("fastify");
    const { auth } = await import(new URL("fastify.js", DIST).href);
    const tokens = createTokens({ secret: SECRET_TEXT, store: memoryStore(), hmac });
    const app = Fastify();
    app.decorateRequest("auth", undefined);
    app.get("/me", { onRequest: auth(tokens) }, async (request) => ({ sub: request.auth.sub }));
    return app;
  },
  "fastify: @fastify/jwt": async () => {
    const { default: Fastify } = await import("fastify");
    const { default: fastifyJwt } = await import("@fastify/jwt");
    const app = Fastify();
    app.register(fastifyJwt, { secret: SECRET_TEXT });
    const onRequest = (request) => request.jwtVerify();
    app.get("/me", { onRequest }, async (request) => ({ sub: request.user.sub }));
    return app;
  },
};
if (name in frameworks) {
  const app = await frameworks[name]();
  if (name.startsWith("fastify")) {
    await app.listen({ port: Number(port), host: "127.0.0.1" });
    app.server.keepAliveTimeout = 60_000;
    console.log("ready");
  } else {
    const server = app.listen(Number(port), "127.0.0.1", () => console.log("ready"));
    server.keepAliveTimeout = 60_000;
  }
} else if (!(name in verifiers)) throw new Error(`unknown server ${name}`);
if (name in verifiers) listen(verifiers[name]);

function answer(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function listen(check) {
  const server = createServer(async (req, res) => {
    if (req.url !== "/me") return answer(res, 404, { error: "not_found" });
    if (!check) return answer(res, 200, { sub: "user-1234567890" });
    const header = req.headers.authorization;
    if (!header?.startsWith("Bearer ")) return answer(res, 401, { error: "invalid_request" });
    try {
      const payload = await check(header.slice(7));
      answer(res, 200, { sub: payload.sub });
    } catch {
      answer(res, 401, { error: "invalid_token" });
    }
  });
  server.keepAliveTimeout = 60_000;
  server.listen(Number(port), "127.0.0.1", () => console.log("ready"));
}
