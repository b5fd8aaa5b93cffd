// Shared fast-check generators for the property tests and their expectations.
import fc from "fast-check";
import { expect } from "vitest";
import { JwtError } from "../../src/index.js";

// FC_RUNS_SCALE scales the runs of every property: below 1 for mutation testing,
// where each surviving mutant runs them all again; above 1 for a deeper search.
const RUNS_SCALE = Number(process.env.FC_RUNS_SCALE ?? 1);

/** fast-check parameters for `numRuns` runs, scaled by FC_RUNS_SCALE. */
export function runs(numRuns: number): { numRuns: number } {
  return { numRuns: Math.max(10, Math.round(numRuns * RUNS_SCALE)) };
}

import { NOW_SECONDS } from "./fixtures.js";

// The shared fixtures; the fixed clock makes generated `exp`/`nbf`/`iat` valid or not by construction.
export { NOW, NOW_SECONDS, OTHER_SECRET, SECRET } from "./fixtures.js";

/** The claims that sign and verify give a meaning (and a type) to. */
const REGISTERED = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "type"]);

// JSON has one zero: -0 is written "0" and read back as +0, so it cannot round-trip.
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, -(2 ** 53)),
);
// "binary" units include lone surrogates, which JSON.stringify escapes (ES2019).
const text = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }));

const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie("json"), { maxLength: 5 }),
    fc.dictionary(text, tie("json"), { maxKeys: 5 }),
  ),
}));

/** Private claims: any JSON, any key (including "__proto__"), none of the registered ones. */
const privateClaims = fc.dictionary(text, json, { maxKeys: 8 }).map((claims) => {
  for (const name of REGISTERED) delete claims[name];
  return claims;
});

const stringOrArray = fc.oneof(text, fc.array(text, { maxLength: 3 }));

/** Registered claims of the right type, valid at {@link NOW}. */
const registeredClaims = fc.record(
  {
    iss: text,
    sub: text,
    aud: stringOrArray,
    jti: text,
    type: text,
    iat: fc.integer({ min: 0, max: NOW_SECONDS }),
    nbf: fc.integer({ min: 0, max: NOW_SECONDS }),
    exp: fc.integer({ min: NOW_SECONDS + 1, max: 2 ** 40 }),
  },
  { requiredKeys: ["exp"] },
);

/** A payload that sign accepts and verify, at {@link NOW}, must accept. */
export const payload = fc
  .tuple(privateClaims, registeredClaims)
  .map(([extra, registered]) => ({ ...extra, ...registered }) as Record<string, unknown>);

/** Any UTF-16 code unit, biased towards the characters a token is made of. */
export const tokenChar = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(".", "=", "+", "/", " ", "\n", "\t", "\0") },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
);

/** A failure that callers can act on: a JwtError or TypeError with a message. */
export function expectCleanError(error: unknown): void {
  const ok = error instanceof JwtError || error instanceof TypeError;
  expect(ok, `unexpected ${String(error)}`).toBe(true);
  expect((error as Error).message.length).toBeGreaterThan(10);
}
