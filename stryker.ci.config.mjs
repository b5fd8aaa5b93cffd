// The verify path alone (parse, verify, validate claims): fast enough for CI.
import base from "./stryker.config.mjs";

export default {
  ...base,
  mutate: [
    "src/base64url.ts",
    "src/jws.ts",
    "src/jwt.ts",
    "src/claims.ts",
    "src/key.ts",
    "src/duration.ts",
  ],
  reporters: ["clear-text", "progress"],
};
