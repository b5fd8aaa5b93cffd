// Starts a real, throwaway redis-server for the tests: on 127.0.0.1, a free
// port, nothing saved to disk. CI (process.env.CI) must have the binary
// (scripts/install-ci-deps.sh installs it); a developer machine without it
// skips the Redis tests, loudly.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const START_TIMEOUT_MS = 10_000;

/** The redis-server binary on PATH (or /usr/bin), or undefined if there is none. */
export function findRedisServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin"].filter(Boolean);
  return dirs.map((dir) => join(dir, "redis-server")).find((file) => existsSync(file));
}

/**
 * Whether the Redis tests can run here. Throws in CI when redis-server is
 * missing, so that a broken install fails the run instead of skipping tests.
 */
export function redisServerAvailable(): boolean {
  if (findRedisServer()) return true;
  const message = "redis-server not found: install it (scripts/install-ci-deps.sh)";
  if (process.env.CI) throw new Error(`${message}; it is required in CI`);
  console.warn(`\n*** ${message}. SKIPPING the Redis store tests. ***\n`);
  return false;
}

/**
 * Starts redis-server and resolves once it answers PING. Another process may
 * take the free port before redis-server binds it, so a failed start is retried.
 */
export async function startRedisServer(attempts = 3): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

async function startOnce(): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server not found");
  const dir = mkdtempSync(join(tmpdir(), "hs256-redis-"));
  const port = await freePort();
  const child = spawn(
    binary,
    ["--bind", HOST, "--port", String(port), "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const stop = async () => {
    await kill(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPong(port, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://${HOST}:${port}`, stop };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += String(chunk);
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with ${child.exitCode}: ${stderr}`);
    }
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer PING within ${START_TIMEOUT_MS} ms: ${stderr}`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += String(chunk);
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
