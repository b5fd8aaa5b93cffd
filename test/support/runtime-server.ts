// Starts a store bridge (store-bridge.ts) in another runtime for the tests:
// the bridge bundled by esbuild into a temp directory, the runtime on a free
// port of 127.0.0.1, stopped afterwards. CI (process.env.CI) must have the
// runtime (scripts/install-runtimes.sh); a developer machine without it skips
// those tests, loudly.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "../..");
const START_TIMEOUT_MS = 20_000;

/** A runtime's binary under .runtimes/ (scripts/install-runtimes.sh). */
export const runtimeBinary = (name: string) =>
  join(ROOT, ".runtimes", name, "node_modules", ".bin", name);

/** Whether `binary` is here; throws in CI, where a missing runtime must fail the run. */
export function runtimeAvailable(binary: string): boolean {
  if (existsSync(binary)) return true;
  const message = `${binary} not found: run scripts/install-runtimes.sh`;
  if (process.env.CI) throw new Error(`${message}; it is required in CI`);
  console.warn(`\n*** ${message}. SKIPPING its store tests. ***\n`);
  return false;
}

/** A bridge that answers at `url`. */
export interface RuntimeServer {
  url: string;
  stop(): Promise<void>;
}

/** How to start one runtime on a bundled bridge, in `dir`, on `port`. */
export interface RuntimeLaunch {
  /** The bridge's entry, relative to the repo. */
  entry: string;
  /** The command line, given the bundle's directory and the port. */
  command(dir: string, port: number): [string, string[]];
}

/** Bundles the bridge, starts the runtime, and resolves once it answers. Retries a lost port. */
export async function startRuntimeServer(
  launch: RuntimeLaunch,
  attempts = 3,
): Promise<RuntimeServer> {
  const dir = mkdtempSync(join(tmpdir(), "hs256-bridge-"));
  await build({
    entryPoints: [join(ROOT, launch.entry)],
    outfile: join(dir, "bridge.js"),
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    logLevel: "error",
  });
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(launch, dir);
    } catch (error) {
      if (attempt >= attempts) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

async function startOnce(launch: RuntimeLaunch, dir: string): Promise<RuntimeServer> {
  const port = await freePort();
  const [file, args] = launch.command(dir, port);
  const child = spawn(file, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    await kill(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForAnswer(url, child, () => output);
  } catch (error) {
    await kill(child);
    throw error;
  }
  return { url, stop };
}

async function waitForAnswer(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`no answer at ${url} within ${START_TIMEOUT_MS} ms: ${output()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
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
