import { describe, expect, it } from "vitest";
import { challenge } from "../../src/jwt/challenge.js";

// RFC 6750 section 3: the WWW-Authenticate value of the Bearer scheme.
describe("challenge", () => {
  it.each([
    [[], "Bearer"],
    [["api"], 'Bearer realm="api"'],
    [[undefined, "invalid_token"], 'Bearer error="invalid_token"'],
    [
      ["api", "invalid_token", "token has expired"],
      'Bearer realm="api", error="invalid_token", error_description="token has expired"',
    ],
  ] as const)("writes %j as %s", (args, expected) => {
    expect(challenge(...args)).toBe(expected);
  });

  // A value that could end the quoted string or the header line would let
  // whoever chose it write headers of their own.
  it.each([
    ["realm", ['a"b\\c\r\nSet-Cookie: x=1'], `Bearer realm="a'bcSet-Cookie: x=1"`],
    [
      "error",
      [undefined, 'invalid_token", x="1\r\nSet-Cookie: x=1'],
      `Bearer error="invalid_token', x='1Set-Cookie: x=1"`,
    ],
    [
      "description",
      [undefined, "invalid_token", 'é"\n\u0000'],
      `Bearer error="invalid_token", error_description="'"`,
    ],
  ] as const)(
    "keeps quotes, backslashes, CR, LF and non-ASCII out of the %s",
    (_, args, expected) => {
      expect(challenge(...args)).toBe(expected);
    },
  );
});
