#!/usr/bin/env node
// Feeds generated and mutated tokens to verify and decodeUnverified of the built
// package (dist/), many at once, and fails on:
// - any accepted token that is not, character for character, a token signed with
//   the key (a changed token that still verifies would be a forgery);
// - any failure that is not a JwtError (a TypeError, RangeError or SyntaxError
//   escaping means some input was not anticipated);
// - a run longer than the time budget.
//
// One worker thread per core, each with many verifications in flight.
//
// Usage: node scripts/fuzz.mjs [count=1000000] [--seconds=600] [--seed=N]
//          [--concurrency=16] [--workers=<cores>]
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { decodeUnverified, JwtError, sign, verify } from "../dist/index.js";

const args = isMainThread ? parseArgs(process.argv.slice(2)) : workerData;
const COUNT = args.count ?? 1_000_000;
const BUDGET_SECONDS = args.seconds ?? 600;
const SEED = args.seed ?? (Math.random() * 2 ** 32) >>> 0;
const CONCURRENCY = args.concurrency ?? 16;
const WORKERS = args.workers ?? availableParallelism();

const KEY = "fuzz-secret-of-at-least-thirty-two-bytes";
const OTHER_KEYS = [
  "fuzz-other-secret-of-at-least-thirty-two",
  `${KEY}x`,
  KEY.slice(0, 31) + "!".repeat(9),
  // A classic alg-confusion key: what an attacker could sign with if an RS256
  // public key were taken as an HMAC secret.
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n",
];
const NOW = new Date("2030-01-01T00:00:00Z");
const NOW_S = NOW.getTime() / 1000;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALGS = [
  "none",
  "None",
  "NONE",
  "HS384",
  "HS512",
  "RS256",
  "ES256",
  "hs256",
  "HS256 ",
  " HS256",
  "HS256\u0000",
  "",
  null,
  1,
  true,
  ["HS256"],
  { alg: "HS256" },
];
const enc = new TextEncoder();

// mulberry32: small, fast, and seedable, so that a failure can be replayed with --seed.
let state = SEED;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(random() * n);
const pick = (list) => list[int(list.length)];
const chance = (p) => random() < p;

function b64(bytes) {
  return Buffer.from(bytes).toString("base64url");
}
function b64json(value) {
  return b64(enc.encode(JSON.stringify(value)));
}
function unb64(segment) {
  return new Uint8Array(Buffer.from(segment, "base64url"));
}

function randomJson(depth = 0) {
  switch (int(depth > 2 ? 4 : 7)) {
    case 0:
      return null;
    case 1:
      return chance(0.5);
    case 2:
      return pick([0, -1, 2 ** 53, -(2 ** 60), 1e308, 5e-324, NOW_S, NOW_S + 3600, random() * 1e9]);
    case 3:
      return randomText(int(12));
    case 4:
    case 5: {
      const object = {};
      for (let i = int(5); i > 0; i--) object[pick(KEYS)] = randomJson(depth + 1);
      return object;
    }
    default:
      return Array.from({ length: int(4) }, () => randomJson(depth + 1));
  }
}
const KEYS = [
  "sub",
  "exp",
  "nbf",
  "iat",
  "iss",
  "aud",
  "jti",
  "type",
  "alg",
  "typ",
  "kid",
  "crit",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "a",
  "ü",
  "🔑",
  "",
];

function randomText(length) {
  let text = "";
  for (let i = 0; i < length; i++) text += randomChar();
  return text;
}
function randomChar() {
  const r = random();
  if (r < 0.6) return ALPHABET[int(64)];
  if (r < 0.8) return pick([".", "=", "+", "/", " ", "\n", "\t", "\0", '"', "{", "}", "\\"]);
  if (r < 0.95) return String.fromCharCode(int(0x80));
  return String.fromCharCode(int(0x10000));
}

// --- the corpus: valid tokens, and tokens signed with other keys ---

async function corpus() {
  const valid = [];
  for (let i = 0; i < 64; i++) {
    const payload = {
      sub: `user-${i}`,
      exp: NOW_S + 3600 + i,
      ...(i % 2 ? { aud: ["a", "b"], iss: "fuzz", role: "admin" } : {}),
      ...(i % 3 ? { nested: { list: [1, "ü", null, { deep: true }] } } : {}),
      ...(i % 5 ? {} : { type: i % 2 ? "ATK" : "RTK", jti: randomText(22) }),
    };
    valid.push(await sign(payload, KEY, { now: NOW, keyId: i % 4 ? undefined : `k${i}` }));
  }
  const foreign = [];
  for (const key of OTHER_KEYS) {
    for (const token of valid.slice(0, 16)) {
      const [h, p] = token.split(".");
      foreign.push(`${h}.${p}.${await mac(key, `${h}.${p}`)}`);
    }
  }
  return { valid, validSet: new Set(valid), foreign };
}

const macKeys = new Map();
async function mac(secret, input) {
  let key = macKeys.get(secret);
  if (!key) {
    key = await crypto.subtle.importKey(
      "raw",
      enc.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    macKeys.set(secret, key);
  }
  return b64(new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(input))));
}

// --- mutations: each returns a string (or, rarely, a non-string) to feed to verify ---

const textMutations = [
  function replaceChar(t) {
    const i = int(t.length);
    return t.slice(0, i) + randomChar() + t.slice(i + 1);
  },
  function insertChar(t) {
    const i = int(t.length + 1);
    return t.slice(0, i) + randomChar() + t.slice(i);
  },
  function deleteChar(t) {
    const i = int(t.length);
    return t.slice(0, i) + t.slice(i + 1);
  },
  function truncate(t) {
    return chance(0.5) ? t.slice(0, int(t.length)) : t.slice(1 + int(t.length));
  },
  function flipCase(t) {
    const i = int(t.length);
    const c = t[i] ?? "";
    const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
    return t.slice(0, i) + flipped + t.slice(i + 1);
  },
  function padding(t) {
    const parts = t.split(".");
    const i = int(parts.length);
    parts[i] += "=".repeat(1 + int(2));
    return parts.join(".");
  },
  function segments(t, ctx) {
    const parts = t.split(".");
    const other = pick(ctx.all).split(".");
    switch (int(5)) {
      case 0:
        parts.splice(int(parts.length + 1), 0, pick(other) ?? "");
        break;
      case 1:
        parts.splice(int(parts.length), 1);
        break;
      case 2:
        parts[int(parts.length)] = pick(other) ?? "";
        break;
      case 3:
        parts.reverse();
        break;
      default:
        parts[int(parts.length)] = "";
    }
    return parts.join(".");
  },
  function trailingBits(t) {
    // The last signature character of 43 holds 2 unused bits (RFC 4648 section 3.5).
    const last = ALPHABET.indexOf(t.at(-1));
    if (last < 0) return t;
    return t.slice(0, -1) + ALPHABET[last ^ (1 + int(3))];
  },
];

const structuredMutations = [
  function byteFlip(t) {
    // Change the decoded bytes of a segment and re-encode canonically, so that the
    // token gets past base64url and tests the JSON, the header and the signature.
    const parts = t.split(".");
    const i = int(3);
    const bytes = unb64(parts[i] ?? "");
    if (bytes.length === 0) return t;
    const at = int(bytes.length);
    bytes[at] = chance(0.5) ? bytes[at] ^ (1 << int(8)) : int(256);
    parts[i] = b64(bytes);
    return parts.join(".");
  },
  function headerRewrite(t, ctx) {
    const [h, p, s] = t.split(".");
    const header = safeParse(h) ?? {};
    switch (int(5)) {
      case 0:
        header.alg = pick(ALGS);
        break;
      case 1:
        header.crit = pick([["exp"], [], ["b64"], "x"]);
        break;
      case 2:
        delete header.alg;
        break;
      case 3:
        header.kid = randomText(int(10));
        break;
      default:
        header[pick(KEYS)] = randomJson();
    }
    const h2 = b64json(header);
    // alg "none" tokens usually come with an empty signature.
    return `${h2}.${p}.${pick([s, "", ctx.foreignSig()])}`;
  },
  function payloadRewrite(t) {
    const [h, p, s] = t.split(".");
    const payload = safeParse(p) ?? {};
    payload[pick(KEYS)] = randomJson();
    if (chance(0.3)) payload.exp = NOW_S + 10 ** int(9);
    return `${h}.${b64json(payload)}.${s}`;
  },
  function randomToken() {
    const header = chance(0.7)
      ? { alg: chance(0.8) ? "HS256" : pick(ALGS), typ: "JWT" }
      : randomJson();
    const sig = new Uint8Array(pick([0, 1, 31, 32, 33, 64, int(80)]));
    for (let i = 0; i < sig.length; i++) sig[i] = int(256);
    return `${b64json(header)}.${b64json(randomJson())}.${b64(sig)}`;
  },
  function garbage() {
    const length = pick([0, 1, 2, 3, 10, 100, 1000, 8192, 8193, 20000]);
    return chance(0.5) ? randomText(length) : "A".repeat(length);
  },
  function notAString() {
    return pick([undefined, null, 0, NaN, {}, [], ["a.b.c"], new String("a.b.c"), 1n, Symbol("t")]);
  },
];

function safeParse(segment) {
  try {
    const value = JSON.parse(Buffer.from(segment ?? "", "base64url").toString());
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function generate(ctx) {
  if (chance(0.001)) return { input: pick(ctx.valid), control: true };
  let input = pick(chance(0.8) ? ctx.valid : ctx.foreign);
  const steps = 1 + (chance(0.3) ? int(3) : 0);
  for (let i = 0; i < steps && typeof input === "string"; i++) {
    const fn = chance(0.6) ? pick(textMutations) : pick(structuredMutations);
    input = fn(input, ctx);
  }
  return { input, control: false };
}

// --- the run ---

const failures = [];
const counts = { total: 0, accepted: 0, controls: 0, byCode: {} };

function fail(kind, input, error) {
  if (failures.length < 20) {
    failures.push({
      kind,
      input: typeof input === "string" ? input.slice(0, 300) : String(input),
      error: String(error),
    });
  }
}

async function check({ input, control }, ctx) {
  counts.total++;
  try {
    await verify(input, KEY, { now: NOW });
    counts.accepted++;
    if (control) counts.controls++;
    else if (!ctx.validSet.has(input)) fail("ACCEPTED a token not signed with the key", input, "");
  } catch (error) {
    if (!(error instanceof JwtError)) fail("verify threw a non-JwtError", input, error);
    else {
      counts.byCode[error.code] = (counts.byCode[error.code] ?? 0) + 1;
      if (control) fail("refused a valid control token", input, error);
    }
  }
  try {
    decodeUnverified(input);
  } catch (error) {
    if (!(error instanceof JwtError)) fail("decodeUnverified threw a non-JwtError", input, error);
  }
}

/** Runs COUNT checks in this thread, stopping at the first failure or at `deadline`. */
async function fuzz(deadline) {
  const { valid, validSet, foreign } = await corpus();
  const ctx = {
    valid,
    validSet,
    foreign,
    all: [...valid, ...foreign],
    foreignSig: () => pick(foreign).split(".")[2],
  };
  let issued = 0;
  let timedOut = false;
  async function lane() {
    while (issued < COUNT && failures.length === 0) {
      if ((issued & 1023) === 0 && Date.now() > deadline) {
        timedOut = true;
        return;
      }
      issued++;
      await check(generate(ctx), ctx);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return { counts, failures, timedOut };
}

function runWorker(index, count, deadline) {
  return new Promise((resolve, reject) => {
    const data = {
      count,
      seed: (SEED + index * 0x9e3779b9) >>> 0,
      concurrency: CONCURRENCY,
      deadline,
    };
    const worker = new Worker(new URL(import.meta.url), { workerData: data });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

async function main() {
  const start = performance.now();
  const deadline = Date.now() + BUDGET_SECONDS * 1000;
  const shares = Array.from(
    { length: WORKERS },
    (_, i) => Math.floor(COUNT / WORKERS) + (i < COUNT % WORKERS ? 1 : 0),
  );
  const results = await Promise.all(shares.map((share, i) => runWorker(i, share, deadline)));
  const seconds = (performance.now() - start) / 1000;
  const total = { total: 0, accepted: 0, controls: 0, byCode: {} };
  const allFailures = results.flatMap((r) => r.failures);
  for (const { counts: c } of results) {
    total.total += c.total;
    total.accepted += c.accepted;
    total.controls += c.controls;
    for (const [code, n] of Object.entries(c.byCode))
      total.byCode[code] = (total.byCode[code] ?? 0) + n;
  }
  const rate = Math.round(total.total / seconds);
  console.log(
    `fuzz: ${total.total} tokens in ${seconds.toFixed(1)} s (${rate}/s; ${WORKERS} workers x ${CONCURRENCY} in flight; seed ${SEED})`,
  );
  console.log(
    `fuzz: accepted ${total.accepted} (${total.controls} unchanged controls; the rest mutations that changed nothing)`,
  );
  console.log(`fuzz: refused by code ${JSON.stringify(total.byCode)}`);
  if (allFailures.length > 0) {
    console.error(`fuzz: FAILED, replay with --seed=${SEED} --workers=${WORKERS}`);
    for (const failure of allFailures) console.error(failure);
    process.exit(1);
  }
  if (results.some((r) => r.timedOut) || total.total < COUNT) {
    console.error(
      `fuzz: FAILED, ${total.total} of ${COUNT} tokens within the ${BUDGET_SECONDS} s budget`,
    );
    process.exit(1);
  }
}

function parseArgs(argv) {
  const out = {};
  for (const arg of argv) {
    const match = /^--(seconds|seed|concurrency|workers)=(\d+)$/.exec(arg);
    if (match) out[match[1]] = Number(match[2]);
    else if (/^\d+$/.test(arg)) out.count = Number(arg);
    else {
      console.error(`fuzz: unknown argument ${arg}`);
      process.exit(2);
    }
  }
  return out;
}

if (isMainThread) await main();
else parentPort.postMessage(await fuzz(workerData.deadline));
