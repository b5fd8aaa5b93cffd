// Why a few µs of work before each crypto.subtle call cost more than a few µs.
// Web Crypto on Node hands every call to libuv's thread pool. Calls made back to
// back find the pool's threads busy; calls spaced by other work let them drain
// the queue and sleep, and each call then pays for waking one, on the main
// thread. Three loops of 64 verifies in flight, no library involved:
//   bare      crypto.subtle.verify back to back (the floor of bench/micro.mjs);
//   spaced    3 µs of other work before each call, as a library's own work is;
//   gathered  the same 3 µs each, but the calls of one burst made back to back
//             from one microtask.
// Run: node bench/webcrypto-dispatch.mjs (prints; writes nothing).
import { mainThreadMicros, median, shuffle, table } from "./report.mjs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_MS = 400;
const IN_FLIGHT = 64;
const WORK_NS = 3000n;

const secret = crypto.getRandomValues(new Uint8Array(32));
const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
  "sign",
  "verify",
]);
const data = new TextEncoder().encode(`${"e".repeat(36)}.${"p".repeat(110)}`);
const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, data));

/** Busy for WORK_NS on the main thread, as JSON, base64url and checks would be. */
function work() {
  const until = process.hrtime.bigint() + WORK_NS;
  while (process.hrtime.bigint() < until);
}

const verifyOnce = () => crypto.subtle.verify("HMAC", key, signature, data);

let burst = [];
function submitBurst() {
  const calls = burst;
  burst = [];
  for (const [resolve, reject] of calls) verifyOnce().then(resolve, reject);
}

const CASES = {
  bare: verifyOnce,
  spaced: () => {
    work();
    return verifyOnce();
  },
  gathered: () => {
    work();
    return new Promise((resolve, reject) => {
      if (burst.push([resolve, reject]) === 1) queueMicrotask(submitBurst);
    });
  },
};

async function measure(run) {
  const cpuStart = mainThreadMicros();
  const end = performance.now() + ROUND_MS;
  let calls = 0;
  while (performance.now() < end) {
    const results = await Promise.all(Array.from({ length: IN_FLIGHT }, run));
    if (!results.every(Boolean)) throw new Error("a signature did not verify");
    calls += IN_FLIGHT;
  }
  return {
    opsPerSecond: (calls * 1000) / ROUND_MS,
    cpuPerCall: (mainThreadMicros() - cpuStart) / calls,
  };
}

const samples = Object.fromEntries(Object.keys(CASES).map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const name of shuffle(Object.keys(CASES))) samples[name].push(await measure(CASES[name]));
}

const bare = median(samples.bare.map((s) => s.opsPerSecond));
const rows = Object.entries(samples).map(([name, runs]) => {
  const ops = median(runs.map((s) => s.opsPerSecond));
  return [
    name,
    Math.round(ops).toLocaleString("en-US"),
    `${(ops / bare).toFixed(2)}×`,
    `${median(runs.map((s) => s.cpuPerCall)).toFixed(1)} µs`,
  ];
});
console.log(table(["case", "ops/s (median)", "× bare", "main-thread CPU per call"], rows));
