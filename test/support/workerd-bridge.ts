// The Worker that test/support/workerd-store.ts runs in workerd: it serves the
// real durableObjectStore over HTTP (see store-bridge.ts), on Durable Objects
// of a class that reads the test's clock. `/silent/<method>` goes to objects
// that never answer, to show the deadline.
import {
  type DurableObjectNamespaceLike,
  durableObjectStore,
  RefreshStoreObject,
} from "../../src/session/stores/durable-object.js";
import { answer, clock } from "./store-bridge.js";

/** The store's object, on the clock each call brings. */
export class TestRefreshStoreObject extends RefreshStoreObject {
  protected override now(): number {
    return clock.now ?? Date.now();
  }
}

/** An object that takes every request and never answers it. */
export class SilentObject {
  fetch(): Promise<Response> {
    return new Promise(() => {});
  }
}

interface Env {
  REFRESH_STORE: DurableObjectNamespaceLike;
  SILENT: DurableObjectNamespaceLike;
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const silent = new URL(request.url).pathname.startsWith("/silent/");
    const store = silent
      ? durableObjectStore(env.SILENT, { timeout: 300 })
      : durableObjectStore(env.REFRESH_STORE);
    return answer(store, request);
  },
};
