// One node:http server of the HTTP benchmark: GET /me verifies the Bearer token
// with the library named by argv[2] and answers with its subject.
// Prints "ready" once it listens on 127.0.0.1:argv[3].
import { createServer } from "node:http";
import { createVerifier as fastVerifier } from "fast-jwt";
import { jwtVerify } from "jose";
import { createVerifier, verify } from "../dist/index.js";
import { nodeHmac } from "../dist/node.js";

const [, , name, port] = process.argv;
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
if (!(name in verifiers)) throw new Error(`unknown server ${name}`);
const check = verifiers[name];

function answer(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

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
