// A model of refresh rotation and revocation, run against a real store by fast-check:
// any sequence of issue, refresh, revoke, revokeSubject, verify and the passing of
// time must give exactly the outcomes the model predicts. Above all, a refresh
// token of a revoked family (logout, revokeSubject or a detected reuse) is never
// accepted again. The model is store-agnostic: pass a factory for each store.
import fc from "fast-check";
import { expect } from "vitest";
import {
  createTokens,
  decodeUnverified,
  type JwtErrorCode,
  type RefreshStore,
  type Tokens,
} from "../../src/index.js";
import { runs } from "./arbitraries.js";
import { codeOf } from "./expect.js";

/** Makes a fresh, empty store whose clock is `now` (milliseconds since the epoch). */
export type StoreFactory = (now: () => number) => Promise<{
  store: RefreshStore;
  close?: () => Promise<void>;
}>;

const ACCESS_TTL = 20;
const REFRESH_TTL = 100;
const SUBJECTS = ["alice", "bob", "carol"] as const;
// One secret for both kinds, the default, so that only the `type` claim tells them apart.
const SECRET = "model-test-secret-of-at-least-32-bytes!";

interface ModelToken {
  family: string;
  sub: string;
  exp: number;
  used: boolean;
}

interface Model {
  /** The current time, in seconds. */
  now: number;
  refreshTokens: ModelToken[];
  accessExps: number[];
  revokedFamilies: Set<string>;
}

interface Real {
  clock: { now: number };
  tokens: Tokens<{ role?: string }>;
  refreshTokens: string[];
  accessTokens: string[];
}

/** What the model says presenting refresh token `token` gives, before any change. */
function expectedForRefresh(model: Model, token: ModelToken): JwtErrorCode | "accepted" {
  if (model.now >= token.exp) return "ERR_JWT_EXPIRED";
  if (model.revokedFamilies.has(token.family)) return "ERR_JWT_REVOKED";
  return token.used ? "ERR_JWT_REVOKED" : "accepted";
}

function record(model: Model, real: Real, refreshToken: string, accessToken: string): void {
  const { payload } = decodeUnverified<{ fam: string; sub: string; exp: number }>(refreshToken);
  model.refreshTokens.push({
    family: payload.fam,
    sub: payload.sub,
    exp: payload.exp,
    used: false,
  });
  model.accessExps.push(model.now + ACCESS_TTL);
  real.refreshTokens.push(refreshToken);
  real.accessTokens.push(accessToken);
}

type Command = fc.AsyncCommand<Model, Real>;
const hasTokens = (model: Readonly<Model>) => model.refreshTokens.length > 0;

class Issue implements Command {
  constructor(readonly sub: string) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const pair = await real.tokens.issue({ sub: this.sub, role: "user" });
    record(model, real, pair.refreshToken, pair.accessToken);
  }
  toString = () => `issue(${this.sub})`;
}

class Refresh implements Command {
  constructor(readonly pick: number) {}
  check = hasTokens;
  async run(model: Model, real: Real) {
    const i = this.pick % model.refreshTokens.length;
    const token = model.refreshTokens[i] as ModelToken;
    const expected = expectedForRefresh(model, token);
    let pair: Awaited<ReturnType<Real["tokens"]["refresh"]>> | undefined;
    const got = await codeOf(
      real.tokens.refresh(real.refreshTokens[i] as string).then((p) => {
        pair = p;
      }),
    );
    expect(got, `refresh of token ${i}`).toBe(expected);
    if (expected === "accepted" && pair) {
      token.used = true;
      record(model, real, pair.refreshToken, pair.accessToken);
    } else if (expected === "ERR_JWT_REVOKED" && token.used) {
      // RFC 9700 section 4.14.2: reuse of a rotated refresh token revokes its family.
      model.revokedFamilies.add(token.family);
    }
  }
  toString = () => `refresh(#${this.pick})`;
}

class Revoke implements Command {
  constructor(readonly pick: number) {}
  check = hasTokens;
  async run(model: Model, real: Real) {
    const i = this.pick % model.refreshTokens.length;
    const token = model.refreshTokens[i] as ModelToken;
    const expired = model.now >= token.exp;
    const got = await codeOf(real.tokens.revoke(real.refreshTokens[i] as string));
    expect(got, `revoke of token ${i}`).toBe(expired ? "ERR_JWT_EXPIRED" : "accepted");
    if (!expired) model.revokedFamilies.add(token.family);
  }
  toString = () => `revoke(#${this.pick})`;
}

class RevokeSubject implements Command {
  constructor(readonly sub: string) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.tokens.revokeSubject(this.sub);
    for (const token of model.refreshTokens) {
      if (token.sub === this.sub) model.revokedFamilies.add(token.family);
    }
  }
  toString = () => `revokeSubject(${this.sub})`;
}

class VerifyRefresh implements Command {
  constructor(readonly pick: number) {}
  check = hasTokens;
  async run(model: Model, real: Real) {
    const i = this.pick % model.refreshTokens.length;
    const expected = expectedForRefresh(model, model.refreshTokens[i] as ModelToken);
    const got = await codeOf(real.tokens.verifyRefresh(real.refreshTokens[i] as string));
    expect(got, `verifyRefresh of token ${i}`).toBe(expected);
  }
  toString = () => `verifyRefresh(#${this.pick})`;
}

/** Access tokens are stateless: valid until they expire, whatever befalls their family. */
class VerifyAccess implements Command {
  constructor(readonly pick: number) {}
  check = hasTokens;
  async run(model: Model, real: Real) {
    const i = this.pick % model.accessExps.length;
    const expected = model.now >= (model.accessExps[i] as number) ? "ERR_JWT_EXPIRED" : "accepted";
    const access = real.accessTokens[i] as string;
    expect(await codeOf(real.tokens.verifyAccess(access))).toBe(expected);
    // Never usable as the other kind (the `type` claim), revoked or not.
    expect(await codeOf(real.tokens.refresh(access))).toBe(
      expected === "accepted" ? "ERR_JWT_TYPE" : expected,
    );
    const refresh = real.refreshTokens[i] as string;
    const refreshExpired = model.now >= (model.refreshTokens[i] as ModelToken).exp;
    expect(await codeOf(real.tokens.verifyAccess(refresh))).toBe(
      refreshExpired ? "ERR_JWT_EXPIRED" : "ERR_JWT_TYPE",
    );
  }
  toString = () => `verifyAccess(#${this.pick})`;
}

class Advance implements Command {
  constructor(readonly seconds: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    model.now += this.seconds;
    real.clock.now = model.now;
  }
  toString = () => `advance(${this.seconds}s)`;
}

const subject = fc.constantFrom(...SUBJECTS);
const pick = fc.nat();
const commands = fc.commands(
  [
    subject.map((sub) => new Issue(sub)),
    pick.map((i) => new Refresh(i)),
    pick.map((i) => new Refresh(i)),
    pick.map((i) => new Revoke(i)),
    subject.map((sub) => new RevokeSubject(sub)),
    pick.map((i) => new VerifyRefresh(i)),
    pick.map((i) => new VerifyAccess(i)),
    fc.integer({ min: 1, max: REFRESH_TTL / 2 }).map((s) => new Advance(s)),
  ],
  { maxCommands: 40, size: "+1" },
);

/** Runs the refresh model against stores made by `factory`. */
export async function checkRefreshModel(factory: StoreFactory, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(commands, async (cmds) => {
      // Real seconds: a store on a server (Redis) may expire keys on its own clock.
      const start = Math.floor(Date.now() / 1000);
      const clock = { now: start };
      const { store, close } = await factory(() => clock.now * 1000);
      try {
        const tokens = createTokens<{ role?: string }>({
          secret: SECRET,
          accessTtl: ACCESS_TTL,
          refreshTtl: REFRESH_TTL,
          store,
          now: () => new Date(clock.now * 1000),
        });
        const model: Model = {
          now: start,
          refreshTokens: [],
          accessExps: [],
          revokedFamilies: new Set(),
        };
        const real: Real = { clock, tokens, refreshTokens: [], accessTokens: [] };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      } finally {
        await close?.();
      }
    }),
    runs(numRuns),
  );
}
