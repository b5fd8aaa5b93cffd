// A model of the login flow, run against a real store by fast-check: any
// sequence of logins, refreshes (inside and outside the reuse grace), logouts,
// revokeSubject, revokeAccess, key rotations and the passing of time must give
// exactly the outcomes the model predicts. Above all, a token of a revoked login
// (logout, revokeSubject or a detected reuse) is never accepted again, no token
// outlives its login's sessionTtl, and rotating keys logs nobody out. The model
// is store-agnostic: pass a factory for each store.
import fc from "fast-check";
import { expect } from "vitest";
import {
  createTokens,
  decodeUnverified,
  type JwtErrorCode,
  type KeyringEntry,
  type RefreshStore,
  type TokenPair,
  type Tokens,
} from "../../src/index.js";
import { runs } from "./arbitraries.js";
import { codeOf } from "./expect.js";

/**
 * Makes a fresh, empty store. A store that can take a clock uses `now`
 * (milliseconds since the epoch), the model's; one that keeps its own (a
 * server) says so with `ownClock`, and the model then reads the grace on the
 * real clock, on which a whole run is far shorter than the grace.
 */
export type StoreFactory = (now: () => number) => Promise<{
  store: RefreshStore;
  ownClock?: boolean;
  close?: () => Promise<void>;
}>;

const ACCESS_TTL = 20;
const REFRESH_TTL = 100;
const SESSION_TTL = 120;
const GRACE = 10;
const SUBJECTS = ["alice", "bob", "carol"] as const;

type Outcome = JwtErrorCode | "accepted";

interface Login {
  sub: string;
  end: number;
  /** Index of the active refresh token, and of the one it replaced. */
  active: number;
  replaced: number | undefined;
  /** When `active` replaced `replaced`: model seconds, and real milliseconds. */
  rotatedAt: number;
  rotatedAtReal: number;
  revoked: boolean;
}

interface ModelToken {
  login: Login;
  kid: string | undefined;
  exp: number;
  jti: string;
  denied?: boolean;
}

interface Model {
  /** The current time, in seconds. */
  now: number;
  /** Whether the store reads the grace on the real clock. */
  ownClock: boolean;
  refreshTokens: ModelToken[];
  accessTokens: ModelToken[];
  /** The key ids of the ring, the signing one first; undefined for the key from before rotation. */
  kids: (string | undefined)[];
  nextKid: number;
}

interface Real {
  clock: { now: number };
  store: RefreshStore;
  ring: KeyringEntry[];
  tokens: Tokens<{ role?: string }>;
  refreshTokens: string[];
  accessTokens: string[];
}

const SECRET = (kid: string | undefined) =>
  `model-test-secret-${kid ?? "first"}-of-32-bytes-at-least`;

function makeTokens(real: Real): Tokens<{ role?: string }> {
  return createTokens<{ role?: string }>({
    secret: real.ring,
    accessTtl: ACCESS_TTL,
    refreshTtl: REFRESH_TTL,
    sessionTtl: SESSION_TTL,
    reuseGrace: GRACE,
    store: real.store,
    checkRevoked: true,
    now: () => new Date(real.clock.now * 1000),
  });
}

/** What checking token `token`'s signature and lifetime gives, before the store is asked. */
function stateless(model: Model, token: ModelToken): Outcome {
  if (!model.kids.includes(token.kid)) return "ERR_JWT_KEY";
  return model.now >= token.exp ? "ERR_JWT_EXPIRED" : "accepted";
}

function insideGrace(model: Model, login: Login): boolean {
  return model.ownClock
    ? Date.now() - login.rotatedAtReal < GRACE * 1000
    : model.now - login.rotatedAt < GRACE;
}

/** Records a pair the real flow answered, checking its lifetimes against the model's. */
function record(model: Model, real: Real, login: Login, pair: TokenPair, newRefresh: boolean) {
  const kid = model.kids[0];
  const access = decodeUnverified<{ jti: string; exp: number }>(pair.accessToken);
  expect(access.header.kid).toBe(kid);
  expect(access.payload.exp).toBe(Math.min(model.now + ACCESS_TTL, login.end));
  model.accessTokens.push({ login, kid, exp: access.payload.exp, jti: access.payload.jti });
  real.accessTokens.push(pair.accessToken);
  if (!newRefresh) return;
  const refresh = decodeUnverified<{ jti: string; exp: number }>(pair.refreshToken);
  expect(refresh.payload.exp).toBe(Math.min(model.now + REFRESH_TTL, login.end));
  model.refreshTokens.push({ login, kid, exp: refresh.payload.exp, jti: refresh.payload.jti });
  real.refreshTokens.push(pair.refreshToken);
}

type Command = fc.AsyncCommand<Model, Real>;
const hasTokens = (model: Readonly<Model>) => model.refreshTokens.length > 0;

class Issue implements Command {
  constructor(readonly sub: string) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const pair = await real.tokens.issue({ sub: this.sub, role: "user" });
    const login: Login = {
      sub: this.sub,
      end: model.now + SESSION_TTL,
      active: model.refreshTokens.length,
      replaced: undefined,
      rotatedAt: 0,
      rotatedAtReal: 0,
      revoked: false,
    };
    record(model, real, login, pair, true);
  }
  toString = () => `issue(${this.sub})`;
}

class Refresh implements Command {
  constructor(readonly pick: number) {}
  check = hasTokens;
  async run(model: Model, real: Real) {
    const i = this.pick % model.refreshTokens.length;
    const token = model.refreshTokens[i] as ModelToken;
    const { login } = token;
    let expected = stateless(model, token);
    let kind: "rotated" | "grace" | "reused" | undefined;
    if (expected === "accepted") {
      if (login.revoked) expected = "ERR_JWT_REVOKED";
      else if (i === login.active) kind = "rotated";
      else if (i === login.replaced && insideGrace(model, login)) kind = "grace";
      else [expected, kind] = ["ERR_JWT_REVOKED", "reused"];
    }
    let pair: TokenPair | undefined;
    const got = await codeOf(
      real.tokens.refresh(real.refreshTokens[i] as string).then((p) => {
        pair = p;
      }),
    );
    expect(got, `refresh of token ${i}`).toBe(expected);
    if (kind === "reused") login.revoked = true; // RFC 9700 section 4.14.2
    if (!pair) return;
    if (kind === "rotated") {
      record(model, real, login, pair, true);
      [login.replaced, login.active] = [i, model.refreshTokens.length - 1];
      [login.rotatedAt, login.rotatedAtReal] = [model.now, Date.now()];
      return;
    }
    // Inside the grace: the successor recorded by the rotation, signed again.
    const successor = decodeUnverified<{ jti: string }>(pair.refreshToken).payload.jti;
    expect(successor).toBe(model.refreshTokens[login.active]?.jti);
    record(model, real, login, pair, false);
  }
  toString = () => `refresh(#${this.pick})`;
}

class Revoke implements Command {
  constructor(readonly pick: number) {}
  check = hasTokens;
  async run(model: Model, real: Real) {
    const i = this.pick % model.refreshTokens.length;
    const token = model.refreshTokens[i] as ModelToken;
    const expected = stateless(model, token);
    const got = await codeOf(real.tokens.revoke(real.refreshTokens[i] as string));
    expect(got, `revoke of token ${i}`).toBe(expected);
    if (expected === "accepted") token.login.revoked = true;
  }
  toString = () => `revoke(#${this.pick})`;
}

class RevokeSubject implements Command {
  constructor(readonly sub: string) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.tokens.revokeSubject(this.sub);
    for (const token of model.refreshTokens) {
      if (token.login.sub === this.sub) token.login.revoked = true;
    }
  }
  toString = () => `revokeSubject(${this.sub})`;
}

class RevokeAccess implements Command {
  constructor(readonly pick: number) {}
  check = hasTokens;
  async run(model: Model, real: Real) {
    const i = this.pick % model.accessTokens.length;
    const token = model.accessTokens[i] as ModelToken;
    const expected = stateless(model, token);
    const got = await codeOf(real.tokens.revokeAccess(real.accessTokens[i] as string));
    expect(got, `revokeAccess of token ${i}`).toBe(expected);
    if (expected === "accepted") token.denied = true;
  }
  toString = () => `revokeAccess(#${this.pick})`;
}

class VerifyRefresh implements Command {
  constructor(readonly pick: number) {}
  check = hasTokens;
  async run(model: Model, real: Real) {
    const i = this.pick % model.refreshTokens.length;
    const token = model.refreshTokens[i] as ModelToken;
    let expected = stateless(model, token);
    if (expected === "accepted" && (token.login.revoked || token.login.active !== i)) {
      expected = "ERR_JWT_REVOKED";
    }
    const got = await codeOf(real.tokens.verifyRefresh(real.refreshTokens[i] as string));
    expect(got, `verifyRefresh of token ${i}`).toBe(expected);
  }
  toString = () => `verifyRefresh(#${this.pick})`;
}

/** With checkRevoked, an access token lives only as long as its login and its own deny mark allow. */
class VerifyAccess implements Command {
  constructor(readonly pick: number) {}
  check = hasTokens;
  async run(model: Model, real: Real) {
    const i = this.pick % model.accessTokens.length;
    const token = model.accessTokens[i] as ModelToken;
    const signed = stateless(model, token);
    const cut = token.login.revoked || token.denied;
    const expected = signed === "accepted" && cut ? "ERR_JWT_REVOKED" : signed;
    const access = real.accessTokens[i] as string;
    expect(await codeOf(real.tokens.verifyAccess(access)), `verifyAccess of ${i}`).toBe(expected);
    // Never usable as the other kind (the `type` claim), revoked or not.
    expect(await codeOf(real.tokens.refresh(access))).toBe(
      signed === "accepted" ? "ERR_JWT_TYPE" : signed,
    );
    const j = this.pick % model.refreshTokens.length;
    const refresh = stateless(model, model.refreshTokens[j] as ModelToken);
    expect(await codeOf(real.tokens.verifyAccess(real.refreshTokens[j] as string))).toBe(
      refresh === "accepted" ? "ERR_JWT_TYPE" : refresh,
    );
  }
  toString = () => `verifyAccess(#${this.pick})`;
}

/** Puts a new key first; the old ones keep verifying. */
class RotateKey implements Command {
  check = () => true;
  async run(model: Model, real: Real) {
    const kid = `k${model.nextKid++}`;
    model.kids.unshift(kid);
    real.ring = [{ kid, secret: SECRET(kid) }, ...real.ring];
    real.tokens = makeTokens(real);
  }
  toString = () => "rotateKey";
}

/** Drops the oldest key: tokens it signed are refused from now on. */
class DropKey implements Command {
  check = (model: Readonly<Model>) => model.kids.length > 1;
  async run(model: Model, real: Real) {
    model.kids.pop();
    real.ring = real.ring.slice(0, -1);
    real.tokens = makeTokens(real);
  }
  toString = () => "dropKey";
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
    pick.map((i) => new RevokeAccess(i)),
    pick.map((i) => new VerifyRefresh(i)),
    pick.map((i) => new VerifyAccess(i)),
    fc.constant(new RotateKey()),
    fc.constant(new DropKey()),
    // Steps both shorter and longer than the grace.
    fc.integer({ min: 1, max: REFRESH_TTL / 2 }).map((s) => new Advance(s)),
    fc.integer({ min: 1, max: GRACE }).map((s) => new Advance(s)),
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
      const { store, ownClock = false, close } = await factory(() => clock.now * 1000);
      try {
        const model: Model = {
          now: start,
          ownClock,
          refreshTokens: [],
          accessTokens: [],
          kids: [undefined],
          nextKid: 1,
        };
        const ring: KeyringEntry[] = [{ secret: SECRET(undefined) }];
        const real = { clock, store, ring, refreshTokens: [], accessTokens: [] } as unknown as Real;
        real.tokens = makeTokens(real);
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      } finally {
        await close?.();
      }
    }),
    runs(numRuns),
  );
}
