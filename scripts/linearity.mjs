#!/usr/bin/env node
// How the time of verify and decodeUnverified grows with the token's length, on
// the built package: each doubling of the length should at most about double the
// time up to maxTokenLength, and past it the time should not grow at all.
// A benchmark, not a test: it times, so it is run by hand (npm run build first),
// and it only fails on a gross departure (a doubling that more than triples the time).
//
// Usage: node scripts/linearity.mjs
import { performance } from "node:perf_hooks";
import { decodeUnverified, sign, verify } from "../dist/index.js";

const SECRET = "linearity-benchmark-secret-32-bytes-long";
const NOW = new Date("2030-01-01T00:00:00Z");
const MAX_RATIO = 3;

/** Median time per call, in microseconds, over several rounds of `calls` calls. */
async function time(fn, calls = 2000, rounds = 7) {
  for (let i = 0; i < calls; i++) await fn(); // warm-up
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < calls; i++) await fn();
    samples.push(((performance.now() - start) * 1000) / calls);
  }
  return samples.sort((a, b) => a - b)[rounds >> 1];
}

async function validToken(length) {
  const base = await sign({ exp: 2e9, pad: "" }, SECRET, { now: NOW });
  // Each padding character adds 4/3 token characters.
  const pad = "x".repeat(Math.max(0, Math.floor(((length - base.length) * 3) / 4)));
  return sign({ exp: 2e9, pad }, SECRET, { now: NOW });
}

const cases = {
  "verify, valid token": {
    make: validToken,
    run: (t) => verify(t, SECRET, { now: NOW }),
  },
  "decodeUnverified, valid token": {
    make: validToken,
    run: (t) => decodeUnverified(t),
  },
  "verify, garbage of the alphabet": {
    make: async (n) => `eyJhbGciOiJIUzI1NiJ9.${"A".repeat(n - 24)}.AA`,
    run: (t) => verify(t, SECRET, { now: NOW }).catch(() => undefined),
  },
};

let failed = false;
const sizes = [512, 1024, 2048, 4096, 8192];
for (const [name, { make, run }] of Object.entries(cases)) {
  let previous;
  const row = [];
  for (const size of sizes) {
    const token = await make(size);
    const us = await time(() => run(token));
    const ratio = previous === undefined ? "" : ` (x${(us / previous).toFixed(2)})`;
    if (previous !== undefined && us / previous > MAX_RATIO) failed = true;
    row.push(`${token.length} chars: ${us.toFixed(2)} us${ratio}`);
    previous = us;
  }
  console.log(`${name}\n  ${row.join("\n  ")}`);
}

// Past the limit: refused after one comparison, whatever the length.
const over = [8193, 81_930, 819_300, 8_193_000].map((n) => "A".repeat(n));
const overTimes = [];
for (const input of over) {
  overTimes.push(await time(() => verify(input, SECRET).catch(() => undefined), 5000));
}
console.log(
  `verify, over the limit\n  ${over.map((s, i) => `${s.length} chars: ${overTimes[i].toFixed(2)} us`).join("\n  ")}`,
);
if ((overTimes.at(-1) ?? 0) > MAX_RATIO * (overTimes[0] ?? 0)) failed = true;

if (failed) {
  console.error(`linearity: FAILED, some doubling of the length more than x${MAX_RATIO} the time`);
  process.exit(1);
}
console.log("linearity: ok");
