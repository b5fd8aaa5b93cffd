// The input checks every store runs first: a bad call is a TypeError that
// names the field at fault, from whichever store.
import { describe, expect, it } from "vitest";
import {
  checkAccess,
  checkFamily,
  checkNewFamily,
  checkRotation,
  checkString,
  checkTime,
  checkToken,
  type Rotation,
} from "../../../src/session/stores/store.js";

const token = { sub: "alice", family: "f", jti: "j" };
const rotation: Rotation = {
  ...token,
  next: { jti: "k", iat: 1_900_000_000, exp: 1_900_003_600 },
  grace: 0,
  keepUntil: 1_900_003_600,
};

describe("the input checks of the stores", () => {
  it.each([
    ["a family that is null", () => checkFamily(null as never), "family must be an object"],
    ["a family that is a string", () => checkFamily("f" as never), "family must be an object"],
    [
      "a token without sub",
      () => checkToken({ ...token, sub: "" }),
      "sub must be a non-empty string",
    ],
    [
      "a family id with a lone surrogate",
      () => checkFamily({ sub: "alice", family: "\uD800" }),
      "family must be well-formed UTF-16",
    ],
    [
      "a token without jti",
      () => checkToken({ ...token, jti: "" }),
      "jti must be a non-empty string",
    ],
    [
      "a login kept until NaN",
      () => checkNewFamily({ ...token, keepUntil: Number.NaN }),
      "keepUntil must be a finite number of seconds since the epoch",
    ],
    [
      "an access token without exp",
      () => checkAccess({ ...token, exp: undefined as never }),
      "exp must be a finite number of seconds since the epoch",
    ],
    [
      "a rotation without successor",
      () => checkRotation({ ...rotation, next: null as never }),
      "next must be an object",
    ],
    [
      "a successor without jti",
      () => checkRotation({ ...rotation, next: { ...rotation.next, jti: "" } }),
      "next.jti must be a non-empty string",
    ],
    [
      "a successor without iat",
      () => checkRotation({ ...rotation, next: { ...rotation.next, iat: "0" as never } }),
      "next.iat must be a finite number of seconds since the epoch",
    ],
    [
      "a successor without exp",
      () => checkRotation({ ...rotation, next: { ...rotation.next, exp: Infinity } }),
      "next.exp must be a finite number of seconds since the epoch",
    ],
    [
      "a grace that is no number",
      () => checkRotation({ ...rotation, grace: "1" as never }),
      "grace must be a finite number of seconds since the epoch",
    ],
    [
      "a negative grace",
      () => checkRotation({ ...rotation, grace: -1 }),
      "grace must be zero or more seconds",
    ],
    ["a subject that is a number", () => checkString(1, "sub"), "sub must be a non-empty string"],
    [
      "a time that is a string",
      () => checkTime("1", "exp"),
      "exp must be a finite number of seconds since the epoch",
    ],
  ])("refuses %s with a TypeError naming it", (_, check, message) => {
    expect(check).toThrow(new TypeError(message));
  });

  it("lets a well-formed call through", () => {
    expect(() => checkRotation(rotation)).not.toThrow();
    expect(() => checkAccess({ ...token, exp: 1_900_000_000 })).not.toThrow();
    expect(() => checkString("user-\uD83D\uDE00", "sub")).not.toThrow();
  });
});
