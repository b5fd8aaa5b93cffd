// `npm run test:runtimes`: runs test/runtimes/conformance.mjs against the built
// package in every runtime of the README's support table, and drives the two
// examples over HTTP. One PASS or FAIL line per runtime, then "N passed, M failed";
// exits 1 when any runtime fails or cannot start. Runtimes come from
// scripts/install-runtimes.sh; a missing one is a failure, never a skip.
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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
// The README's install lines run with the registry at the discard port, where
// nothing listens: any request that should not happen fails the check.
const UNREACHABLE = "http://127.0.0.1:9/";
const PACKAGE_MANAGERS = ["npm", "pnpm", "yarn", "bun"];
const OFF_REGISTRY = { ...ENV, npm_config_registry: UNREACHABLE, BUN_CONFIG_REGISTRY: UNREACHABLE };

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
  ["deno (jsr)", denoJsr],
  ["jsr publish", jsrPublish],
  ["install lines", installLines],
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
    // Deno KV, which the example's store is on, is still behind --unstable-kv.
    await run([DENO, "check", "--unstable-kv", "server.ts"], { cwd });
    const server = start(
      [DENO, "run", "--no-prompt", "--unstable-kv", "--allow-net=127.0.0.1"].concat(
        "--allow-env=PORT,JWT_SECRET,DENO_KV_PATH",
        "server.ts",
      ),
      { cwd, env: { ...ENV, PORT: "0", DENO_KV_PATH: ":memory:" } },
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

/** The package as a JSR user imports it, through test/runtimes/jsr/deno.json. */
async function denoJsr() {
  const options = { cwd: join(ROOT, "test/runtimes/jsr") };
  // Reading src/ stands for the download from jsr.io that a real install allows:
  // the subpaths are imported dynamically, outside the graph Deno loads at start.
  const read = `--allow-read=${join(ROOT, "src")}`;
  const command = [need(DENO), "run", "--cached-only", "--no-prompt", read, "conformance.ts"];
  const label = await shim(command, "jsr", "deno ", options);
  const check = [DENO, "check", "--cached-only", "typed.ts", "conformance.ts"];
  await run(check, options).catch((error) => {
    throw labelled(label, `deno check: ${error.message}`);
  });
  const { exports } = readJson("deno.json");
  const loaded = `entry points loaded: ${Object.keys(exports).length}`;
  return `${label}, ${loaded}, createTokens<C> type-checked`;
}

/**
 * JSR's own checks (explicit types on every export, no import of an excluded
 * module), and the files it would ship: src/ without the CLI and hs256/node,
 * the README and the license.
 */
async function jsrPublish() {
  const label = "deno publish --dry-run";
  const command = [need(DENO), "publish", "--dry-run", "--allow-dirty"];
  const { code, stdout, stderr } = await start(command).done;
  const output = `${stderr}\n${stdout}`;
  // Each problem is "error[kind]: what", then " --> file:line:column".
  const problems = [...output.matchAll(/^(?:error|warning)\[([\w-]+)\].*\n\s*--> (\S+)/gm)];
  if (problems.length > 0) {
    const where = problems.map(([, kind, at]) => `${kind} at ${relative(ROOT, at)}`);
    throw labelled(label, where.join("; "));
  }
  if (code !== 0) throw labelled(label, `exited with ${code}:\n${output.trim()}`);
  const shipped = [...output.matchAll(/^\s+file:\/\/(\S+) \(/gm)].map(([, file]) =>
    relative(ROOT, file),
  );
  const sources = readdirSync(join(ROOT, "src"), { recursive: true })
    .map((file) => join("src", file))
    .filter(
      (file) => file.endsWith(".ts") && !file.startsWith("src/cli/") && file !== "src/node.ts",
    );
  const wanted = ["LICENSE", "README.md", "deno.json", ...sources];
  const missing = wanted.filter((file) => !shipped.includes(file));
  const unwanted = shipped.filter((file) => !wanted.includes(file));
  if (missing.length > 0) throw labelled(label, `does not ship ${missing.join(", ")}`);
  if (unwanted.length > 0) throw labelled(label, `ships ${unwanted.join(", ")}`);
  return `${label}: no slow types, ${shipped.length} files, no CLI, no hs256/node`;
}

/**
 * Tries each line of the README's Install section on the packed tarball, each in
 * a fresh project off the registry, and runs the conformance checks there. The
 * JSR line is the "deno (jsr)" check; pnpm and yarn are tried when installed.
 */
async function installLines() {
  const label = "README install lines";
  const lines = readmeInstallLines();
  if (lines.length === 0) throw labelled(label, "no sh block in README.md's Install section");
  const { name } = readJson("package.json");
  const jsrName = readJson("deno.json").name;
  const dir = mkdtempSync(join(tmpdir(), "hs256-install-"));
  const tried = [];
  try {
    const packed = await run(["npm", "pack", "--json", "--pack-destination", dir]);
    const tarball = join(dir, JSON.parse(packed.stdout)[0].filename);
    for (const [index, line] of lines.entries()) {
      const [tool, verb, spec, ...rest] = line.split(" ");
      const cwd = join(dir, `line-${index}`);
      if (line === `deno add jsr:${jsrName}`) tried.push("deno jsr: in the deno (jsr) check");
      else if (line === `deno add npm:${name}`)
        tried.push(await denoNpmInstall(tarball, cwd, line));
      else if (PACKAGE_MANAGERS.includes(tool) && spec === name && rest.length === 0) {
        tried.push(await packageManagerInstall([tool, verb, tarball], cwd, line));
      } else throw labelled(label, `${line}: not an install of ${name} or jsr:${jsrName}`);
    }
  } catch (error) {
    throw labelled(error.runtime ?? label, error.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return `${label}, from the packed tarball: ${tried.join(", ")}`;
}

/** The lines of the first sh block of the README's Install section, comments dropped. */
function readmeInstallLines() {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((part) => part.startsWith("Install\n")) ?? "";
  const block = /```sh\n([^`]*)```/.exec(section)?.[1] ?? "";
  const lines = block.split("\n").map((line) => line.replace(/#.*/, "").trim());
  return lines.filter(Boolean).map((line) => line.replace(/\s+/g, " "));
}

/** `npm install hs256` and the like, with the tarball for the name; then an import under node (or bun). */
async function packageManagerInstall([tool, verb, tarball], cwd, line) {
  const bin = tool === "bun" ? need(BUN) : onPath(tool);
  if (!bin) return `${tool} not installed here`;
  newProject(cwd);
  await run([bin, verb, tarball], { cwd, env: OFF_REGISTRY });
  await shim([tool === "bun" ? BUN : process.execPath, "check.mjs"], line, undefined, { cwd });
  return tool;
}

/**
 * `deno add npm:hs256` would fetch from the registry; here npm puts the tarball in
 * node_modules, and deno.json gets the import that `deno add` writes.
 */
async function denoNpmInstall(tarball, cwd, line) {
  const { name, version } = readJson("package.json");
  newProject(cwd);
  await run(["npm", "install", tarball], { cwd, env: OFF_REGISTRY });
  const config = { imports: { [name]: `npm:${name}@^${version}` }, nodeModulesDir: "manual" };
  writeFileSync(join(cwd, "deno.json"), JSON.stringify(config));
  await shim([need(DENO), "run", "--cached-only", "--no-prompt", "check.mjs"], line, "deno ", {
    cwd,
  });
  return "deno npm:";
}

/** An empty ESM project whose check.mjs runs the conformance checks on the installed package. */
function newProject(dir) {
  mkdirSync(dir);
  const manifest = { name: "install-check", private: true, type: "module" };
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest));
  const { name } = readJson("package.json");
  const report = pathToFileURL(join(ROOT, "test/runtimes/report.mjs"));
  const check = `import * as lib from "${name}";\nimport { report } from "${report}";\n`;
  writeFileSync(join(dir, "check.mjs"), `${check}await report(lib, "installed");\n`);
}

function readJson(file) {
  return JSON.parse(readFileSync(join(ROOT, file), "utf8"));
}

function onPath(bin) {
  const dirs = (process.env.PATH ?? "").split(delimiter);
  return dirs.map((dir) => join(dir, bin)).find((file) => existsSync(file));
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
  await reuseFlow(call, expect, alice);
}

/**
 * RFC 9700 section 4.14.2: a refresh token is used once (the examples' stores
 * are shared state, not per isolate), and presenting a rotated one revokes its
 * login, so its successor is refused too.
 */
async function reuseFlow(call, expect, alice) {
  const login = expect("second login", await call("POST", "/login", { body: alice }), 200);
  const old = { refreshToken: login.refreshToken };
  const pair = expect("refresh", await call("POST", "/refresh", { body: old }), 200);
  expect("refresh with the rotated token", await call("POST", "/refresh", { body: old }), 401);
  const next = { refreshToken: pair.refreshToken };
  expect("refresh after reuse", await call("POST", "/refresh", { body: next }), 401);
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
