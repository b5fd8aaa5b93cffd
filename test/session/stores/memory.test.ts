import { describe, expect, it } from "vitest";
import { memoryStore } from "../../../src/index.js";
import { describeStoreContract } from "./contract.js";

describe("memoryStore", () => {
  it("keeps its size bounded over a long run by dropping expired entries", async () => {
    let now = 1_000_000_000_000;
    const store = memoryStore({ now: () => now });
    let peak = 0;
    // 20 000 logins, each living 60 s, one second apart: at most 60 are live at once.
    for (let i = 0; i < 20_000; i++) {
      const exp = now / 1000 + 60;
      await store.add({ jti: `j${i}`, family: `f${i}`, sub: `u${i % 50}`, exp });
      if (i % 3 === 0) await store.revokeFamily(`f${i}`, exp);
      if (i % 5 === 0) await store.denyAccess(`a${i}`, exp);
      peak = Math.max(peak, store.size);
      now += 1000;
    }
    // About 150 entries are live at any time (token, family, some revocations and
    // denials); without sweeping the store would pass 50 000. A sweep comes after
    // 256 + live writes, so the peak stays a small multiple of the live count.
    expect(peak).toBeLessThan(1200);
    expect(store.size).toBeLessThan(1200);
    expect(peak).toBeGreaterThan(150);
  });

  it("treats an entry past its expiry as gone even before a sweep", async () => {
    let now = 1_000_000_000_000;
    const store = memoryStore({ now: () => now });
    const record = { jti: "j", family: "f", sub: "u", exp: now / 1000 + 10 };
    await store.add(record);
    await store.denyAccess("a", now / 1000 + 10);
    expect(await store.state(record)).toBe("active");
    expect(await store.isAccessDenied("a")).toBe(true);
    now += 10_000;
    expect(await store.state(record)).toBe("used");
    expect(await store.isAccessDenied("a")).toBe(false);
  });
});

describeStoreContract("memoryStore", () => memoryStore());
