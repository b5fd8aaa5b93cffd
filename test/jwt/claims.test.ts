import { describe, expect, it } from "vitest";
import {
  type ClaimOptions,
  invalidClaim,
  type JwtPayload,
  validateClaims,
} from "../../src/jwt/claims.js";
import { verify } from "../../src/jwt/jwt.js";
import { expectJwtError } from "../support/expect.js";
import { NOW, NOW_SECONDS, rawToken, throwsWith } from "../support/signed.js";

const now = NOW_SECONDS;
// A payload that passes every default check, to change one claim at a time.
const valid = { exp: now + 60 };

function check(payload: JwtPayload, options: ClaimOptions = {}): void {
  validateClaims(payload, options, now);
}

describe("claim types (RFC 7519 sections 2 and 4.1)", () => {
  it("accepts registered claims of the right types", () => {
    const payload = {
      iss: "i",
      sub: "s",
      aud: ["a", "b"],
      exp: now + 1,
      nbf: now - 1.5,
      iat: now,
      jti: "j",
      custom: { any: ["thing"] },
    };
    expect(invalidClaim(payload)).toBeUndefined();
    expect(invalidClaim({ aud: "a" })).toBeUndefined();
    expect(invalidClaim({ aud: [] })).toBeUndefined();
    expect(invalidClaim({})).toBeUndefined();
    expect(() => check(payload)).not.toThrow();
  });

  const wrong: [string, unknown][] = [
    ["exp", "1700000060"],
    ["exp", null],
    ["exp", Number.POSITIVE_INFINITY],
    ["exp", Number.NaN],
    ["exp", true],
    ["nbf", "0"],
    ["nbf", Number.NEGATIVE_INFINITY],
    ["iat", [now]],
    ["iat", {}],
    ["iss", 5],
    ["iss", null],
    ["sub", 5],
    ["sub", ["alice"]],
    ["jti", 7],
    ["jti", false],
    ["aud", 5],
    ["aud", null],
    ["aud", { 0: "a" }],
    ["aud", ["a", 2]],
    ["aud", [null]],
  ];

  for (const [claim, value] of wrong) {
    it(`refuses ${claim} = ${String(value)} with ERR_JWT_CLAIM naming it`, () => {
      const payload = { ...valid, [claim]: value } as JwtPayload;
      expect(invalidClaim(payload)).toBe(claim);
      const error = throwsWith(() => check(payload, { requireExpiration: false }), "ERR_JWT_CLAIM");
      expect(error.claim).toBe(claim);
      expect(error.message).toBe(`"${claim}" claim has the wrong type`);
    });
  }

  it("refuses an exp of 1e999, which JSON.parse reads as Infinity", async () => {
    const token = rawToken('{"alg":"HS256"}', '{"exp":1e999}');
    const error = await expectJwtError(
      verify(token, "0123456789abcdef0123456789abcdef"),
      "ERR_JWT_CLAIM",
    );
    expect(error.claim).toBe("exp");
  });
});

describe("exp (RFC 7519 section 4.1.4)", () => {
  it("is expired at exp == now, valid at exp == now + 1", () => {
    const error = throwsWith(() => check({ exp: now }), "ERR_JWT_EXPIRED");
    expect(error.expiredAt).toEqual(new Date(now * 1000));
    expect(error.expiredAt).toBeInstanceOf(Date);
    expect(() => check({ exp: now + 1 })).not.toThrow();
    expect(() => check({ exp: now + 0.5 })).not.toThrow();
    throwsWith(() => check({ exp: now - 0.5 }), "ERR_JWT_EXPIRED");
  });

  it("reports expiredAt as exp in milliseconds", () => {
    const exp = now - 3600;
    const error = throwsWith(() => check({ exp }), "ERR_JWT_EXPIRED");
    expect(error.expiredAt?.getTime()).toBe(exp * 1000);
    expect(error.message).toBe("token has expired");
  });

  it("allows clockTolerance past exp, as a number or a duration", () => {
    for (const clockTolerance of [30, "30s"]) {
      expect(() => check({ exp: now - 29 }, { clockTolerance })).not.toThrow();
      const error = throwsWith(
        () => check({ exp: now - 30 }, { clockTolerance }),
        "ERR_JWT_EXPIRED",
      );
      expect(error.expiredAt).toEqual(new Date((now - 30) * 1000));
    }
    expect(() => check({ exp: now - 119 }, { clockTolerance: "2m" })).not.toThrow();
    throwsWith(() => check({ exp: now - 120 }, { clockTolerance: "2m" }), "ERR_JWT_EXPIRED");
  });

  it("is required by default, and when requireExpiration is true", () => {
    for (const options of [{}, { requireExpiration: true }]) {
      const error = throwsWith(() => check({ sub: "a" }, options), "ERR_JWT_CLAIM");
      expect(error.claim).toBe("exp");
    }
  });

  it("is optional with requireExpiration false, and still checked when present", () => {
    expect(() => check({ sub: "a" }, { requireExpiration: false })).not.toThrow();
    throwsWith(() => check({ exp: now }, { requireExpiration: false }), "ERR_JWT_EXPIRED");
  });

  it("refuses a clockTolerance that is not a duration with a TypeError", () => {
    expect(() => check(valid, { clockTolerance: "soon" })).toThrow(TypeError);
    expect(() => check(valid, { clockTolerance: "soon" })).toThrow(/^clockTolerance /);
    expect(() => check(valid, { clockTolerance: Number.NaN })).toThrow(TypeError);
  });
});

describe("nbf (RFC 7519 section 4.1.5)", () => {
  it("is valid at nbf == now, not yet valid at nbf == now + 1", () => {
    expect(() => check({ ...valid, nbf: now })).not.toThrow();
    expect(() => check({ ...valid, nbf: now - 100 })).not.toThrow();
    const error = throwsWith(() => check({ ...valid, nbf: now + 1 }), "ERR_JWT_NOT_YET_VALID");
    expect(error.message).toBe("token is not valid yet");
    throwsWith(() => check({ ...valid, nbf: now + 0.5 }), "ERR_JWT_NOT_YET_VALID");
  });

  it("allows clockTolerance before nbf", () => {
    for (const clockTolerance of [30, "30s"]) {
      expect(() => check({ ...valid, nbf: now + 30 }, { clockTolerance })).not.toThrow();
      throwsWith(
        () => check({ ...valid, nbf: now + 31 }, { clockTolerance }),
        "ERR_JWT_NOT_YET_VALID",
      );
    }
  });
});

describe("maxTokenAge", () => {
  it("needs iat", () => {
    const error = throwsWith(() => check(valid, { maxTokenAge: 60 }), "ERR_JWT_CLAIM");
    expect(error.claim).toBe("iat");
  });

  it("accepts a token exactly maxTokenAge old and refuses one a second older", () => {
    for (const maxTokenAge of [60, "1m", "60s"]) {
      expect(() => check({ ...valid, iat: now - 60 }, { maxTokenAge })).not.toThrow();
      expect(() => check({ ...valid, iat: now }, { maxTokenAge })).not.toThrow();
      const error = throwsWith(
        () => check({ ...valid, iat: now - 61 }, { maxTokenAge }),
        "ERR_JWT_EXPIRED",
      );
      expect(error.expiredAt).toEqual(new Date((now - 61 + 60) * 1000));
      expect(error.message).toBe("token is older than maxTokenAge");
    }
  });

  it("allows clockTolerance on the age", () => {
    expect(() =>
      check({ ...valid, iat: now - 65 }, { maxTokenAge: 60, clockTolerance: 5 }),
    ).not.toThrow();
    throwsWith(
      () => check({ ...valid, iat: now - 66 }, { maxTokenAge: 60, clockTolerance: 5 }),
      "ERR_JWT_EXPIRED",
    );
  });

  it("refuses iat in the future, beyond clockTolerance", () => {
    const error = throwsWith(
      () => check({ ...valid, iat: now + 1 }, { maxTokenAge: 60 }),
      "ERR_JWT_CLAIM",
    );
    expect(error.claim).toBe("iat");
    expect(() =>
      check({ ...valid, iat: now + 5 }, { maxTokenAge: 60, clockTolerance: 5 }),
    ).not.toThrow();
    throwsWith(
      () => check({ ...valid, iat: now + 6 }, { maxTokenAge: 60, clockTolerance: 5 }),
      "ERR_JWT_CLAIM",
    );
  });

  it("does not look at iat without maxTokenAge", () => {
    expect(() => check(valid)).not.toThrow();
    expect(() => check({ ...valid, iat: now + 1000 })).not.toThrow();
    expect(() => check({ ...valid, iat: 0 })).not.toThrow();
  });

  it("refuses a maxTokenAge that is not a duration with a TypeError", () => {
    expect(() => check({ ...valid, iat: now }, { maxTokenAge: "1 day" })).toThrow(/^maxTokenAge /);
  });
});

describe("aud (RFC 7519 section 4.1.3)", () => {
  const cases: [string | string[] | undefined, string | string[], boolean][] = [
    ["api", "api", true],
    ["api", "web", false],
    ["api", ["web", "api"], true],
    ["api", ["web", "app"], false],
    [["web", "api"], "api", true],
    [["web", "app"], "api", false],
    [["a", "b"], ["c", "b"], true],
    [["a", "b"], ["c", "d"], false],
    [[], "api", false],
    [undefined, "api", false],
    [undefined, [], false],
    ["API", "api", false],
    ["api ", "api", false],
  ];

  for (const [aud, audience, ok] of cases) {
    it(`aud ${JSON.stringify(aud)} with audience ${JSON.stringify(audience)} ${ok ? "passes" : "fails"}`, () => {
      const payload = aud === undefined ? valid : { ...valid, aud };
      if (ok) {
        expect(() => check(payload, { audience })).not.toThrow();
      } else {
        const error = throwsWith(() => check(payload, { audience }), "ERR_JWT_CLAIM");
        expect(error.claim).toBe("aud");
      }
    });
  }

  it("is not checked without the audience option", () => {
    expect(() => check({ ...valid, aud: "anything" })).not.toThrow();
  });
});

describe("iss, sub", () => {
  it("compares iss exactly, with one accepted issuer or a list", () => {
    expect(() => check({ ...valid, iss: "https://a" }, { issuer: "https://a" })).not.toThrow();
    expect(() =>
      check({ ...valid, iss: "https://b" }, { issuer: ["https://a", "https://b"] }),
    ).not.toThrow();
    for (const [iss, issuer] of [
      ["https://a/", "https://a"],
      ["https://A", "https://a"],
      ["https://c", ["https://a", "https://b"]],
      [undefined, "https://a"],
      [undefined, ["https://a"]],
    ] as const) {
      const payload = iss === undefined ? valid : { ...valid, iss };
      const error = throwsWith(() => check(payload, { issuer }), "ERR_JWT_CLAIM");
      expect(error.claim).toBe("iss");
    }
  });

  it("compares sub exactly", () => {
    expect(() => check({ ...valid, sub: "alice" }, { subject: "alice" })).not.toThrow();
    for (const payload of [{ ...valid, sub: "Alice" }, { ...valid, sub: "alice " }, valid]) {
      const error = throwsWith(() => check(payload, { subject: "alice" }), "ERR_JWT_CLAIM");
      expect(error.claim).toBe("sub");
    }
  });

  it("checks nothing that was not asked for", () => {
    expect(() => check({ ...valid, iss: "x", sub: "y", type: "z" })).not.toThrow();
  });
});

describe("type", () => {
  it("passes when the type claim is accepted", () => {
    expect(() => check({ ...valid, type: "ATK" }, { type: "ATK" })).not.toThrow();
    expect(() => check({ ...valid, type: "RTK" }, { type: ["ATK", "RTK"] })).not.toThrow();
  });

  it("fails with ERR_JWT_TYPE, expected as an array and the actual value", () => {
    const error = throwsWith(
      () => check({ ...valid, type: "RTK" }, { type: "ATK" }),
      "ERR_JWT_TYPE",
    );
    expect(error.expected).toEqual(["ATK"]);
    expect(error.actual).toBe("RTK");
    expect(error.message).toBe('token type is "RTK", expected "ATK"');

    const listed = throwsWith(
      () => check({ ...valid, type: "ID" }, { type: ["ATK", "RTK"] }),
      "ERR_JWT_TYPE",
    );
    expect(listed.expected).toEqual(["ATK", "RTK"]);
    expect(listed.actual).toBe("ID");
    expect(listed.message).toBe('token type is "ID", expected "ATK" or "RTK"');
  });

  it("fails when the type claim is missing", () => {
    const error = throwsWith(() => check(valid, { type: "ATK" }), "ERR_JWT_TYPE");
    expect(error.expected).toEqual(["ATK"]);
    expect(error.actual).toBeUndefined();
    expect(error.message).toBe('token type is missing, expected "ATK"');
  });

  it("compares exactly and does not read the JOSE typ", () => {
    for (const payload of [
      { ...valid, type: "atk" },
      { ...valid, type: "ATK " },
      { ...valid, typ: "ATK" },
      { ...valid, type: ["ATK"] },
    ] as JwtPayload[]) {
      throwsWith(() => check(payload, { type: "ATK" }), "ERR_JWT_TYPE");
    }
  });

  it("describes a non-string type without echoing it, and a long one only in part", () => {
    const error = throwsWith(
      () => check({ ...valid, type: 42 } as unknown as JwtPayload, { type: "ATK" }),
      "ERR_JWT_TYPE",
    );
    expect(error.actual).toBe(42);
    expect(error.message).toBe('token type is not a string, expected "ATK"');
    const long = `${"t".repeat(16)}${"secret-looking-tail".repeat(5)}`;
    const cut = throwsWith(() => check({ ...valid, type: long }, { type: "ATK" }), "ERR_JWT_TYPE");
    expect(cut.message).toBe(`token type is "${"t".repeat(16)}", expected "ATK"`);
    expect(cut.actual).toBe(long);
  });
});

describe("requiredClaims", () => {
  it("passes when every listed claim is present", () => {
    expect(() =>
      check({ ...valid, jti: "j", role: "admin" }, { requiredClaims: ["jti", "role", "exp"] }),
    ).not.toThrow();
    expect(() => check(valid, { requiredClaims: [] })).not.toThrow();
    expect(() =>
      check(
        { ...valid, flag: false, n: 0, s: "", z: null },
        { requiredClaims: ["flag", "n", "s", "z"] },
      ),
    ).not.toThrow();
  });

  it("refuses a list that is not of strings with a TypeError naming the option", () => {
    expect(() => check(valid, { requiredClaims: [1] as unknown as string[] })).toThrow(
      new TypeError("requiredClaims must be a string or an array of strings"),
    );
  });

  it("names the first missing claim", () => {
    const error = throwsWith(
      () => check({ ...valid, jti: "j" }, { requiredClaims: ["jti", "role", "sub"] }),
      "ERR_JWT_CLAIM",
    );
    expect(error.claim).toBe("role");
    expect(error.message).toBe('token has no "role" claim');
  });

  it("does not count a claim set to undefined or inherited from a prototype", () => {
    throwsWith(
      () => check({ ...valid, jti: undefined }, { requiredClaims: ["jti"] }),
      "ERR_JWT_CLAIM",
    );
    const inherited = Object.assign(Object.create({ jti: "from-prototype" }), valid) as JwtPayload;
    const error = throwsWith(() => check(inherited, { requiredClaims: ["jti"] }), "ERR_JWT_CLAIM");
    expect(error.claim).toBe("jti");
    throwsWith(() => check(valid, { requiredClaims: ["toString"] }), "ERR_JWT_CLAIM");
  });
});

describe("through verify", () => {
  it("uses the now option as the current time", async () => {
    const token = rawToken('{"alg":"HS256"}', JSON.stringify({ exp: NOW_SECONDS + 1 }));
    const secret = "0123456789abcdef0123456789abcdef";
    expect((await verify(token, secret, { now: NOW })).payload.exp).toBe(NOW_SECONDS + 1);
    await expect(
      verify(token, secret, { now: new Date((NOW_SECONDS + 1) * 1000) }),
    ).rejects.toMatchObject({ name: "JwtError", code: "ERR_JWT_EXPIRED" });
  });
});
