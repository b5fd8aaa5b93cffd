// denoKvStore in a real Deno, on `Deno.openKv(":memory:")`: deno-bridge.ts
// serves it on a free port of 127.0.0.1.
import { type RuntimeServer, runtimeBinary, startRuntimeServer } from "./runtime-server.js";

/** The deno binary that `npm run test:runtimes` uses too. */
export const DENO = runtimeBinary("deno");

/** Starts Deno on the bridge; stop it afterwards. */
export function startDenoStore(): Promise<RuntimeServer> {
  return startRuntimeServer({
    entry: "test/support/deno-bridge.ts",
    command: (_dir, port) => [
      DENO,
      // Deno KV is still behind --unstable-kv in Deno 2.
      ["run", "--no-prompt", "--unstable-kv", "--allow-net=127.0.0.1", "bridge.js", String(port)],
    ],
  });
}
