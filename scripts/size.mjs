// npm run size: what an app pays to bundle this library. esbuild bundles a tiny
// app (minified, tree-shaken) and we gzip it; the check fails when an app outgrows
// its limit. The limits sit a little above today's sizes, so that growth is a
// decision; the goals are where the size should go (3 KB for sign + verify, below
// hono/jwt's 3.05 KB with every check and message kept). (Limits raised by 0.75 KB
// when options came to be checked once at start-up, every JwtError to carry its
// HTTP status and challenge, and every segment's form to be checked before the
// signature; the login-flow app's by 0.25 KB when sign came to write its
// claims as JSON directly, Web Crypto calls to be gathered per turn of the
// event loop, and refresh to check new claims before it spends a token.)
// Peers are measured for comparison only.
// With --write, docs/benchmarks.md gets the table.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;

const apps = [
  {
    name: "hs256: sign + verify",
    code: 'import { sign, verify } from "./src/index.ts"; export { sign, verify };',
    limit: 4864,
    goal: 3072,
  },
  {
    name: "hs256: createTokens + memoryStore + sign + verify",
    code: 'import { createTokens, memoryStore, sign, verify } from "./src/index.ts"; export { createTokens, memoryStore, sign, verify };',
    limit: 8448,
  },
  {
    name: "hs256: everything",
    code: 'export * from "./src/index.ts";',
    limit: 13312,
    goal: 4096,
  },
  {
    name: "hs256/node: nodeHmac",
    code: 'export { nodeHmac } from "./src/node.ts";',
    limit: 512,
  },
  {
    name: "jose: SignJWT + jwtVerify",
    code: 'export { SignJWT, jwtVerify } from "jose";',
  },
  {
    name: "hono/jwt: sign + verify",
    code: 'export { sign, verify } from "hono/jwt";',
  },
  {
    name: "@tsndr/cloudflare-worker-jwt: sign + verify",
    code: 'import jwt from "@tsndr/cloudflare-worker-jwt"; export const { sign, verify } = jwt;',
  },
];

async function gzipSize(code) {
  const result = await build({
    stdin: { contents: code, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    external: ["node:*"],
    write: false,
    logLevel: "silent",
  });
  const bytes = result.outputFiles[0].contents;
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const rows = [];
let failed = false;
for (const app of apps) {
  const { min, gzip } = await gzipSize(app.code);
  const over = app.limit !== undefined && gzip > app.limit;
  failed ||= over;
  rows.push({ ...app, min, gzip, over });
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
const header = ["app", "minified", "min + gzip", "CI limit", "goal"];
const cells = rows.map((r) => [
  r.name,
  kb(r.min),
  kb(r.gzip),
  r.limit === undefined ? "–" : `${kb(r.limit)}${r.over ? " **over**" : ""}`,
  r.goal === undefined ? "–" : `${kb(r.goal)}${r.gzip > r.goal ? " **missed**" : " met"}`,
]);
const widths = header.map((h, i) => Math.max(3, h.length, ...cells.map((c) => c[i].length)));
const line = (c) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(" | ")} |`;
const text = [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
console.log(text);

if (process.argv.includes("--write")) {
  const { writeSection } = await import("../bench/report.mjs");
  writeSection(
    "size",
    `## Bundle size

An app that imports the named exports, bundled by esbuild (\`--bundle --minify\`, ESM, tree-shaken),
then gzip -9. \`npm run size\` fails when an app of this library outgrows its limit.

${text}`,
  );
}
if (failed) {
  console.error("bundle size over its limit");
  process.exit(1);
}
