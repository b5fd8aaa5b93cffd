// The Worker that test/support/workerd-store.ts runs in workerd: it serves the
// real durableObjectStore over HTTP (see store-bridge.ts), on Durable Objects
// of a class that reads the test's clock. `GET /keys/<sub>` lists what that
// subject's object holds in storage. `/silent/<method>` goes to objects that
// never answer, to show the deadline; `/garbled/<method>` to objects whose
// every answer is one the store cannot confirm.
import {
  type DurableObjectNamespaceLike,
  type DurableObjectStateLike,
  durableObjectStore,
  RefreshStoreObject,
} from "../../src/session/stores/durable-object.js";
import { answer, clock } from "./store-bridge.js";

/** The store's object, on the clock each call brings, which also lists its keys. */
export class TestRefreshStoreObject extends RefreshStoreObject {
  readonly #state: DurableObjectStateLike;

  constructor(state: DurableObjectStateLike, env: unknown) {
    super(state, env);
    this.#state = state;
  }

  override async fetch(request: Request): Promise<Response> {
    if (request.method !== "GET") return super.fetch(request);
    return Response.json([...(await this.#state.storage.list({ prefix: "" })).keys()]);
  }

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

/** An object that answers every request with a result no method has. */
export class GarbledObject {
  fetch(): Response {
    return Response.json({ result: { outcome: "accepted" } });
  }
}

interface Env {
  REFRESH_STORE: DurableObjectNamespaceLike;
  SILENT: DurableObjectNamespaceLike;
  GARBLED: DurableObjectNamespaceLike;
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const [, route, sub] = new URL(request.url).pathname.split("/");
    if (route === "keys") {
      const stub = env.REFRESH_STORE.get(env.REFRESH_STORE.idFromName(sub as string));
      return (stub as unknown as { fetch(url: string): Promise<Response> }).fetch("https://keys/");
    }
    if (route === "silent")
      return answer(durableObjectStore(env.SILENT, { timeout: 300 }), request);
    if (route === "garbled") return answer(durableObjectStore(env.GARBLED), request);
    return answer(durableObjectStore(env.REFRESH_STORE), request);
  },
};
