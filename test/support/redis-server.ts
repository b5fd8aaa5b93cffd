// Starts a real, throwaway redis-server for the tests: on 127.0.0.1, a free
// port, nothing saved to disk unless asked (AOF for the restart tests). CI
// (process.env.CI) must have the binaries (scripts/install-ci-deps.sh installs
// them); a developer machine without them skips the Redis tests, loudly.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface RedisServer {
  url: string;
  port: number;
  /** The server's process id, for signals (SIGSTOP, SIGCONT). */
  pid: number;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL: nothing is flushed, its directory stays. */
  crash(): Promise<void>;
  /** Starts the server again on the same port and directory (what it persisted, it loads). */
  restart(): Promise<void>;
}

/** Extra settings, as redis-server arguments: `["--appendonly", "yes"]`. */
export interface RedisServerOptions {
  args?: string[];
  /** A port that redis-server and its cluster bus port (port + 10000) can both take. */
  clusterPort?: boolean;
}

const HOST = "127.0.0.1";
const START_TIMEOUT_MS = 10_000;

/** A binary on PATH (or /usr/bin), or undefined if there is none. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin"].filter(Boolean);
  return dirs.map((dir) => join(dir, name)).find((file) => existsSync(file));
}

/** The redis-server binary on PATH (or /usr/bin), or undefined if there is none. */
export function findRedisServer(): string | undefined {
  return findBinary("redis-server");
}

/**
 * Whether the Redis tests can run here. Throws in CI when redis-server or
 * redis-cli is missing, so that a broken install fails the run instead of
 * skipping tests.
 */
export function redisServerAvailable(): boolean {
  if (findRedisServer() && findBinary("redis-cli")) return true;
  const message = "redis-server or redis-cli not found: install them (scripts/install-ci-deps.sh)";
  if (process.env.CI) throw new Error(`${message}; they are required in CI`);
  console.warn(`\n*** ${message}. SKIPPING the Redis store tests. ***\n`);
  return false;
}

/**
 * Starts redis-server and resolves once it answers PING. Another process may
 * take the free port before redis-server binds it, so a failed start is retried.
 */
export async function startRedisServer(
  options: RedisServerOptions = {},
  attempts = 3,
): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

async function startOnce(options: RedisServerOptions): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server not found");
  const dir = mkdtempSync(join(tmpdir(), "hs256-redis-"));
  const port = options.clusterPort ? await freeClusterPort() : await freePort();
  const args = [
    ...["--bind", HOST, "--port", String(port), "--save", "", "--appendonly", "no"],
    ...["--dir", dir, ...(options.args ?? [])],
  ];
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    await waitForPong(port, child);
  };
  const server: RedisServer = {
    url: `redis://${HOST}:${port}`,
    port,
    pid: 0,
    stop: async () => {
      await kill(child);
      rmSync(dir, { recursive: true, force: true });
    },
    crash: async () => {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
    restart: async () => {
      await launch();
      server.pid = child.pid ?? 0;
    },
  };
  try {
    await server.restart();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

// Both the port and its cluster bus port (port + 10000) must be free.
async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (port + 10000 <= 65535 && (await isFree(port + 10000))) return port;
  }
  throw new Error("no free port pair for a cluster node");
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
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
  child.kill("SIGCONT"); // a stopped server cannot act on SIGTERM
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
