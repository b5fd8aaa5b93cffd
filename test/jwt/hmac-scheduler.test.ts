// The Web Crypto backend picks how it schedules its bursts once, when it is
// loaded (pickScheduler, tested in hmac.test.ts): this loads it again with fake
// timers already in place, as Jest's fake timers enabled for every test file
// are. (Kept apart from hmac.test.ts, and out of the mutation runs: a module
// loaded inside a test would count all its load-time code as covered by that
// test alone, and Stryker would then try its mutants against that test only.)
import { afterEach, expect, it, vi } from "vitest";
import { SECRET } from "../support/fixtures.js";

afterEach(() => {
  vi.useRealTimers();
  vi.resetModules();
});

it("passes over fake timers installed before it was loaded, which nothing advances", async () => {
  vi.useFakeTimers({ toFake: ["setImmediate", "queueMicrotask", "setTimeout"] });
  vi.resetModules();
  const fresh = await import("../../src/jwt/jwt.js");
  const token = await fresh.sign({ sub: "a" }, SECRET, { expiresIn: 60, now: new Date(0) });
  await expect(fresh.verify(token, SECRET, { now: new Date(0) })).resolves.toMatchObject({
    payload: { sub: "a" },
  });
});
