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
    let now = 1_000_000_000_000;
    const store = memoryStore({ now: () => now });
    const family = { sub: "u", family: "f", jti: "j", keepUntil: now / 1000 + 60 };
    await store.open(family);
    await store.revokeFamily(family);
    await store.open({ ...family, jti: "k", keepUntil: now / 1000 + 120 });
    expect(await store.state({ ...family, jti: "k" })).toBe("revoked");
    // The revocation is kept as long as the later login asked: past the first
    // keepUntil, forgetting it would let the next open start it afresh.
    now += 90_000;
    await store.open({ ...family, jti: "l", keepUntil: now / 1000 + 60 });
    expect(await store.state({ ...family, jti: "l" })).toBe("revoked");
  });

  it("revokes every family of a subject, also after some of them expired", async () => {
    let now = 1_000_000_000_000;
    const store = memoryStore({ now: () => now });
    const short = (family: string) => ({ sub: "u", family, jti: "j", keepUntil: now / 1000 + 10 });
    const long = { sub: "u", family: "long", jti: "j", keepUntil: now / 1000 + 3600 };
    await store.open(short("first"));
    await store.open(short("second"));
    await store.open(long);
    now += 10_000;
    // One expired family is found gone and dropped, the other is not read yet.
    expect(await store.state(short("first"))).toBe("unknown");
    await store.revokeSubject("u");
    expect(await store.state(long)).toBe("revoked");
  });

  it("drops a family from its size once the sweep finds it at its keepUntil", async () => {
    let now = 1_000_000_000_000;
    const store = memoryStore({ now: () => now });
    await store.open({ sub: "u", family: "f", jti: "j", keepUntil: now / 1000 + 10 });
    now += 10_000;
    // Each write sweeps a few steps; 100 writes pass over every shard.
    for (let i = 0; i < 100 && store.size > 0; i++) {
      await store.revokeFamily({ sub: "u", family: `absent${i}` });
    }
    expect(store.size).toBe(0);
  });

  it("writes nothing when asked to deny an access token of a family it does not hold", async () => {
    const store = memoryStore();
    const token = { sub: "u", family: "f", jti: "a", exp: Date.now() / 1000 + 60 };
    await expect(store.denyAccess(token)).resolves.toBeUndefined();
    expect(store.size).toBe(0);
    expect(await store.accessState(token)).toBe("revoked");
  });

  it("names the argument it refuses", async () => {
    await expect(memoryStore().revokeSubject("")).rejects.toThrow(
      new TypeError("sub must be a non-empty string"),
    );
  });
});

describeStoreContract("memoryStore", () => memoryStore());
