// Shared by the benchmark scripts: each one rewrites its own section of
// docs/benchmarks.md, between markers, and leaves the others as they were.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

export const DOC = new URL("../docs/benchmarks.md", import.meta.url);

const TEMPLATE = `# Benchmarks

Measured by \`npm run bench\`, \`npm run bench:http\` (needs \`wrk\`: \`apt-get install wrk\`)
and \`npm run size -- --write\`; each rewrites its own section below, with the machine
it ran on. Figures from a shared or busy machine move from run to run: compare the
ratios, which come from cases interleaved in the same run, rather than the absolute numbers.

Where the time goes on Node: \`crypto.subtle.sign\` and \`verify\` hand each call to the
thread pool, and that hand-off costs more CPU than the HMAC of a token. This library
spends little around that call (the header segment it writes is recognised without
decoding, keys are imported once, the signing input and the signature share one
reused buffer, and the payload is parsed once, after the signature), so it stays close
to bare Web Crypto. Two opt-ins go further: \`nodeHmac()\` from \`hs256/node\`
computes the HMAC on the calling thread with node:crypto, and \`createVerifier\` with
\`cache: { max }\` (or \`createTokens({ cache })\`) skips the HMAC for a token it has
verified before.

<!-- micro:start -->
<!-- micro:end -->

<!-- http:start -->
<!-- http:end -->

<!-- size:start -->
<!-- size:end -->
`;

/** Replaces the section `name` of docs/benchmarks.md with `body`. */
export function writeSection(name, body) {
  mkdirSync(new URL(".", DOC), { recursive: true });
  let doc = existsSync(DOC) ? readFileSync(DOC, "utf8") : TEMPLATE;
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  if (!doc.includes(start)) doc += `\n${start}\n${end}\n`;
  const before = doc.slice(0, doc.indexOf(start) + start.length);
  const after = doc.slice(doc.indexOf(end));
  writeFileSync(DOC, `${before}\n${body.trim()}\n${after}`);
}

/** One line that says where a run was made, so that figures are read in context. */
export function machine() {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = loadavg()[0]?.toFixed(2);
  const date = new Date().toISOString().slice(0, 10);
  return `Node ${process.versions.node}, ${cpus().length} × ${cpu}, load average ${load} at the start, ${date}.`;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function shuffle(items) {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** 123456 → "123,456"; 1234.5 → "1,235". */
export function count(value) {
  return Math.round(value).toLocaleString("en-US");
}

export function ratio(value, base) {
  return base ? `${(value / base).toFixed(2)}×` : "–";
}

/** Markdown table from a header row and rows of cells, padded as the formatter pads it. */
export function table(header, rows) {
  const widths = header.map((h, i) =>
    Math.max(3, ...[h, ...rows.map((r) => r[i])].map((c) => c.length)),
  );
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function verdict(ok) {
  return ok ? "met" : "**missed**";
}

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux ABI that Node supports
const MAIN_THREAD_STAT = `/proc/self/task/${process.pid}/stat`;

/**
 * The main thread's own CPU time so far, in µs: utime + stime of
 * /proc/self/task/<pid>/stat, so that neither Web Crypto's thread pool nor the
 * rest of the machine counts. Unlike ops/s, it hardly moves on a busy machine.
 */
export function mainThreadMicros() {
  // Fields after the command name: utime and stime are the 12th and 13th.
  const fields = readFileSync(MAIN_THREAD_STAT, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
}

/**
 * A throwaway redis-server on a free port of 127.0.0.1 (no persistence), and a
 * client of it from `createClient` (node-redis's, passed in so that the other
 * benchmarks need not load it). `stop` kills the server; so does the exit.
 */
export async function localRedis(createClient) {
  const port = await freePort();
  const server = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  const stop = () => server.exitCode === null && server.kill("SIGKILL");
  process.on("exit", stop);
  for (let attempt = 0; ; attempt++) {
    const client = createClient({ socket: { host: "127.0.0.1", port, reconnectStrategy: false } });
    client.on("error", () => {});
    try {
      return { client: await client.connect(), stop };
    } catch (error) {
      if (attempt >= 50 || server.exitCode !== null) {
        stop();
        throw error;
      }
      await sleep(100);
    }
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

/**
 * Runs every worker in a loop, each call after its last, for `ms`: how many
 * calls were made in all, and in how long.
 */
export async function runWorkers(workers, ms) {
  let calls = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    workers.map(async (work) => {
      while (performance.now() < end) {
        await work();
        calls++;
      }
    }),
  );
  return { calls, ms: performance.now() - start };
}
