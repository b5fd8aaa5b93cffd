import { describe, expect, it } from "vitest";
import { isJwtError, JwtError, type JwtErrorCode } from "../../src/jwt/errors.js";

const CODES: JwtErrorCode[] = [
  "ERR_JWT_MALFORMED",
  "ERR_JWT_ALGORITHM",
  "ERR_JWT_SIGNATURE",
  "ERR_JWT_EXPIRED",
  "ERR_JWT_NOT_YET_VALID",
  "ERR_JWT_CLAIM",
  "ERR_JWT_TYPE",
  "ERR_JWT_KEY",
  "ERR_JWT_REVOKED",
  "ERR_JWT_MISSING",
];

describe("JwtError", () => {
  it("is an Error with a name, a code and a message", () => {
    for (const code of CODES) {
      const error = new JwtError(code, `message for ${code}`);
      expect(error).toBeInstanceOf(Error);
      expect(error).toBeInstanceOf(JwtError);
      expect(error.name).toBe("JwtError");
      expect(error.code).toBe(code);
      expect(error.message).toBe(`message for ${code}`);
      expect(String(error)).toBe(`JwtError: message for ${code}`);
      expect(error.stack).toContain("message for");
    }
  });

  it("sets no detail that was not given", () => {
    const error = new JwtError("ERR_JWT_SIGNATURE", "bad");
    for (const name of ["expiredAt", "claim", "expected", "actual", "cause"]) {
      expect((error as unknown as Record<string, unknown>)[name], name).toBeUndefined();
      expect(Object.hasOwn(error, name), name).toBe(false);
    }
  });

  it("carries the details of its code", () => {
    const expiredAt = new Date(1_700_000_000_000);
    expect(new JwtError("ERR_JWT_EXPIRED", "x", { expiredAt }).expiredAt).toBe(expiredAt);
    expect(new JwtError("ERR_JWT_CLAIM", "x", { claim: "aud" }).claim).toBe("aud");
    const typed = new JwtError("ERR_JWT_TYPE", "x", { expected: ["ATK"], actual: "RTK" });
    expect(typed.expected).toEqual(["ATK"]);
    expect(typed.actual).toBe("RTK");
  });

  it("passes the cause on to Error", () => {
    const cause = new Error("underlying");
    const error = new JwtError("ERR_JWT_KEY", "x", { cause });
    expect(error.cause).toBe(cause);
  });

  // RFC 6750 section 3: whoever throws it, the error can answer the request as it is.
  it.each(CODES.filter((code) => code !== "ERR_JWT_MISSING"))(
    "answers %s with 401 and an invalid_token challenge from the moment it is made",
    (code) => {
      const error = new JwtError(code, 'token is "bad"\r\n');
      expect(error).toMatchObject({
        status: 401,
        wwwAuthenticate: `Bearer error="invalid_token", error_description="token is 'bad'"`,
      });
    },
  );

  it("answers ERR_JWT_MISSING with a bare Bearer challenge (RFC 6750 section 3.1)", () => {
    expect(new JwtError("ERR_JWT_MISSING", "no token")).toMatchObject({
      status: 401,
      wwwAuthenticate: "Bearer",
    });
  });

  it("lets a layer above set another status and challenge", () => {
    const error = new JwtError("ERR_JWT_MALFORMED", "x");
    error.status = 400;
    error.wwwAuthenticate = 'Bearer realm="api", error="invalid_request"';
    expect(error).toMatchObject({
      status: 400,
      wwwAuthenticate: 'Bearer realm="api", error="invalid_request"',
    });
  });
});

describe("isJwtError", () => {
  it("is true for a JwtError and false for anything else", () => {
    expect(isJwtError(new JwtError("ERR_JWT_CLAIM", "x"))).toBe(true);
    expect(isJwtError(new Error("x"))).toBe(false);
    expect(isJwtError({ name: "JwtError", code: "ERR_JWT_CLAIM", message: "x" })).toBe(false);
    expect(isJwtError(undefined)).toBe(false);
    expect(isJwtError(null)).toBe(false);
    expect(isJwtError("ERR_JWT_CLAIM")).toBe(false);
  });

  it("checks the code when one is given", () => {
    const error = new JwtError("ERR_JWT_EXPIRED", "x");
    expect(isJwtError(error, "ERR_JWT_EXPIRED")).toBe(true);
    expect(isJwtError(error, "ERR_JWT_CLAIM")).toBe(false);
    expect(isJwtError(new Error("x"), "ERR_JWT_EXPIRED")).toBe(false);
  });
});

describe("JwtError's own properties", () => {
  it("holds only the details its code carries", () => {
    const error = new JwtError("ERR_JWT_CLAIM", "bad", { claim: "iss" });
    expect(Object.keys(error).sort()).toEqual([
      "claim",
      "code",
      "name",
      "status",
      "wwwAuthenticate",
    ]);
  });
});
