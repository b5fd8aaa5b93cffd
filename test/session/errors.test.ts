import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { isStoreError, StoreError } from "../../src/index.js";

describe("StoreError", () => {
  it("is a 503 with a stable code and the store's error as its cause", () => {
    const cause = new Error("connection reset");
    const error = new StoreError("the refresh store did not answer", { cause });
    expect(error).toMatchObject({
      name: "StoreError",
      code: "ERR_STORE_UNAVAILABLE",
      status: 503,
      cause,
    });
    expect(error).toBeInstanceOf(Error);
  });

  it("is recognised by its brand, not by its class: another copy of the package counts", () => {
    const foreign = runInNewContext(
      'const e = new Error("x"); Object.defineProperty(e, Symbol.for("hs256.StoreError"), { value: true }); e',
    );
    expect(foreign instanceof StoreError).toBe(true);
    expect(isStoreError(foreign)).toBe(true);
    expect(new Error("x") instanceof StoreError).toBe(false);
    expect(isStoreError({ code: "ERR_STORE_UNAVAILABLE" })).toBe(false);
    expect(isStoreError(null)).toBe(false);
  });

  it("answers false, never throws, for a value that is not an object", () => {
    const values: unknown[] = [null, undefined, "StoreError", 503];
    for (const value of values) {
      expect((value as object) instanceof StoreError).toBe(false);
      expect(isStoreError(value)).toBe(false);
    }
  });
});
