// `npm run test:runtimes`: runs test/runtimes/conformance.mjs against the built
// package in every runtime of the README's support table, and drives the two
// examples over HTTP. One PASS or FAIL line per runtime, then "N passed, M failed";
// exits 1 when any runtime fails or cannot start. Runtimes come from
// scripts/install-runtimes.sh; a missing one is a failure, never a skip.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CHECK_NAMES } from "../test/runtimes/conformance.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TIMEOUT_MS = 60_000;
const ENV = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
const own = (dir, bin) => join(ROOT, ".runtimes", dir, "node_modules", ".bin", bin);
const NODE22 = own("node22", "node");
const NODE24 = own("node24", "node");
const BUN = own("bun", "bun");
const DENO = own("deno", "deno");
const WORKERD = own("workerd", "workerd");
const CHROMIUM = "/usr/bin/chromium";

const RUNTIMES = [
  ["node (esm)", () => shim([process.execPath, "test/runtimes/esm.mjs"], "esm")],
  ["node (cjs)", () => shim([process.execPath, "test/runtimes/cjs.cjs"], "cjs")],
  ["node 22 (esm)", () => shim([need(NODE22), "test/runtimes/esm.mjs"], "esm", "node 22.")],
  ["node 22 (cjs)", () => shim([need(NODE22), "test/runtimes/cjs.cjs"], "cjs", "node 22.")],
  ["node 24 (esm)", () => shim([need(NODE24), "test/runtimes/esm.mjs"], "esm", "node 24.")],
  ["node 24 (cjs)", () => shim([need(NODE24), "test/runtimes/cjs.cjs"], "cjs", "node 24.")],
  ["bun", () => shim([need(BUN), "./test/runtimes/esm.mjs"], "esm", "bun ")],
  ["deno", deno],
  ["workerd", workerd],
  ["edge-runtime", edgeRuntime],
  ["chromium", chromium],
];

buildIfNeeded();
let passed = 0;
let failed = 0;
for (const [name, run] of RUNTIMES) {
  try {
    console.log(`PASS ${await run()}`);
    passed++;
  } catch (error) {
    console.log(`FAIL ${error.runtime ?? name}: ${error.message}`);
    failed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;

/** Runs a shim that prints a conformance line, and checks it. Returns the runtime's label. */
async function shim(command, entry, expected, options = {}) {
  const { stdout } = await run(command, options);
  const line = stdout.split("\n").find((l) => l.startsWith("CONFORMANCE "));
  if (!line) throw new Error(`printed no conformance line:\n${stdout.trim()}`);
  const { runtime, results } = JSON.parse(line.slice("CONFORMANCE ".length));
  const label = `${runtime} (${entry})`;
  if (expected && !runtime.startsWith(expected)) {
    throw labelled(label, `expected ${expected.trim()}, got ${runtime}`);
  }
  checkResults(label, results);
  return label;
}

function checkResults(label, results) {
  const missing = CHECK_NAMES.filter((name) => !results.some((r) => r.name === name));
  if (missing.length > 0) throw labelled(label, `checks not run: ${missing.join("; ")}`);
  const failures = results.filter((r) => !r.ok);
  if (failures.length > 0) {
    throw labelled(label, failures.map((r) => `${r.name}: ${r.error}`).join("; "));
  }
}

async function deno() {
  const label = await shim(
    [need(DENO), "run", "--no-prompt", "test/runtimes/esm.mjs"],
    "esm",
    "deno ",
  );
  // dist/index.js imported by path keeps its types (its @ts-self-types banner).
  try {
    await run([DENO, "check", "test/runtimes/deno-types.ts"]);
  } catch (error) {
    throw labelled(label, `deno check of dist: ${error.message}`);
  }
  const cwd = join(ROOT, "examples/deno");
  try {
    // The example must also type-check against the published declarations.
    await run([DENO, "check", "server.ts"], { cwd });
    const server = start(
      [DENO, "run", "--no-prompt", "--allow-net=127.0.0.1", "--allow-env=PORT,JWT_SECRET"].concat(
        "server.ts",
      ),
      { cwd, env: { ...ENV, PORT: "0" } },
    );
    try {
      const port = await server.waitFor(/Listening on http:\/\/127\.0\.0\.1:(\d+)/);
      await exampleFlow(`http://127.0.0.1:${port}`);
    } finally {
      server.stop();
    }
  } catch (error) {
    throw labelled(label, `examples/deno: ${error.message}`);
  }
  return `${label}, deno check of dist, examples/deno over HTTP`;
}

async function workerd() {
  const { stdout } = await run([need(WORKERD), "--version"]);
  const label = stdout.trim(); // "workerd 2026-11-17": the newest compatibility date it supports
  const supported = label.split(" ")[1];
  for (const config of ["examples/cloudflare-worker/config.capnp", "test/runtimes/workerd.capnp"]) {
    const [, date] = /compatibilityDate = "([\d-]+)"/.exec(
      readFileSync(join(ROOT, config), "utf8"),
    );
    if (date > supported)
      throw labelled(label, `${config}: compatibilityDate ${date} > ${supported}`);
  }
  const [examplePort, conformancePort] = [await freePort(), await freePort()];
  const server = start([
    WORKERD,
    "serve",
    "test/runtimes/workerd.capnp",
    `--socket-addr=example=127.0.0.1:${examplePort}`,
    `--socket-addr=conformance=127.0.0.1:${conformancePort}`,
  ]);
  try {
    const response = await server.fetchWhenUp(`http://127.0.0.1:${conformancePort}/`);
    checkResults(label, await response.json());
    await exampleFlow(`http://127.0.0.1:${examplePort}`).catch((error) => {
      throw labelled(label, `examples/cloudflare-worker: ${error.message}`);
    });
  } finally {
    server.stop();
  }
  return `${label} (esm), examples/cloudflare-worker over HTTP`;
}

function edgeRuntime() {
  const command = [process.execPath, "--experimental-vm-modules", "--no-warnings"];
  return shim(command.concat("test/runtimes/edge.mjs"), "esm", "edge-runtime ");
}

function chromium() {
  need(CHROMIUM);
  return shim([process.execPath, "test/runtimes/browser.mjs"], "esm", "chromium ");
}

/** login → /me → refresh → logout, as a client of either example would. */
async function exampleFlow(base) {
  const call = async (method, path, { token, body } = {}) => {
    const headers = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    const init = { method, headers, body: body && JSON.stringify(body) };
    const response = await fetch(base + path, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text && JSON.parse(text) };
  };
  const expect = (what, response, status) => {
    if (response.status !== status) {
      throw new Error(`${what}: status ${response.status}, expected ${status}`);
    }
    return response.json;
  };
  const alice = { username: "alice", password: "wonderland" };
  expect(
    "login, wrong password",
    await call("POST", "/login", { body: { ...alice, password: "x" } }),
    401,
  );
  const login = expect("login", await call("POST", "/login", { body: alice }), 200);
  const me = expect("GET /me", await call("GET", "/me", { token: login.accessToken }), 200);
  if (me.sub !== "alice" || me.role !== "admin") throw new Error(`GET /me: ${JSON.stringify(me)}`);
  const anonymous = await call("GET", "/me");
  expect("GET /me without a token", anonymous, 401);
  if (!anonymous.headers.get("www-authenticate")?.startsWith("Bearer")) {
    throw new Error("GET /me without a token: no Bearer challenge in WWW-Authenticate");
  }
  const body = { refreshToken: login.refreshToken };
  const pair = expect("refresh", await call("POST", "/refresh", { body }), 200);
  expect("GET /me, refreshed", await call("GET", "/me", { token: pair.accessToken }), 200);
  const session = { token: pair.accessToken, body: { refreshToken: pair.refreshToken } };
  expect("logout", await call("POST", "/logout", session), 204);
  expect("GET /me after logout", await call("GET", "/me", { token: pair.accessToken }), 401);
  expect("refresh after logout", await call("POST", "/refresh", { body: session.body }), 401);
  expect("refresh, reused token", await call("POST", "/refresh", { body }), 401);
}

/** Runs a command to its end; rejects on a non-zero exit, a signal or the time limit. */
function run(command, options = {}) {
  const child = start(command, options);
  return child.done.then((result) => {
    if (result.code === 0) return result;
    const output = `${result.stderr}\n${result.stdout}`.trim().split("\n").slice(-8).join("\n");
    throw new Error(`${command.slice(0, 2).join(" ")} exited with ${result.code}:\n${output}`);
  });
}

/** Starts a command in the background, killed after TIMEOUT_MS at the latest. */
function start([file, ...args], { cwd = ROOT, env = ENV } = {}) {
  const child = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let exited = false;
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
  const done = new Promise((resolve) => {
    child.on("error", (error) => resolve({ code: error.message, stdout, stderr }));
    child.on("close", (code, signal) => {
      exited = true;
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr });
    });
  });
  const stillRunning = (what) => {
    if (exited) throw new Error(`exited before ${what}:\n${stderr}${stdout}`.trim());
  };
  return {
    done,
    stop() {
      if (!exited) child.kill("SIGTERM");
    },
    /** Waits for output matching `pattern`; returns its first group. */
    async waitFor(pattern) {
      for (const deadline = Date.now() + TIMEOUT_MS; Date.now() < deadline; await sleep(50)) {
        const match = pattern.exec(stdout) ?? pattern.exec(stderr);
        if (match) return match[1];
        stillRunning(`printing ${pattern}`);
      }
      throw new Error(`timed out waiting for ${pattern}`);
    },
    /** Fetches `url` once the server answers. */
    async fetchWhenUp(url) {
      for (const deadline = Date.now() + TIMEOUT_MS; Date.now() < deadline; await sleep(100)) {
        stillRunning(`answering ${url}`);
        try {
          return await fetch(url);
        } catch {
          // Not listening yet.
        }
      }
      throw new Error(`timed out waiting for ${url}`);
    },
  };
}

function need(file) {
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run scripts/install-runtimes.sh`);
  }
  return file;
}

function labelled(runtime, message) {
  return Object.assign(new Error(message), { runtime });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Builds dist/ when it is missing or older than a file of src/. */
function buildIfNeeded() {
  const outputs = ["dist/index.js", "dist/index.cjs"].map((f) => join(ROOT, f));
  const built = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  const sources = readdirSync(join(ROOT, "src"), { recursive: true }).map((f) =>
    join(ROOT, "src", f),
  );
  if (sources.every((f) => statSync(f).mtimeMs <= built)) return;
  console.log("test:runtimes: building dist/");
  execFileSync("npm", ["run", "build", "--silent"], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
}
