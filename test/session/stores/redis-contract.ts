// The behaviour of the previous store interface, which redisStore still implements.
import { beforeEach, describe, expect, it } from "vitest";
import type {
  RefreshRecord,
  RedisRefreshStore as RefreshStore,
} from "../../../src/session/stores/redis.js";

const HOUR = 3600;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const unique = (name: string) => `${name}-${crypto.randomUUID()}`;
const sleepUntil = (ms: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - Date.now())));

function record(overrides: Partial<RefreshRecord> = {}): RefreshRecord {
  return {
    jti: unique("jti"),
    family: unique("family"),
    sub: unique("sub"),
    exp: nowSeconds() + HOUR,
    ...overrides,
  };
}

export function describeLegacyStoreContract(
  name: string,
  makeStore: () => Promise<RefreshStore> | RefreshStore,
): void {
  describe(`${name}: RefreshStore contract`, () => {
    let store: RefreshStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    describe("rotation", () => {
      it("sees an added token as active until it is consumed, then as used", async () => {
        const token = record();
        await store.add(token);
        expect(await store.state(token)).toBe("active");
        expect(await store.state(token)).toBe("active");
        expect(await store.consume(token)).toBe("active");
        expect(await store.state(token)).toBe("used");
        expect(await store.consume(token)).toBe("used");
      });

      it("sees a token it never stored as used", async () => {
        const token = record();
        expect(await store.state(token)).toBe("used");
        expect(await store.consume(token)).toBe("used");
        await store.add(token);
        expect(await store.state(token)).toBe("active");
      });

      it("consumes one token without touching the others of its family", async () => {
        const first = record();
        const second = record({ family: first.family, sub: first.sub });
        await store.add(first);
        await store.add(second);
        expect(await store.consume(first)).toBe("active");
        expect(await store.state(second)).toBe("active");
      });

      it("does not hand out a token to a record of another family", async () => {
        const token = record();
        await store.add(token);
        const forged = { ...token, family: unique("family") };
        expect(await store.state(forged)).toBe("used");
        expect(await store.consume(forged)).toBe("used");
        expect(await store.consume(token)).toBe("active");
      });

      it("lets exactly one of 50 concurrent consumes see the token active", async () => {
        const token = record();
        await store.add(token);
        const states = await Promise.all(Array.from({ length: 50 }, () => store.consume(token)));
        expect(states.filter((state) => state === "active")).toHaveLength(1);
        expect(states.filter((state) => state === "used")).toHaveLength(49);
      });
    });

    describe("revokeFamily", () => {
      it("revokes every token of the family, active or used, and no other family", async () => {
        const used = record();
        const active = record({ family: used.family, sub: used.sub });
        const otherFamily = record({ sub: used.sub });
        for (const token of [used, active, otherFamily]) await store.add(token);
        await store.consume(used);

        await store.revokeFamily(used.family, nowSeconds() + HOUR);

        expect(await store.state(used)).toBe("revoked");
        expect(await store.state(active)).toBe("revoked");
        expect(await store.consume(active)).toBe("revoked");
        expect(await store.consume(active)).toBe("revoked");
        expect(await store.state(otherFamily)).toBe("active");
      });

      it("revokes a token added to the family after the revocation", async () => {
        const token = record();
        await store.revokeFamily(token.family, nowSeconds() + HOUR);
        await store.add(token);
        expect(await store.state(token)).toBe("revoked");
        expect(await store.consume(token)).toBe("revoked");
      });
    });

    describe("revokeSubject", () => {
      it("revokes every family of the subject and none of another subject", async () => {
        const sub = unique("alice");
        const firstLogin = record({ sub });
        const rotated = record({ sub, family: firstLogin.family });
        const secondLogin = record({ sub });
        const otherSubject = record();
        for (const token of [firstLogin, rotated, secondLogin, otherSubject])
          await store.add(token);
        await store.consume(firstLogin);

        await store.revokeSubject(sub);

        expect(await store.state(firstLogin)).toBe("revoked");
        expect(await store.state(rotated)).toBe("revoked");
        expect(await store.consume(secondLogin)).toBe("revoked");
        expect(await store.state(otherSubject)).toBe("active");
      });

      it("leaves a login made after it active", async () => {
        const sub = unique("alice");
        await store.add(record({ sub }));
        await store.revokeSubject(sub);
        const later = record({ sub });
        await store.add(later);
        expect(await store.state(later)).toBe("active");
      });

      it("does nothing for a subject it does not know", async () => {
        const token = record();
        await store.add(token);
        await expect(store.revokeSubject(unique("nobody"))).resolves.toBeUndefined();
        expect(await store.state(token)).toBe("active");
      });
    });

    describe("access deny list", () => {
      it("denies exactly the listed access tokens", async () => {
        const denied = unique("atk");
        const allowed = unique("atk");
        expect(await store.isAccessDenied(denied)).toBe(false);
        await store.denyAccess(denied, nowSeconds() + HOUR);
        expect(await store.isAccessDenied(denied)).toBe(true);
        expect(await store.isAccessDenied(allowed)).toBe(false);
      });
    });

    it("forgets tokens, revocations and denials once they expire", async () => {
      const exp = nowSeconds() + 2;
      const token = record({ exp });
      const revoked = record({ exp });
      const atk = unique("atk");
      await store.add(token);
      await store.add(revoked);
      await store.revokeFamily(revoked.family, exp);
      await store.denyAccess(atk, exp);
      expect(await store.state(token)).toBe("active");
      expect(await store.state(revoked)).toBe("revoked");
      expect(await store.isAccessDenied(atk)).toBe(true);

      await sleepUntil(exp * 1000 + 100);

      expect(await store.state(token)).toBe("used");
      expect(await store.consume(token)).toBe("used");
      expect(await store.isAccessDenied(atk)).toBe(false);
      const sameFamilyLater = record({ family: revoked.family, sub: revoked.sub });
      await store.add(sameFamilyLater);
      expect(await store.state(sameFamilyLater)).toBe("active");
    });

    describe("argument checks", () => {
      const good = () => record();
      const badRecords: [string, unknown][] = [
        ["null", null],
        ["a string", "jti"],
        ["a numeric jti", { ...good(), jti: 1 }],
        ["a missing family", { ...good(), family: undefined }],
        ["a null sub", { ...good(), sub: null }],
        ["a string exp", { ...good(), exp: "2000000000" }],
        ["a NaN exp", { ...good(), exp: Number.NaN }],
        ["an infinite exp", { ...good(), exp: Number.POSITIVE_INFINITY }],
      ];
      for (const method of ["add", "consume", "state"] as const) {
        it.each(badRecords)(`${method} refuses %s with a TypeError`, async (_, bad) => {
          await expect(store[method](bad as RefreshRecord)).rejects.toThrow(TypeError);
        });
      }

      const badCalls: [string, (store: RefreshStore) => Promise<unknown>][] = [
        ["revokeFamily with a numeric family", (s) => s.revokeFamily(1 as never, nowSeconds())],
        ["revokeFamily with a NaN until", (s) => s.revokeFamily("f", Number.NaN)],
        ["revokeFamily with a string until", (s) => s.revokeFamily("f", "1" as never)],
        ["revokeSubject with no subject", (s) => s.revokeSubject(undefined as never)],
        ["denyAccess with an object jti", (s) => s.denyAccess({} as never, nowSeconds())],
        ["denyAccess with an infinite exp", (s) => s.denyAccess("j", Number.NEGATIVE_INFINITY)],
        ["isAccessDenied with a numeric jti", (s) => s.isAccessDenied(1 as never)],
      ];
      it.each(badCalls)("refuses %s with a TypeError", async (_, call) => {
        await expect(call(store)).rejects.toThrow(TypeError);
      });
    });
  });
}
