// Headless Chromium: a page from a local server on 127.0.0.1 imports the ESM
// build and the conformance script as a browser would, with no bundler.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const root = new URL("../../", import.meta.url);
// Only these files are served: the page, the build and the script.
const files = {
  "/": ["text/html", "<!doctype html><title>hs256 conformance</title>"],
  "/dist/index.js": ["text/javascript", new URL("dist/index.js", root)],
  "/test/runtimes/conformance.mjs": [
    "text/javascript",
    new URL("test/runtimes/conformance.mjs", root),
  ],
};
const server = createServer((request, response) => {
  const file = files[new URL(request.url, "http://127.0.0.1").pathname];
  if (!file) return response.writeHead(404).end();
  const [type, body] = file;
  response.writeHead(200, { "content-type": type });
  response.end(typeof body === "string" ? body : readFileSync(body));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const profile = mkdtempSync(join(tmpdir(), "hs256-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
  timeout: 60_000,
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${origin}/`);
  const results = await page.evaluate(async () => {
    const lib = await import("/dist/index.js");
    const { conformance } = await import("/test/runtimes/conformance.mjs");
    return conformance(lib);
  });
  const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
  const line = { runtime: `chromium ${version}`, entry: "esm", results };
  console.log(`CONFORMANCE ${JSON.stringify(line)}`);
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
