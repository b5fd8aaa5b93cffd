// denoKvStore in a real Deno, on `Deno.openKv(":memory:")` or on a database
// file: deno-bridge.ts serves it on a free port of 127.0.0.1.
import { dirname } from "node:path";
import { type RuntimeServer, runtimeBinary, startRuntimeServer } from "./runtime-server.js";

/** The deno binary that `npm run test:runtimes` uses too. */
export const DENO = runtimeBinary("deno");

/**
 * Starts Deno on the bridge; stop it afterwards. With `file`, the store's
 * database is that file, so that a later Deno finds it again.
 */
export function startDenoStore(file?: string): Promise<RuntimeServer> {
  // SQLite writes its journal files beside the database.
  const access = file ? [`--allow-read=${dirname(file)}`, `--allow-write=${dirname(file)}`] : [];
  return startRuntimeServer({
    entry: "test/support/deno-bridge.ts",
    command: (_dir, port) => [
      DENO,
      // Deno KV is still behind --unstable-kv in Deno 2.
      [
        "run",
        "--no-prompt",
        "--unstable-kv",
        "--allow-net=127.0.0.1",
        ...access,
        "bridge.js",
      ].concat(String(port), file ?? ":memory:"),
    ],
  });
}
