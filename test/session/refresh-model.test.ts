// Revocation, grace, session limits and key rotation hold in every order of
// operations, for every store.
import { describe, it } from "vitest";
import { memoryStore } from "../../src/index.js";
import { checkRefreshModel } from "../support/refresh-model.js";

describe("the login flow against a model", () => {
  it("memory store on the model's clock", async () => {
    await checkRefreshModel(async (now) => ({ store: memoryStore({ now }) }), 150);
  });

  // As a store on a server runs: its clock is the real one, so the grace never
  // ends within a run, and its families outlive the model's time.
  it("memory store on its own clock", async () => {
    await checkRefreshModel(async () => ({ store: memoryStore(), ownClock: true }), 50);
  });
});
