// The server that test/support/deno-store.ts runs in Deno: it serves the real
// denoKvStore over HTTP (see store-bridge.ts), on the KV database its second
// argument names (":memory:" or a file) and on the test's clock. `/closed/<method>` goes to a KV database that is
// closed, to show a failing store.
import { type DenoKvLike, denoKvStore } from "../../src/session/stores/deno-kv.js";
import { answer, clock } from "./store-bridge.js";

declare const Deno: {
  openKv(path: string): Promise<DenoKvLike & { close(): void }>;
  args: string[];
  serve(
    options: { hostname: string; port: number },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

const now = () => clock.now ?? Date.now();
const [port, database] = Deno.args;
const store = denoKvStore(await Deno.openKv(database as string), { now });
const closedKv = await Deno.openKv(":memory:");
closedKv.close();
const closed = denoKvStore(closedKv, { now });

Deno.serve({ hostname: "127.0.0.1", port: Number(port) }, (request) =>
  answer(new URL(request.url).pathname.startsWith("/closed/") ? closed : store, request),
);
