// node bench/own-work.mjs [--write] (after npm run build; needs valgrind:
// apt-get install valgrind): the library's own work per sign and per verify,
// in machine instructions, with an HMAC backend that does nothing. Instructions
// counted by cachegrind hardly move with the load of a shared machine, where
// time does (by 10% or more between two runs of the same build): this is the
// measure to compare two builds by, for the code around the HMAC.
//
// Each case runs twice in a child process under cachegrind, N and 5N calls,
// with `node --single-threaded` so that compiler and collector threads do the
// same work in both; the difference over 4N calls is the cost of one call,
// start-up and warm-up cancelled out. BENCH_DIST names another build.
import { execFileSync, spawnSync } from "node:child_process";
import { machine, table, writeSection } from "./report.mjs";

const N = Number(process.env.BENCH_CALLS ?? 20000);
const DIST = new URL(process.env.BENCH_DIST ?? "../dist/", import.meta.url);
const CASES = {
  "sign, expiresIn option": "sign",
  "sign, every claim in the payload": "sign-claims",
  verify: "verify",
};

if (process.argv[2] === "--child") {
  await child(process.argv[3], Number(process.argv[4]));
} else {
  parent();
}

function parent() {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
  } catch {
    console.error("valgrind is not installed: apt-get install valgrind");
    process.exit(1);
  }
  const rows = Object.entries(CASES).map(([label, name]) => {
    const perCall = (instructions(name, 5 * N) - instructions(name, N)) / (4 * N);
    return [label, Math.round(perCall).toLocaleString("en-US")];
  });
  const body = [
    "## The library's own work, in instructions",
    "",
    `${machine()} \`node bench/own-work.mjs --write\`: each call with an HMAC backend that`,
    "does nothing, so that only the library's code counts (form checks, base64url, JSON,",
    "claims, the key cache); instructions per call counted by cachegrind, the difference",
    `of ${N.toLocaleString("en-US")} and ${(5 * N).toLocaleString("en-US")} calls over the extra ones. The token and secret are`,
    "those of the sign and verify benchmark.",
    "",
    table(["case", "instructions per call"], rows),
  ].join("\n");
  console.log(body);
  if (process.argv.includes("--write")) {
    writeSection("own-work", body);
    console.log("wrote docs/benchmarks.md");
  }
}

/** Instructions that a child process making `calls` calls of case `name` ran, in all. */
function instructions(name, calls) {
  const script = new URL(import.meta.url).pathname;
  const args = ["--single-threaded", script, "--child", name, String(calls)];
  const { status, stderr } = spawnSync(
    "valgrind",
    [
      "--tool=cachegrind",
      "--cache-sim=no",
      "--cachegrind-out-file=/dev/null",
      process.execPath,
      ...args,
    ],
    { encoding: "utf8" },
  );
  // cachegrind's summary, on stderr: "==1234== I   refs:      1,741,892,047"
  const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (status !== 0 || !refs)
    throw new Error(`cachegrind failed for ${name}:\n${stderr.slice(-2000)}`);
  return Number(refs[1].replaceAll(",", ""));
}

async function child(name, calls) {
  const { sign, verify } = await import(new URL("index.js", DIST).href);
  const secret = new TextEncoder().encode("a-benchmark-secret-of-32-bytes!!");
  const now = new Date("2026-01-01T00:00:00Z");
  const iat = Math.floor(now.getTime() / 1000);
  const claims = { sub: "user-1234567890", type: "ATK", iss: "https://auth.example.com" };
  const complete = { ...claims, iat, exp: iat + 900 };
  const mac = new Uint8Array(32);
  const nothing = { importKey: (key) => key, sign: () => mac, verify: () => true };
  const token = await sign(claims, secret, { expiresIn: 900, hmac: nothing, now });
  const cases = {
    sign: () => sign(claims, secret, { expiresIn: "15m", hmac: nothing, now }),
    "sign-claims": () => sign(complete, secret, { hmac: nothing }),
    verify: () => verify(token, secret, { hmac: nothing, now }),
  };
  const call = cases[name];
  for (let i = 0; i < calls; i++) await call();
}
