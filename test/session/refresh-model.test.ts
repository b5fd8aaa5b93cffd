// Revocation holds in every order of operations, for every store.
import { describe, it } from "vitest";
import { memoryStore } from "../../src/index.js";
import { checkRefreshModel } from "../support/refresh-model.js";

describe("refresh rotation and revocation, against a model", () => {
  it("memory store: a revoked family's tokens are never accepted again", async () => {
    await checkRefreshModel(async (now) => ({ store: memoryStore({ now }) }), 150);
  });
});
