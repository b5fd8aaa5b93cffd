// When the Web Crypto backend makes its bursts depends on the runtime it finds
// when it is loaded: each test here loads the module again under other globals.
// (Kept apart from hmac.test.ts, and out of the mutation runs: a module loaded
// inside a test would count all its load-time code as covered by that test
// alone, and Stryker would then try its mutants against that test only.)
import { afterEach, describe, expect, it, vi } from "vitest";
import { hmacKey, madeBySecondTask } from "../support/bursts.js";
import { SECRET } from "../support/fixtures.js";

async function freshBackend() {
  vi.resetModules();
  return (await import("../../src/jwt/hmac.js")).webCryptoHmac;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  vi.resetModules();
});

describe("when webCryptoHmac makes its bursts", () => {
  // In Workers a timer belongs to the request that set it: a burst of two
  // requests' calls would hang the second (test:runtimes runs it in workerd).
  it("keeps to the microtasks of one task in Workers", async () => {
    vi.stubGlobal("navigator", { userAgent: "Cloudflare-Workers" });
    expect(await madeBySecondTask(await freshBackend(), await hmacKey(SECRET))).toBe(1);
  });

  it.each(["Node.js/22", "Bun/1.4.5", "Deno/2.9.6"])(
    "gathers the tasks of one turn where navigator.userAgent is %s",
    async (userAgent) => {
      vi.stubGlobal("navigator", { userAgent });
      expect(await madeBySecondTask(await freshBackend(), await hmacKey(SECRET))).toBe(0);
    },
  );

  // Only a runtime it knows by name: a browser's agent may mention anything.
  it.each([{}, { userAgent: "Mozilla/5.0 (compatible; Node.js/22)" }])(
    "keeps to one task under another navigator: %o",
    async (navigator) => {
      vi.stubGlobal("navigator", navigator);
      expect(await madeBySecondTask(await freshBackend(), await hmacKey(SECRET))).toBe(1);
    },
  );

  // As with Jest's fake timers enabled for every test file: they are in place
  // before the library is imported, and nothing advances them.
  it("passes over fake timers installed before it was loaded", async () => {
    vi.useFakeTimers({ toFake: ["setImmediate", "queueMicrotask", "setTimeout"] });
    vi.resetModules();
    const fresh = await import("../../src/jwt/jwt.js");
    const token = await fresh.sign({ sub: "a" }, SECRET, { expiresIn: 60, now: new Date(0) });
    await expect(fresh.verify(token, SECRET, { now: new Date(0) })).resolves.toMatchObject({
      payload: { sub: "a" },
    });
  });
});
