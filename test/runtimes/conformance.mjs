// The checks that every runtime in the README's support table must pass. Plain
// ES module with no imports, no test framework and nothing runtime-specific: each
// runtime's shim loads the built package its own way and hands the module here.

// RFC 7515 appendix A.1: an HS256 JWS, its key and its payload.
const A1_TOKEN =
  "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
  ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
  ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const A1_KEY =
  "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const A1_EXP = 1300819380;

const SECRET = "conformance-secret-at-least-32-bytes-long";
const REFRESH_SECRET = "conformance-refresh-secret-also-32-bytes-long";

/**
 * Runs every check against `lib`, the package's module object.
 * @returns {Promise<{ name: string, ok: boolean, error?: string }[]>}
 */
export async function conformance(lib) {
  const results = [];
  for (const [name, check] of CHECKS) {
    try {
      await check(lib);
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: describe(error) });
    }
  }
  return results;
}

/** Every check's name: a runtime that reports fewer has not run them all. */
export const CHECK_NAMES = [];

const CHECKS = [
  [
    "RFC 7515 A.1 vector verifies",
    async (lib) => {
      const { header, payload } = await lib.verify(A1_TOKEN, base64urlBytes(A1_KEY), {
        now: new Date((A1_EXP - 60) * 1000),
      });
      equal(header.alg, "HS256", "header.alg");
      equal(header.typ, "JWT", "header.typ");
      equal(payload.iss, "joe", "payload.iss");
      equal(payload.exp, A1_EXP, "payload.exp");
      equal(payload["http://example.com/is_root"], true, "payload is_root");
      await rejects(() => lib.verify(A1_TOKEN, base64urlBytes(A1_KEY)), lib, "ERR_JWT_EXPIRED");
    },
  ],
  [
    "sign then verify",
    async (lib) => {
      const token = await lib.sign({ sub: "alice", role: "admin" }, SECRET, {
        expiresIn: "15m",
        issuer: "conformance",
      });
      const { payload } = await lib.verify(token, SECRET, { issuer: "conformance" });
      equal(payload.sub, "alice", "payload.sub");
      equal(payload.role, "admin", "payload.role");
      equal(payload.exp - payload.iat, 900, "exp - iat");
      equal(lib.decodeUnverified(token).payload.sub, "alice", "decodeUnverified sub");
    },
  ],
  [
    "a changed character gives ERR_JWT_SIGNATURE",
    async (lib) => {
      const token = await lib.sign({ sub: "alice" }, SECRET, { expiresIn: 60 });
      const [, payload, signature] = token.split(".");
      // A character in the middle of a segment, so the base64url stays canonical.
      const inSignature = token.length - signature.length + 10;
      const inPayload = token.indexOf(".") + 1 + Math.floor(payload.length / 2);
      for (const at of [inSignature, inPayload]) {
        const changed = token.slice(0, at) + flip(token[at]) + token.slice(at + 1);
        await rejects(() => lib.verify(changed, SECRET), lib, "ERR_JWT_SIGNATURE");
      }
    },
  ],
  [
    "an expired token gives ERR_JWT_EXPIRED",
    async (lib) => {
      // Whole seconds: JWT times are NumericDate seconds (RFC 7519 section 2).
      const issuedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
      const token = await lib.sign({ sub: "alice" }, SECRET, { expiresIn: "15m", now: issuedAt });
      const error = await rejects(() => lib.verify(token, SECRET), lib, "ERR_JWT_EXPIRED");
      equal(error.expiredAt?.getTime(), issuedAt.getTime() + 900_000, "expiredAt");
    },
  ],
  [
    "a refresh token is refused as an access token",
    async (lib) => {
      const tokens = lib.createTokens({ secret: SECRET, store: lib.memoryStore() });
      const pair = await tokens.issue({ sub: "alice", role: "admin" });
      await rejects(() => tokens.verifyAccess(pair.refreshToken), lib, "ERR_JWT_TYPE");
      const request = bearerRequest(pair.refreshToken);
      const error = await rejects(() => lib.authenticate(tokens, request), lib, "ERR_JWT_TYPE");
      equal(error.status, 401, "status");
    },
  ],
  [
    "authenticate reads a Request",
    async (lib) => {
      const tokens = lib.createTokens({ secret: SECRET, store: lib.memoryStore() });
      const pair = await tokens.issue({ sub: "alice", role: "admin" });
      const payload = await lib.authenticate(tokens, bearerRequest(pair.accessToken));
      equal(payload.sub, "alice", "payload.sub");
      equal(payload.role, "admin", "payload.role");
      equal(payload.type, "ATK", "payload.type");
      const missing = new Request("https://api.example/me");
      const error = await rejects(() => lib.authenticate(tokens, missing), lib, "ERR_JWT_MISSING");
      equal(error.status, 401, "status");
      equal(String(error.wwwAuthenticate).startsWith("Bearer"), true, "WWW-Authenticate is Bearer");
    },
  ],
  [
    "refresh rotates with the memory store",
    async (lib) => {
      const tokens = lib.createTokens({
        secret: SECRET,
        refreshSecret: REFRESH_SECRET,
        store: lib.memoryStore(),
      });
      const first = await tokens.issue({ sub: "alice", role: "admin" });
      const second = await tokens.refresh(first.refreshToken);
      equal(second.tokenType, "Bearer", "tokenType");
      equal((await tokens.verifyAccess(second.accessToken)).sub, "alice", "refreshed sub");
      equal(second.refreshToken === first.refreshToken, false, "a new refresh token");
      // RFC 9700 section 4.14.2: reuse of a rotated refresh token revokes its family.
      await rejects(() => tokens.refresh(first.refreshToken), lib, "ERR_JWT_REVOKED");
      await rejects(() => tokens.refresh(second.refreshToken), lib, "ERR_JWT_REVOKED");
    },
  ],
];

for (const [name] of CHECKS) CHECK_NAMES.push(name);

function bearerRequest(token) {
  return new Request("https://api.example/me", { headers: { authorization: `Bearer ${token}` } });
}

/** Awaits `fn`, which must reject with a JwtError (of `code`, when given). Returns the error. */
async function rejects(fn, lib, code) {
  let error;
  try {
    await fn();
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error(`expected ${code ?? "a JwtError"}, but it resolved`);
  if (!(error instanceof lib.JwtError) || !lib.isJwtError(error)) {
    throw new Error(`expected a JwtError, got ${describe(error)}`);
  }
  if (code !== undefined && error.code !== code) {
    throw new Error(`expected ${code}, got ${error.code}: ${error.message}`);
  }
  return error;
}

function equal(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function flip(char) {
  return char === "A" ? "B" : "A";
}

function base64urlBytes(text) {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function describe(error) {
  if (error instanceof Error || (error && typeof error.message === "string")) {
    return `${error.name ?? "Error"}${error.code ? ` ${error.code}` : ""}: ${error.message}`;
  }
  return String(error);
}
