import { describe, expect, it, vi } from "vitest";
import { createTokens, type JwtError, type RefreshStore, sign } from "../../src/index.js";
import { expectJwtError } from "./expect.js";

const secret = "flow-access-secret-flow-access-secret-01";
const refreshSecret = "flow-refresh-secret-flow-refresh-secret-01";

type Claims = { role: string };

/** The whole ATK/RTK story against one kind of store; run for every store. */
export function describeTokenFlow(
  name: string,
  makeStore: () => RefreshStore | Promise<RefreshStore>,
): void {
  describe(`the ATK/RTK flow with ${name}`, () => {
    const make = async (extra: { checkRevoked?: boolean; reuseGrace?: number } = {}) => {
      const store = await makeStore();
      return { store, tokens: createTokens<Claims>({ secret, refreshSecret, store, ...extra }) };
    };

    it("rotates refresh tokens, detects reuse and revokes the family", async () => {
      const { tokens } = await make();
      const login = await tokens.issue({ sub: "alice", role: "admin" });
      expect((await tokens.verifyAccess(login.accessToken)).role).toBe("admin");
      const second = await tokens.refresh(login.refreshToken);
      await tokens.verifyAccess(second.accessToken);
      // The first refresh token is spent: presenting it again is reuse.
      await expectJwtError(tokens.verifyRefresh(login.refreshToken), "ERR_JWT_REVOKED");
      const reuse = await expectJwtError(tokens.refresh(login.refreshToken), "ERR_JWT_REVOKED");
      expect(reuse.message).toMatch(/family is revoked/);
      // ...and the whole family, including the token rotated from it, is gone.
      await expectJwtError(tokens.refresh(second.refreshToken), "ERR_JWT_REVOKED");
      await expectJwtError(tokens.verifyRefresh(second.refreshToken), "ERR_JWT_REVOKED");
    });

    it("leaves other families alone when one is revoked", async () => {
      const { tokens } = await make();
      const laptop = await tokens.issue({ sub: "alice", role: "admin" });
      const phone = await tokens.issue({ sub: "alice", role: "admin" });
      await tokens.revoke(laptop.refreshToken);
      await expectJwtError(tokens.refresh(laptop.refreshToken), "ERR_JWT_REVOKED");
      const next = await tokens.refresh(phone.refreshToken);
      await tokens.verifyRefresh(next.refreshToken);
    });

    it("logs a subject out everywhere and no one else", async () => {
      const { tokens } = await make();
      const a1 = await tokens.issue({ sub: "alice", role: "admin" });
      const a2 = await tokens.refresh(
        (await tokens.issue({ sub: "alice", role: "admin" })).refreshToken,
      );
      const bob = await tokens.issue({ sub: "bob", role: "reader" });
      await tokens.revokeSubject("alice");
      await expectJwtError(tokens.refresh(a1.refreshToken), "ERR_JWT_REVOKED");
      await expectJwtError(tokens.refresh(a2.refreshToken), "ERR_JWT_REVOKED");
      await tokens.refresh(bob.refreshToken);
      // A new login after the logout starts a new family, which works.
      const again = await tokens.issue({ sub: "alice", role: "admin" });
      await tokens.refresh(again.refreshToken);
    });

    it("denies a revoked access token only when checkRevoked is set", async () => {
      const { store, tokens } = await make({ checkRevoked: true });
      const lax = createTokens<Claims>({ secret, refreshSecret, store });
      const pair = await tokens.issue({ sub: "alice", role: "admin" });
      await tokens.verifyAccess(pair.accessToken);
      await tokens.revokeAccess(pair.accessToken);
      await expectJwtError(tokens.verifyAccess(pair.accessToken), "ERR_JWT_REVOKED");
      expect((await lax.verifyAccess(pair.accessToken)).sub).toBe("alice");
      const other = await tokens.issue({ sub: "alice", role: "admin" });
      await tokens.verifyAccess(other.accessToken);
    });

    it("with checkRevoked, cuts the access tokens of a logged-out login and of a subject logged out everywhere", async () => {
      const { tokens } = await make({ checkRevoked: true });
      const laptop = await tokens.issue({ sub: "alice", role: "admin" });
      const phone = await tokens.issue({ sub: "alice", role: "admin" });
      const rotated = await tokens.refresh(phone.refreshToken);
      const bob = await tokens.issue({ sub: "bob", role: "reader" });
      await tokens.revoke(laptop.refreshToken);
      await expectJwtError(tokens.verifyAccess(laptop.accessToken), "ERR_JWT_REVOKED");
      await tokens.verifyAccess(rotated.accessToken);
      await tokens.revokeSubject("alice");
      for (const pair of [phone, rotated]) {
        await expectJwtError(tokens.verifyAccess(pair.accessToken), "ERR_JWT_REVOKED");
      }
      await tokens.verifyAccess(bob.accessToken);
    });

    it("with a grace, gives 50 concurrent refreshes of one token the same new refresh token", async () => {
      const { tokens } = await make({ reuseGrace: 10 });
      const login = await tokens.issue({ sub: "alice", role: "admin" });
      const pairs = await Promise.all(
        Array.from({ length: 50 }, () => tokens.refresh(login.refreshToken)),
      );
      expect(new Set(pairs.map((pair) => pair.refreshToken)).size).toBe(1);
      expect(new Set(pairs.map((pair) => pair.accessToken)).size).toBe(50);
      const [first] = pairs;
      await tokens.verifyRefresh(first?.refreshToken as string);
      await tokens.refresh(first?.refreshToken as string);
    });

    it("gives exactly one new pair for 50 concurrent refreshes of one token", async () => {
      const { tokens } = await make();
      const login = await tokens.issue({ sub: "alice", role: "admin" });
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () => tokens.refresh(login.refreshToken)),
      );
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      for (const r of lost) expect((r.reason as JwtError).code).toBe("ERR_JWT_REVOKED");
    });

    it("refuses a forged refresh token before it touches the store", async () => {
      const { store, tokens } = await make();
      const rotate = vi.spyOn(store, "rotate");
      const revokeFamily = vi.spyOn(store, "revokeFamily");
      const forged = await sign({ sub: "alice", jti: "j", fam: "f" }, "x".repeat(32), {
        type: "RTK",
        expiresIn: 60,
      });
      await expectJwtError(tokens.refresh(forged), "ERR_JWT_SIGNATURE");
      await expectJwtError(tokens.revoke(forged), "ERR_JWT_SIGNATURE");
      expect(rotate).not.toHaveBeenCalled();
      expect(revokeFamily).not.toHaveBeenCalled();
    });
  });
}
