import { describe, expect, it } from "vitest";
import { memoryStore } from "../../../src/index.js";
import { describeStoreContract } from "./contract.js";

describe("memoryStore", () => {
  it("keeps its size bounded over a long run by sweeping expired families as it writes", async () => {
    let now = 1_000_000_000_000;
    const store = memoryStore({ now: () => now });
    let peak = 0;
    // 20 000 logins, each kept 60 s, one second apart: at most 60 are live at once.
    for (let i = 0; i < 20_000; i++) {
      const family = { sub: `u${i % 50}`, family: `f${i}`, jti: `j${i}` };
      await store.open({ ...family, keepUntil: now / 1000 + 60 });
      if (i % 3 === 0) await store.revokeFamily(family);
      peak = Math.max(peak, store.size);
      now += 1000;
    }
    // Without the sweep the store would hold all 20 000; it examines a few
    // families per write, so the expired ones wait at most one pass.
    expect(peak).toBeLessThan(200);
    expect(peak).toBeGreaterThanOrEqual(60);
  });

  it("does not grow from refused rotations: replays of a dead token write nothing", async () => {
    const store = memoryStore();
    const keepUntil = Date.now() / 1000 + 3600;
    const family = { sub: "u", family: "f", jti: "j0", keepUntil };
    await store.open(family);
    const next = (jti: string) => ({ jti, iat: 0, exp: keepUntil });
    await store.rotate({ ...family, next: next("j1"), grace: 0 });
    const sizeBefore = store.size;
    for (let i = 0; i < 10_000; i++) {
      const replay = await store.rotate({ ...family, next: next(`r${i}`), grace: 0 });
      expect(replay.outcome).toBe(i === 0 ? "reused" : "revoked");
      await store.rotate({
        sub: "u",
        family: `unknown${i}`,
        jti: "j",
        next: next(`u${i}`),
        grace: 0,
        keepUntil,
      });
    }
    expect(store.size).toBe(sizeBefore);
  });

  it("treats a family past its keepUntil as gone even before the sweep reaches it", async () => {
    let now = 1_000_000_000_000;
    const store = memoryStore({ now: () => now });
    const family = { sub: "u", family: "f", jti: "j", keepUntil: now / 1000 + 10 };
    await store.open(family);
    expect(await store.state(family)).toBe("active");
    now += 10_000;
    expect(await store.state(family)).toBe("unknown");
    expect(await store.accessState({ ...family, jti: "a", exp: now / 1000 })).toBe("revoked");
  });

  it("keeps a denied access token's family at least until the token expires", async () => {
    let now = 1_000_000_000_000;
    const store = memoryStore({ now: () => now });
    const family = { sub: "u", family: "f", jti: "j", keepUntil: now / 1000 + 10 };
    await store.open(family);
    const atk = { ...family, jti: "a", exp: now / 1000 + 20 };
    await store.denyAccess(atk);
    now += 15_000;
    expect(await store.state(family)).toBe("active");
    expect(await store.accessState(atk)).toBe("revoked");
  });

  it("does not revive a revoked family when its id is opened again", async () => {
    const store = memoryStore();
    const family = { sub: "u", family: "f", jti: "j", keepUntil: Date.now() / 1000 + 60 };
    await store.open(family);
    await store.revokeFamily(family);
    await store.open({ ...family, jti: "k" });
    expect(await store.state({ ...family, jti: "k" })).toBe("revoked");
  });
});

describeStoreContract("memoryStore", () => memoryStore());
