// npm run bench:http: requests per second of a server that verifies a Bearer
// token on GET /me, under wrk on 127.0.0.1: node:http with each library, and
// Express and Fastify each with its usual JWT plugin and with this library's
// adapter. One server process per case, all started up front; every round loads
// each of them once, in a new random order, and the figures are medians over
// rounds. Then, when bench/refresh-redis.mjs is present, the refresh benchmark
// on Redis. BENCH_DIST names another build of the library (default ../dist/).
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { count, machine, median, ratio, shuffle, table, verdict, writeSection } from "./report.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONNECTIONS = 50;
const SECRET_TEXT = "k3y-of-exactly-thirty-two-bytes!";
const DIST = new URL(process.env.BENCH_DIST ?? "../dist/", import.meta.url);
const { sign } = await import(new URL("index.js", DIST).href);
// The framework cases need the adapters hs256/express and hs256/fastify.
const ADAPTERS = ["express.js", "fastify.js"].every((file) => existsSync(new URL(file, DIST)));
const FRAMEWORKS = [
  "express: hs256/express",
  "express: express-jwt",
  "fastify: hs256/fastify + nodeHmac",
  "fastify: @fastify/jwt",
];
const CASES = [
  "no auth",
  "hs256",
  "hs256 cache",
  "hs256 nodeHmac",
  "hs256 nodeHmac + cache",
  "jose (Uint8Array)",
  "jose (CryptoKey)",
  "fast-jwt",
  ...(ADAPTERS ? FRAMEWORKS : []),
];

try {
  execFileSync("wrk", ["--version"], { stdio: "ignore" });
} catch (error) {
  // wrk prints its version and exits 1; only a missing binary is a problem.
  if (error.code === "ENOENT") {
    console.error("wrk is not installed: apt-get install wrk");
    process.exit(1);
  }
}

const now = Math.floor(Date.now() / 1000);
const token = await sign(
  {
    sub: "user-1234567890",
    type: "ATK",
    iat: now,
    exp: now + 3600,
    iss: "https://auth.example.com",
  },
  new TextEncoder().encode(SECRET_TEXT),
);

const servers = [];
process.on("exit", () => {
  for (const { child } of servers) child.kill();
});
for (const [i, name] of CASES.entries()) {
  const port = 18080 + i;
  const child = spawn(
    process.execPath,
    [new URL("http-server.mjs", import.meta.url).pathname, name, String(port)],
    {
      env: { ...process.env, BENCH_SECRET: SECRET_TEXT, BENCH_DIST: DIST.href },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [line] = await once(child.stdout, "data");
  if (!String(line).includes("ready")) throw new Error(`${name}: ${line}`);
  servers.push({ name, port, child });
}

// Each server must accept the token and refuse a forged one before it is timed.
for (const { name, port } of servers) {
  const get = (bearer) =>
    fetch(`http://127.0.0.1:${port}/me`, { headers: { authorization: `Bearer ${bearer}` } });
  const good = await get(token);
  const body = await good.json();
  if (good.status !== 200 || body.sub !== "user-1234567890")
    throw new Error(`${name}: refused the token`);
  const forged = await get(`${token.slice(0, -2)}AA`);
  if (name !== "no auth" && forged.status !== 401) throw new Error(`${name}: took a forged token`);
}

// The server's own CPU time (all its threads, Web Crypto's pool included), from
// /proc on Linux: per request, it does not depend on what else the machine runs.
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" })) || 100;
  } catch {
    return 100;
  }
})();
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

function load({ port, child }, seconds) {
  const cpuBefore = cpuSeconds(child.pid);
  const out = execFileSync(
    "wrk",
    [
      "-t1",
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      "--latency",
      "-H",
      `Authorization: Bearer ${token}`,
      `http://127.0.0.1:${port}/me`,
    ],
    { encoding: "utf8" },
  );
  if (/Non-2xx/.test(out) || /Socket errors/.test(out))
    throw new Error(`errors under load:\n${out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const [, value, unit] = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out) ?? [];
  const p99 = Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  if (!(rps > 0) || !(p99 >= 0)) throw new Error(`cannot read wrk's output:\n${out}`);
  const cpu = ((cpuSeconds(child.pid) - cpuBefore) * 1e6) / requests;
  return { rps, p99, cpu };
}

console.log(machine());
console.log(
  `${CASES.length} servers × ${ROUNDS} rounds of ${SECONDS} s, wrk -t1 -c${CONNECTIONS}, interleaved.`,
);
for (const server of servers) load(server, 1); // warm up the JIT of every server
const results = new Map(CASES.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const server of shuffle(servers)) results.get(server.name).push(load(server, SECONDS));
  console.log(`round ${round + 1}/${ROUNDS} done`);
}
for (const { child } of servers) child.kill();

const rps = (name) => median(results.get(name).map((r) => r.rps));
const p99 = (name) => median(results.get(name).map((r) => r.p99));
const cpu = (name) => median(results.get(name).map((r) => r.cpu));
const rows = CASES.map((name) => [
  name,
  count(rps(name)),
  `${p99(name).toFixed(2)} ms`,
  ratio(rps(name), rps("no auth")),
  ratio(rps(name), rps("jose (Uint8Array)")),
  Number.isNaN(cpu(name)) ? "–" : `${cpu(name).toFixed(1)} µs`,
  Number.isNaN(cpu(name)) ? "–" : `${(cpu(name) - cpu("no auth")).toFixed(1)} µs`,
]);
const resultTable = table(
  [
    "server",
    "req/s (median)",
    "p99 (median)",
    "× no auth",
    "× jose",
    "server CPU per request",
    "of which auth",
  ],
  rows,
);

// As in the micro benchmark: the verdict is the median of the ratios of each
// round, where both servers were loaded a few seconds apart; the ratio of the
// medians is shown beside it.
function target(measure, goal, a, b) {
  const xs = results.get(a);
  const ys = results.get(b);
  const byRound = median(xs.map((x, i) => x.rps / ys[i].rps));
  const ofMedians = rps(a) / rps(b);
  return [
    measure,
    `≥ ${goal}×`,
    `${byRound.toFixed(2)}×`,
    `${ofMedians.toFixed(2)}×`,
    verdict(byRound >= goal),
  ];
}
const notRun = (measure, goal, why) => [measure, `≥ ${goal}×`, "not run", "–", why];
const targets = table(
  ["measure", "target", "median of round ratios", "ratio of medians", ""],
  [
    target(
      "node:http, cache off, Web Crypto, vs jose (Uint8Array secret)",
      1.3,
      "hs256",
      "jose (Uint8Array)",
    ),
    target(
      "node:http, cache off, Web Crypto, vs jose (CryptoKey)",
      1.3,
      "hs256",
      "jose (CryptoKey)",
    ),
    target("node:http, cache off, nodeHmac, vs fast-jwt", 1, "hs256 nodeHmac", "fast-jwt"),
    target("node:http, cache on, vs the no-auth server", 0.9, "hs256 cache", "no auth"),
    target(
      "node:http, nodeHmac + cache, vs the no-auth server",
      0.9,
      "hs256 nodeHmac + cache",
      "no auth",
    ),
    ADAPTERS
      ? target("Express, hs256/express vs express-jwt", 1.5, FRAMEWORKS[0], FRAMEWORKS[1])
      : notRun("Express, hs256/express vs express-jwt", 1.5, "no dist/express.js"),
    ADAPTERS
      ? target("Fastify, hs256/fastify + nodeHmac vs @fastify/jwt", 1, FRAMEWORKS[2], FRAMEWORKS[3])
      : notRun("Fastify, hs256/fastify + nodeHmac vs @fastify/jwt", 1, "no dist/fastify.js"),
  ],
);
console.log(`\n${resultTable}\n\n${targets}\n`);

// BENCH_SECTION: another section of docs/benchmarks.md, for a run of another build.
writeSection(
  process.env.BENCH_SECTION ?? "http",
  `## ${ADAPTERS ? "node:http, Express and Fastify servers" : "A node:http server"} verifying a Bearer token

${machine()} Each server is its own process and answers \`GET /me\` with the subject
of the token in \`Authorization: Bearer\` (401 without a valid one).${
    ADAPTERS
      ? ` Express and Fastify run their usual JWT plugin (express-jwt; @fastify/jwt, on
fast-jwt) and this library's adapter (\`auth(tokens)\` of hs256/express, and of hs256/fastify
with \`nodeHmac\`) on the same route, with the same secret text.`
      : ""
  } Load:
\`wrk -t1 -c${CONNECTIONS} -d${SECONDS}s\` on 127.0.0.1, ${ROUNDS} rounds, each loading every server once in a new
random order; figures are medians over rounds. The cache cases see the same token on every
request, so every request after the first is a hit. "Server CPU per request" is the
server process's CPU time (all threads, Web Crypto's thread pool included, from /proc)
over the requests it answered: unlike req/s, it hardly depends on what else the machine
runs; "of which auth" subtracts the no-auth server's.

${resultTable}

### Targets

${targets}`,
);
console.log("wrote docs/benchmarks.md");

// The refresh benchmark on Redis is its own script, which writes its own section.
const REFRESH = new URL("refresh-redis.mjs", import.meta.url);
if (existsSync(REFRESH)) {
  execFileSync(process.execPath, [REFRESH.pathname, "--write"], { stdio: "inherit" });
} else {
  console.log(
    "refresh on one local Redis vs the bare-Redis ceiling: not run (no bench/refresh-redis.mjs)",
  );
}
