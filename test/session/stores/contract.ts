// The behaviour every RefreshStore must have, run against each store by its
// own test file. Nothing here knows how a store keeps its data, nor fakes its
// clock: the grace is a real second, waited for with bounded sleeps.
import { beforeEach, describe, expect, it } from "vitest";
import type {
  AccessRef,
  NewFamily,
  RefreshStore,
  Rotation,
  Successor,
  TokenRef,
} from "../../../src/session/stores/store.js";

const HOUR = 3600;
/** The grace of the grace tests, in seconds: short, but far above a store's round trip. */
const GRACE = 1;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const unique = (name: string) => `${name}-${crypto.randomUUID()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function login(overrides: Partial<NewFamily> = {}): NewFamily {
  return {
    sub: unique("sub"),
    family: unique("family"),
    jti: unique("jti"),
    keepUntil: nowSeconds() + HOUR,
    ...overrides,
  };
}

function successor(): Successor {
  const iat = nowSeconds();
  return { jti: unique("jti"), iat, exp: iat + HOUR };
}

/** A rotation of `token` to a fresh successor. */
function rotation(token: TokenRef, grace = 0): Rotation {
  return { ...token, next: successor(), grace, keepUntil: nowSeconds() + HOUR };
}

/** The token that `rotation` made active. */
const nextOf = (r: Rotation): TokenRef => ({ sub: r.sub, family: r.family, jti: r.next.jti });

const access = (family: NewFamily, jti = unique("atk")): AccessRef => ({
  sub: family.sub,
  family: family.family,
  jti,
  exp: nowSeconds() + 900,
});

export function describeStoreContract(
  name: string,
  makeStore: () => Promise<RefreshStore> | RefreshStore,
): void {
  describe(`${name}: RefreshStore contract`, () => {
    let store: RefreshStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    /** Opens a family and returns it. */
    async function opened(overrides: Partial<NewFamily> = {}): Promise<NewFamily> {
      const family = login(overrides);
      await store.open(family);
      return family;
    }

    describe("open and state", () => {
      it("sees the first token of a new family as active, and its family's other tokens as used", async () => {
        const family = await opened();
        expect(await store.state(family)).toBe("active");
        expect(await store.state({ ...family, jti: unique("jti") })).toBe("used");
      });

      it("knows no family it never opened, nor a family under another subject", async () => {
        const family = await opened();
        expect(await store.state(login())).toBe("unknown");
        expect(await store.state({ ...family, sub: unique("sub") })).toBe("unknown");
        expect(await store.rotate(rotation({ ...family, sub: unique("sub") }))).toEqual({
          outcome: "unknown",
        });
        expect(await store.state(family)).toBe("active");
      });
    });

    describe("rotate", () => {
      it("rotates the active token: the successor becomes active, the presented one used", async () => {
        const family = await opened();
        const first = rotation(family);
        expect(await store.rotate(first)).toEqual({ outcome: "rotated" });
        expect(await store.state(nextOf(first))).toBe("active");
        expect(await store.state(family)).toBe("used");
        const second = rotation(nextOf(first));
        expect(await store.rotate(second)).toEqual({ outcome: "rotated" });
        expect(await store.state(nextOf(second))).toBe("active");
      });

      it("without a grace, revokes the family when a replaced token comes back", async () => {
        const family = await opened();
        const first = rotation(family);
        await store.rotate(first);
        expect(await store.rotate(rotation(family))).toEqual({ outcome: "reused" });
        expect(await store.state(nextOf(first))).toBe("revoked");
        expect(await store.rotate(rotation(nextOf(first)))).toEqual({ outcome: "revoked" });
      });

      it("revokes the family when a token of it that was never active is presented", async () => {
        const family = await opened();
        expect(await store.rotate(rotation({ ...family, jti: unique("jti") }, GRACE))).toEqual({
          outcome: "reused",
        });
        expect(await store.state(family)).toBe("revoked");
      });

      it("inside the grace, answers the recorded successor again and changes nothing", async () => {
        const family = await opened();
        const first = rotation(family, GRACE);
        expect(await store.rotate(first)).toEqual({ outcome: "rotated" });
        const retry = rotation(family, GRACE);
        expect(await store.rotate(retry)).toEqual({ outcome: "grace", next: first.next });
        expect(await store.rotate(retry)).toEqual({ outcome: "grace", next: first.next });
        expect(await store.state(nextOf(first))).toBe("active");
        expect(await store.state(nextOf(retry))).toBe("used");
      });

      it("after the grace, counts the replaced token as reused", async () => {
        const family = await opened();
        const first = rotation(family, GRACE);
        await store.rotate(first);
        await sleep(GRACE * 1000 + 200);
        expect(await store.rotate(rotation(family, GRACE))).toEqual({ outcome: "reused" });
        expect(await store.state(nextOf(first))).toBe("revoked");
      });

      it("lets exactly one of 50 concurrent rotations win; without a grace the next is reuse", async () => {
        const family = await opened();
        const rotations = Array.from({ length: 50 }, () => rotation(family));
        const results = await Promise.all(rotations.map((r) => store.rotate(r)));
        const outcomes = results.map((result) => result.outcome);
        expect(outcomes.filter((outcome) => outcome === "rotated")).toHaveLength(1);
        // The first one after the winner is reuse, which revokes the family,
        // the winner's successor included; the others then find it revoked.
        expect(outcomes.filter((outcome) => outcome === "reused")).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome === "revoked")).toHaveLength(48);
        const winner = rotations[outcomes.indexOf("rotated")] as Rotation;
        expect(await store.state(nextOf(winner))).toBe("revoked");
      });

      it("lets exactly one of 50 concurrent rotations win; with a grace the rest get its successor", async () => {
        const family = await opened();
        const rotations = Array.from({ length: 50 }, () => rotation(family, GRACE));
        const results = await Promise.all(rotations.map((r) => store.rotate(r)));
        const winner = rotations[results.findIndex((r) => r.outcome === "rotated")] as Rotation;
        expect(results.filter((result) => result.outcome === "rotated")).toHaveLength(1);
        expect(results.filter((result) => result.outcome === "grace")).toEqual(
          Array(49).fill({ outcome: "grace", next: winner.next }),
        );
        expect(await store.state(nextOf(winner))).toBe("active");
      });

      it("writes nothing for a refused rotation: its successor never becomes a token", async () => {
        const family = await opened();
        const first = rotation(family);
        await store.rotate(first);
        const refused = rotation(family);
        expect(await store.rotate(refused)).toEqual({ outcome: "reused" });
        const afterRevocation = rotation(nextOf(first));
        expect(await store.rotate(afterRevocation)).toEqual({ outcome: "revoked" });
        const unknown = rotation(login());
        expect(await store.rotate(unknown)).toEqual({ outcome: "unknown" });
        for (const r of [refused, afterRevocation]) {
          expect(await store.state(nextOf(r))).toBe("revoked");
        }
        expect(await store.state(nextOf(unknown))).toBe("unknown");
      });
    });

    describe("revokeFamily", () => {
      it("revokes every token of the family, refresh and access, and no other family", async () => {
        const family = await opened();
        const first = rotation(family);
        await store.rotate(first);
        const other = await opened({ sub: family.sub });

        await store.revokeFamily(family);

        expect(await store.state(family)).toBe("revoked");
        expect(await store.state(nextOf(first))).toBe("revoked");
        expect(await store.rotate(rotation(nextOf(first), GRACE))).toEqual({ outcome: "revoked" });
        expect(await store.accessState(access(family))).toBe("revoked");
        expect(await store.state(other)).toBe("active");
        expect(await store.accessState(access(other))).toBe("active");
      });

      it("leaves the grace no way around a revocation", async () => {
        const family = await opened();
        await store.rotate(rotation(family, GRACE));
        await store.revokeFamily(family);
        expect(await store.rotate(rotation(family, GRACE))).toEqual({ outcome: "revoked" });
      });

      it("does nothing for a family it does not hold", async () => {
        await expect(store.revokeFamily(login())).resolves.toBeUndefined();
      });
    });

    describe("revokeSubject", () => {
      it("revokes every family of the subject, and none of another subject", async () => {
        const sub = unique("alice");
        const firstLogin = await opened({ sub });
        const rotated = rotation(firstLogin);
        await store.rotate(rotated);
        const secondLogin = await opened({ sub });
        const otherSubject = await opened();

        await store.revokeSubject(sub);

        expect(await store.state(nextOf(rotated))).toBe("revoked");
        expect(await store.rotate(rotation(secondLogin))).toEqual({ outcome: "revoked" });
        expect(await store.accessState(access(firstLogin))).toBe("revoked");
        expect(await store.accessState(access(secondLogin))).toBe("revoked");
        expect(await store.state(otherSubject)).toBe("active");
        expect(await store.accessState(access(otherSubject))).toBe("active");
      });

      it("leaves a login made after it active", async () => {
        const sub = unique("alice");
        await opened({ sub });
        await store.revokeSubject(sub);
        const later = await opened({ sub });
        expect(await store.state(later)).toBe("active");
      });

      it("does nothing for a subject it does not know", async () => {
        const family = await opened();
        await expect(store.revokeSubject(unique("nobody"))).resolves.toBeUndefined();
        expect(await store.state(family)).toBe("active");
      });
    });

    describe("accessState and denyAccess", () => {
      it("accepts the access tokens of an active family, and refuses those of a missing one", async () => {
        const family = await opened();
        expect(await store.accessState(access(family))).toBe("active");
        expect(await store.accessState(access(login()))).toBe("revoked");
        expect(await store.accessState({ ...access(family), sub: unique("sub") })).toBe("revoked");
      });

      it("denies exactly the listed access token, and leaves its family active", async () => {
        const family = await opened();
        const denied = access(family);
        const allowed = access(family);
        await store.denyAccess(denied);
        expect(await store.accessState(denied)).toBe("revoked");
        expect(await store.accessState(allowed)).toBe("active");
        expect(await store.state(family)).toBe("active");
        expect(await store.rotate(rotation(family))).toEqual({ outcome: "rotated" });
        expect(await store.accessState(denied)).toBe("revoked");
      });
    });

    it("forgets a family once its keepUntil has passed, which then refuses every token", async () => {
      const keepUntil = nowSeconds() + 2;
      const family = await opened({ keepUntil });
      const atk = access(family);
      expect(await store.accessState(atk)).toBe("active");

      await sleep(keepUntil * 1000 + 100 - Date.now());

      expect(await store.state(family)).toBe("unknown");
      expect(await store.rotate(rotation(family))).toEqual({ outcome: "unknown" });
      expect(await store.accessState(atk)).toBe("revoked");
    });

    describe("input checks", () => {
      const loneHigh = "a\uD800b";
      const loneLow = "\uDC00";
      const badArguments: [string, unknown][] = [
        ["null", null],
        ["a string", "jti"],
      ];
      const badIds: [string, object][] = [
        ["a numeric jti", { jti: 1 }],
        ["an empty jti", { jti: "" }],
        ["a missing family", { family: undefined }],
        ["a null sub", { sub: null }],
        ["a sub with a lone high surrogate", { sub: loneHigh }],
        ["a family with a lone low surrogate", { family: loneLow }],
        ["a jti with reversed surrogates", { jti: "\uDC00\uD800" }],
      ];
      const badTimes: [string, unknown][] = [
        ["a string", "2000000000"],
        ["NaN", Number.NaN],
        ["infinity", Number.POSITIVE_INFINITY],
      ];
      // Each method, called with a good argument changed by `change`.
      const calls: [string, (s: RefreshStore, change: object) => Promise<unknown>][] = [
        ["open", (s, change) => s.open({ ...login(), ...change })],
        ["rotate", (s, change) => s.rotate({ ...rotation(login()), ...change })],
        ["state", (s, change) => s.state({ ...login(), ...change })],
        ["accessState", (s, change) => s.accessState({ ...access(login()), ...change })],
        ["denyAccess", (s, change) => s.denyAccess({ ...access(login()), ...change })],
        ["revokeFamily", (s, change) => s.revokeFamily({ ...login(), ...change })],
      ];
      const methods = calls.map(([method]) => method) as (keyof RefreshStore)[];

      it.each(methods)(
        "%s refuses an argument that is not an object with a TypeError",
        async (method) => {
          for (const [, bad] of badArguments) {
            await expect(
              (store[method] as (arg: unknown) => Promise<unknown>)(bad),
            ).rejects.toThrow(TypeError);
          }
        },
      );

      for (const [method, call] of calls) {
        // revokeFamily takes no jti.
        const cases = method === "revokeFamily" ? badIds.filter(([, c]) => !("jti" in c)) : badIds;
        it.each(cases)(`${method} refuses %s with a TypeError`, async (_, change) => {
          await expect(call(store, change)).rejects.toThrow(TypeError);
        });
      }

      it.each(badTimes)("refuses a time that is %s with a TypeError", async (_, bad) => {
        const family = login();
        await expect(store.open({ ...family, keepUntil: bad as number })).rejects.toThrow(
          TypeError,
        );
        await expect(
          store.rotate({ ...rotation(family), keepUntil: bad as number }),
        ).rejects.toThrow(TypeError);
        await expect(store.rotate({ ...rotation(family), grace: bad as number })).rejects.toThrow(
          TypeError,
        );
        const next = { ...successor(), exp: bad as number };
        await expect(store.rotate({ ...rotation(family), next })).rejects.toThrow(TypeError);
        await expect(store.denyAccess({ ...access(family), exp: bad as number })).rejects.toThrow(
          TypeError,
        );
        await expect(store.accessState({ ...access(family), exp: bad as number })).rejects.toThrow(
          TypeError,
        );
      });

      it.each([
        ["a negative grace", (r: Rotation) => ({ ...r, grace: -1 })],
        ["no successor", (r: Rotation) => ({ ...r, next: undefined })],
        ["a successor without jti", (r: Rotation) => ({ ...r, next: { ...r.next, jti: "" } })],
        [
          "a successor with a lone surrogate",
          (r: Rotation) => ({ ...r, next: { ...r.next, jti: loneLow } }),
        ],
      ])("rotate refuses %s with a TypeError", async (_, change) => {
        const family = await opened();
        await expect(store.rotate(change(rotation(family)) as Rotation)).rejects.toThrow(TypeError);
        expect(await store.state(family)).toBe("active");
      });

      it.each([
        ["nothing", undefined],
        ["an empty string", ""],
        ["a lone surrogate", loneHigh],
        ["a number", 1],
      ])("revokeSubject refuses %s with a TypeError", async (_, bad) => {
        await expect(store.revokeSubject(bad as string)).rejects.toThrow(TypeError);
      });

      it("keeps apart subjects that differ only in their surrogate pairs", async () => {
        const first = await opened({ sub: "user-\uD83D\uDE00" });
        const second = await opened({ sub: "user-\uD83D\uDE01" });
        await store.revokeSubject(second.sub);
        expect(await store.state(second)).toBe("revoked");
        expect(await store.state(first)).toBe("active");
      });
    });
  });
}
