import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RedisServer,
  redisServerAvailable,
  startRedisServer,
} from "../support/redis-server.js";
import { run } from "../support/spawn.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

// The demo as a user starts it: without a REDIS_URL of the caller's, unless given.
function runIn(command: string, args: string[], extraEnv: Record<string, string>) {
  const env = { ...process.env };
  delete env.REDIS_URL;
  return run(command, args, { cwd: root, env: { ...env, ...extraEnv } });
}

const demo = (redisUrl?: string) =>
  runIn("npm", ["run", "--silent", "demo"], redisUrl ? { REDIS_URL: redisUrl } : {});

function expectWholeStory(stdout: string): void {
  const answers = [...stdout.matchAll(/^ok +\d+\. .*\n +(\w+ \/\w+ -> \d+.*)$/gm)].map((m) => m[1]);
  expect(answers).toEqual([
    "POST /login -> 401 wrong ID or password",
    expect.stringMatching(/^POST \/login -> 200 new ATK/),
    'GET /me -> 200 {"sub":"alice","role":"admin"}',
    'GET /me -> 401 ERR_JWT_TYPE: token type is "RTK", expected "ATK"',
    'GET /me -> 401 WWW-Authenticate: Bearer realm="example", error="invalid_token", error_description="token has expired"',
    expect.stringMatching(/^POST \/refresh -> 200 new ATK/),
    'GET /me -> 200 {"sub":"alice","role":"admin"}',
    expect.stringMatching(/^POST \/refresh -> 200 new ATK/),
    expect.stringMatching(/^POST \/refresh -> 200 new ATK/),
    'GET /me -> 200 {"sub":"alice","role":"admin"}',
    "POST /refresh -> 401 ERR_JWT_REVOKED: refresh token was used before; its family is revoked",
    "POST /refresh -> 401 ERR_JWT_REVOKED: refresh token has been revoked",
    expect.stringMatching(/^POST \/login -> 200 new ATK/),
    "POST /logout -> 204 (no body)",
    "POST /refresh -> 401 ERR_JWT_REVOKED: refresh token has been revoked",
  ]);
  expect(stdout).toContain("Every step answered as expected.");
}

describe("npm run demo", () => {
  it("plays the whole story on the memory store and exits 0", async () => {
    const { code, stdout, stderr } = await demo();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Server on http:\/\/127\.0\.0\.1:\d+, memory store/);
    expectWholeStory(stdout);
  }, 30_000);

  it.each([
    ["status", /^BAD +3\. The ATK opens \/me$/m, "Step 3 answered 500, expected 200."],
    [
      "error",
      /^BAD +4\. The RTK does not: wrong token type$/m,
      "Step 4 answered 401 ERR_JWT_MISSING, expected 401 ERR_JWT_TYPE.",
    ],
  ])(
    "stops with exit code 1 at the first answer with an unexpected %s",
    async (kind, line, why) => {
      const sabotage = fileURLToPath(new URL("sabotage-me.mjs", import.meta.url));
      const args = ["--import", "tsx", "--import", sabotage, "examples/demo.ts"];
      const { code, stdout, stderr } = await runIn(process.execPath, args, { SABOTAGE: kind });
      expect(code).toBe(1);
      expect(stdout).toMatch(line);
      expect(stdout).not.toContain("Every step answered as expected.");
      expect(stderr).toContain(why);
    },
    30_000,
  );

  it("exits 1 when REDIS_URL names a Redis it cannot reach, without showing its password", async () => {
    const { code, stdout, stderr } = await demo("redis://demo:s3cret@127.0.0.1:1");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^Cannot connect to Redis at REDIS_URL: .*ECONNREFUSED/);
    expect(stderr).not.toContain("s3cret");
  }, 30_000);
});

describe.skipIf(!redisServerAvailable())("npm run demo with REDIS_URL", () => {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("plays the whole story on the Redis store and exits 0", async () => {
    const { code, stdout, stderr } = await demo(server?.url);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^Server on http:\/\/127\.0\.0\.1:\d+, Redis \(127\.0\.0\.1:\d+\) store/,
    );
    expectWholeStory(stdout);
  }, 30_000);
});
