// A/B of two builds in one process: `tokens.refresh` with nodeHmac on a
// redisStore, 64 refreshes in flight, each build's case run in turn (in a new
// random order each round) against one throwaway redis-server and one
// node-redis client. Prints main-thread CPU per refresh (from
// /proc/self/task/<pid>/stat, which a busy machine moves less than it moves
// refreshes/s) and refreshes/s of each, and the ratio; writes nothing.
//
//   node bench/refresh-ab.mjs <dist before> [<dist after>, default ./dist]
//
// Build the "before" copy from its own worktree (npm run build there, then copy
// its dist). --no-redis swaps Redis for a client that answers every command of
// a turn together in the next one, as one read of replies would: what is left
// is this library's own cost, without the server's on the same cores.
// BENCH_ROUNDS (default 40), BENCH_ROUND_MS (200), IN_FLIGHT (64).
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createClient } from "redis";
import { localRedis, mainThreadMicros, median, runWorkers, shuffle } from "./report.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 200);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 64);
const paths = process.argv.slice(2).filter((arg) => !arg.startsWith("--"));
if (paths.length < 1)
  throw new Error("usage: node bench/refresh-ab.mjs <dist before> [<dist after>]");
const builds = [
  { label: "before", dist: paths[0] },
  { label: "after", dist: paths[1] ?? new URL("../dist", import.meta.url).pathname },
];

let logins = 0;
const { client, stop } = process.argv.includes("--no-redis")
  ? { client: answeringClient(), stop: () => {} }
  : await localRedis(createClient);
try {
  const cases = [];
  for (const build of builds) cases.push({ ...build, ...(await refreshes(build.dist)) });
  for (const c of cases) await runWorkers(c.workers, 200); // warm-up
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of shuffle(cases)) {
      const cpuBefore = mainThreadMicros();
      const { calls, ms } = await runWorkers(c.workers, ROUND_MS);
      c.cpu.push((mainThreadMicros() - cpuBefore) / calls);
      c.rate.push((calls * 1000) / ms);
    }
    ratios.push(cases[0].cpu.at(-1) / cases[1].cpu.at(-1));
  }
  for (const c of cases) {
    const cpu = `${median(c.cpu).toFixed(1)} µs main-thread CPU per refresh`;
    console.log(
      `${c.label.padEnd(6)} ${cpu}, ${Math.round(median(c.rate))} refreshes/s  (${c.dist})`,
    );
  }
  const quartile = (q) => [...ratios].sort((a, b) => a - b)[Math.floor(q * (ratios.length - 1))];
  const [before, after] = cases;
  console.log(
    `CPU per refresh, before/after: ${median(ratios).toFixed(2)}× (median of ${ROUNDS} rounds, ` +
      `quartiles ${quartile(0.25).toFixed(2)}–${quartile(0.75).toFixed(2)}); ` +
      `refreshes/s, after/before: ${(median(after.rate) / median(before.rate)).toFixed(2)}×`,
  );
} finally {
  await client.quit?.().catch(() => {});
  stop();
}

// One login per refresh in flight, each refreshed in a loop by its own worker.
async function refreshes(dist) {
  const url = (file) => pathToFileURL(resolve(dist, file)).href;
  const { createTokens, redisStore } = await import(url("index.js"));
  const { nodeHmac } = await import(url("node.js"));
  const store = redisStore(client);
  await store.ready();
  const secret = "a refresh benchmark secret of 32+ bytes";
  const tokens = createTokens({ secret, store, hmac: nodeHmac() });
  const login = async () => (await tokens.issue({ sub: `user-${logins++}` })).refreshToken;
  const tokensOf = await Promise.all(Array.from({ length: IN_FLIGHT }, login));
  const workers = tokensOf.map((rtk) => async () => {
    rtk = (await tokens.refresh(rtk)).refreshToken;
  });
  return { workers, cpu: [], rate: [] };
}

// The replies the store expects: the rotate script's words are 11, the open
// script's 8.
function answeringClient() {
  let queue = [];
  const reply = (args) => {
    if (args[0] === "CONFIG") return ["maxmemory-policy", "noeviction"];
    return args.length === 11 ? ["rotated"] : 1;
  };
  const answer = () => {
    const answered = queue;
    queue = [];
    for (const [resolve, args] of answered) resolve(reply(args));
  };
  return {
    sendCommand: (args) =>
      new Promise((resolve) => {
        if (queue.push([resolve, args]) === 1) setImmediate(answer);
      }),
  };
}
