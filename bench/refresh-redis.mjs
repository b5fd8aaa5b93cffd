// node bench/refresh-redis.mjs (after npm run build; npm run bench:http runs it
// with --write, which puts the table in docs/benchmarks.md; without it, it only prints):
// refreshes per second of `createTokens(...).refresh` on one local Redis,
// against the ceiling of the same Lua script sent bare through the same client.
// It starts its own throwaway redis-server and stops it at the end.
//
// The ceiling replays the exact EVALSHA the store sends for one rotate (its sha,
// keys and argument forms, captured from the client), with a fresh jti pair per
// call that matches the family's state, so that the script really rotates.
import { createClient } from "redis";
import { createTokens, redisStore } from "../dist/index.js";
import { nodeHmac } from "../dist/node.js";
import {
  count,
  localRedis,
  machine,
  mainThreadMicros,
  median,
  ratio,
  runWorkers,
  shuffle,
  table,
  verdict,
  writeSection,
} from "./report.mjs";

const where = machine();
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 500);
const IN_FLIGHT = [1, 64];
const GOAL = 0.8;
const LABELS = {
  library: "tokens.refresh (redisStore)",
  nodeHmac: "tokens.refresh, nodeHmac",
  ceiling: "bare EVALSHA (ceiling)",
};

const redis = await localRedis(createClient);
try {
  await main(redis.client);
} finally {
  await redis.client.quit().catch(() => {});
  redis.stop();
}

async function main(client) {
  // Records the words of the next rotate the store sends, when asked to.
  let capture;
  const send = client.sendCommand.bind(client);
  const store = redisStore({
    sendCommand: (args) => {
      if (capture && args[0] === "EVALSHA") {
        capture(args);
        capture = undefined;
      }
      return send(args);
    },
  });
  await store.ready();
  const secret = "a refresh benchmark secret of 32+ bytes";
  const webCrypto = createTokens({ secret, store });
  const onThread = createTokens({ secret, store, hmac: nodeHmac() });

  let logins = 0;
  const login = async (tokens = webCrypto) =>
    (await tokens.issue({ sub: `user-${logins++}` })).refreshToken;

  // One worker per login in flight, each refreshing its own login in a loop.
  async function libraryWorkers(k, tokens) {
    const tokensOf = await Promise.all(Array.from({ length: k }, () => login(tokens)));
    return tokensOf.map((rtk) => async () => {
      rtk = (await tokens.refresh(rtk)).refreshToken;
    });
  }

  let fresh = 0;
  const nextJti = () => `c${(fresh++).toString(36).padStart(21, "0")}`; // randomId's length
  async function ceilingWorkers(k) {
    const workers = [];
    for (let i = 0; i < k; i++) {
      const rtk = await login();
      const captured = new Promise((resolve) => {
        capture = resolve;
      });
      await webCrypto.refresh(rtk);
      // EVALSHA sha 2 family epoch jti next iat exp grace keepUntil
      const words = [...(await captured)];
      let active = words[6];
      workers.push(async () => {
        words[5] = active;
        words[6] = active = nextJti();
        const reply = await send(words);
        if (reply[0] !== "rotated") throw new Error(`the script replied ${reply[0]}`);
      });
    }
    return workers;
  }

  const cases = [];
  for (const k of IN_FLIGHT) {
    cases.push({ name: "library", k, workers: await libraryWorkers(k, webCrypto) });
    cases.push({ name: "nodeHmac", k, workers: await libraryWorkers(k, onThread) });
    cases.push({ name: "ceiling", k, workers: await ceilingWorkers(k) });
  }
  const id = (c) => `${c.name} ${c.k}`;
  const samples = new Map(cases.map((c) => [id(c), { rate: [], cpu: [], server: [] }]));

  for (const c of cases) await runWorkers(c.workers, 100); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of shuffle(cases)) {
      const stats = await evalshaStats(client);
      const cpuBefore = mainThreadMicros();
      const { calls, ms } = await runWorkers(c.workers, ROUND_MS);
      const cpu = mainThreadMicros() - cpuBefore;
      const after = await evalshaStats(client);
      const s = samples.get(id(c));
      s.rate.push((calls * 1000) / ms);
      s.cpu.push(cpu / calls);
      s.server.push((after.usec - stats.usec) / (after.calls - stats.calls));
    }
  }

  const med = (c, field) => median(samples.get(id(c))[field]);
  const ceilingOf = (c) => cases.find((o) => o.name === "ceiling" && o.k === c.k);
  const rows = cases.map((c) => [
    LABELS[c.name],
    String(c.k),
    count(med(c, "rate")),
    ratio(med(c, "rate"), med(ceilingOf(c), "rate")),
    `${med(c, "cpu").toFixed(1)} µs`,
    `${med(c, "server").toFixed(1)} µs`,
  ]);
  const resultTable = table(
    ["case", "in flight", "refreshes/s", "vs ceiling", "main-thread CPU", "Redis per call"],
    rows,
  );
  const targets = table(
    ["target", "goal", "measured", "verdict"],
    cases
      .filter((c) => c.name !== "ceiling")
      .map((lib) => {
        const value = med(lib, "rate") / med(ceilingOf(lib), "rate");
        return [
          `${LABELS[lib.name]}, ${lib.k} in flight, vs the ceiling`,
          `≥ ${GOAL}×`,
          `${value.toFixed(2)}×`,
          verdict(value >= GOAL),
        ];
      }),
  );
  console.log(`\n${resultTable}\n\n${targets}\n`);
  if (!process.argv.includes("--write")) return;

  writeSection(
    "refresh-redis",
    `## Refresh on one local Redis, against the bare-Redis ceiling

${where}
The machine has 2 shared cores, and redis-server (7.0, \`--save "" --appendonly no\`,
started by the benchmark on 127.0.0.1) runs on one of them beside the benchmark
process: what Redis spends is time the client cannot use. One node-redis client.
"tokens.refresh" refreshes K logins at once, each in a loop: verify the refresh token,
one EVALSHA of the rotate script, sign the new pair (signed while Redis answers, handed
out once it confirms); with Web Crypto, and with \`nodeHmac()\` from hs256/node.
The ceiling sends the same EVALSHA (the sha, keys and argument forms captured from the
store) through the same client, with a fresh jti pair per call that matches the family,
so that the script really rotates.
${ROUNDS} rounds of ${ROUND_MS} ms, each running every case once in a new random order;
medians over rounds. "Main-thread CPU" is the benchmark's main thread (from
\`/proc/self/task/<pid>/stat\`) per refresh; "Redis per call" is \`usec_per_call\` of
EVALSHA in \`INFO commandstats\`.

${resultTable}

### Targets

${targets}`,
  );
  console.log("wrote docs/benchmarks.md");
}

async function evalshaStats(client) {
  const info = await client.info("commandstats");
  const line = info.split("\n").find((l) => l.startsWith("cmdstat_evalsha:")) ?? "";
  const field = (name) => Number(new RegExp(`${name}=(\\d+)`).exec(line)?.[1] ?? 0);
  return { calls: field("calls"), usec: field("usec") };
}
