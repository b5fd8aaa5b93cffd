// The node:http example's page in headless Chromium: the access token in memory,
// the refresh token in the HttpOnly cookie, two tabs refreshing at once.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuthServer } from "../../examples/node-http/server.js";
import { memoryStore } from "../../src/index.js";
import { exampleUsers, PASSWORD } from "./flow.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = "reports/browser";
// In CI a missing Chromium fails the run instead of skipping the test.
const hasChromium = existsSync(CHROMIUM) || Boolean(process.env.CI);

declare global {
  interface Window {
    ready: Promise<number>;
    login(id: string, password: string): Promise<number>;
    refresh(): Promise<number>;
    me(): Promise<number>;
    logout(): Promise<number>;
  }
}

describe.runIf(hasChromium)("examples/node-http in Chromium", () => {
  let server: ReturnType<typeof createAuthServer>;
  let context: BrowserContext;
  let profile: string;
  let origin: string;

  beforeAll(async () => {
    server = createAuthServer({
      secret: "browser-example-secret-0123456789abcdef",
      store: memoryStore(),
      users: await exampleUsers(),
      reuseGrace: "10s",
      checkRevoked: true,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    profile = mkdtempSync(join(tmpdir(), "hs256-chromium-"));
    mkdirSync(SHOTS, { recursive: true });
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
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
      timeout: 30_000,
    });
    context.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  const open = async (page: Page) => {
    await page.goto(`${origin}/`);
    return page.evaluate(() => window.ready);
  };
  const status = (page: Page) => page.locator("#status").textContent();
  const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/${name}.png` });

  it("keeps both tabs logged in across a reload and a simultaneous refresh, and logs both out", async () => {
    const first = context.pages()[0] ?? (await context.newPage());
    // No cookie yet: the refresh on load fails and the page is logged out.
    expect(await open(first)).toBe(401);
    await shot(first, "1-start");

    await first.fill("input[name=id]", "alice");
    await first.fill("input[name=password]", PASSWORD);
    await first.click("form button");
    await expect.poll(() => status(first)).toBe("logged in");
    expect(await first.evaluate(() => window.me())).toBe(200);
    expect(await status(first)).toBe("user alice");
    await shot(first, "2-logged-in");

    // The reload drops the access token; the cookie brings a new one.
    expect(await open(first)).toBe(200);
    expect(await status(first)).toBe("refreshed");
    expect(await first.evaluate(() => window.me())).toBe(200);
    await shot(first, "3-reloaded");

    // A second tab shares the cookie; both refresh at once with the same refresh
    // token, and reuseGrace lets the second use through instead of revoking the family.
    const second = await context.newPage();
    expect(await open(second)).toBe(200);
    const both = await Promise.all(
      [first, second].map((tab) => tab.evaluate(() => window.refresh())),
    );
    expect(both).toEqual([200, 200]);
    for (const tab of [first, second]) expect(await tab.evaluate(() => window.me())).toBe(200);
    await shot(first, "4-tab-1-after-simultaneous-refresh");
    await shot(second, "4-tab-2-after-simultaneous-refresh");

    // Logging out in one tab ends the other's session too: its refresh fails and,
    // with checkRevoked, its access token no longer opens /me.
    expect(await first.evaluate(() => window.logout())).toBe(204);
    expect(await second.evaluate(() => window.me())).toBe(401);
    expect(await second.evaluate(() => window.refresh())).toBe(401);
    expect(await status(second)).toBe("logged out");
    expect(await first.evaluate(() => window.me())).toBe(401);
    await shot(first, "5-tab-1-logged-out");
    await shot(second, "5-tab-2-logged-out");
  }, 60_000);
});
