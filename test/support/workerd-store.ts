// durableObjectStore in a real workerd, with Durable Objects kept in memory or
// in a directory on disk: workerd-bridge.ts serves it on a free port of 127.0.0.1.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RuntimeServer, runtimeBinary, startRuntimeServer } from "./runtime-server.js";

/** The workerd binary that `npm run test:runtimes` uses too. */
export const WORKERD = runtimeBinary("workerd");

const config = (
  services: string,
  storage: string,
) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "bridge", worker = .bridge)${services}],
  sockets = [(name = "http", address = "127.0.0.1:8080", http = (), service = "bridge")],
);
const bridge :Workerd.Worker = (
  modules = [(name = "bridge.js", esModule = embed "bridge.js")],
  compatibilityDate = "2026-10-01",
  durableObjectNamespaces = [
    (className = "TestRefreshStoreObject", uniqueKey = "hs256-refresh-store"),
    (className = "SilentObject", uniqueKey = "hs256-silent"),
    (className = "GarbledObject", uniqueKey = "hs256-garbled"),
  ],
  durableObjectStorage = ${storage},
  bindings = [
    (name = "REFRESH_STORE", durableObjectNamespace = "TestRefreshStoreObject"),
    (name = "SILENT", durableObjectNamespace = "SilentObject"),
    (name = "GARBLED", durableObjectNamespace = "GarbledObject"),
  ],
);
`;

/**
 * Starts workerd on the bridge; stop it afterwards. With `storageDir`, the
 * objects keep their storage there, so that a later workerd finds it again.
 */
export function startWorkerdStore(storageDir?: string): Promise<RuntimeServer> {
  return startRuntimeServer({
    entry: "test/support/workerd-bridge.ts",
    command(dir, port) {
      const text = storageDir
        ? config(
            `, (name = "storage", disk = (path = ${JSON.stringify(storageDir)}, writable = true))`,
            '(localDisk = "storage")',
          )
        : config("", "(inMemory = void)");
      writeFileSync(join(dir, "config.capnp"), text);
      return [WORKERD, ["serve", "config.capnp", `--socket-addr=http=127.0.0.1:${port}`]];
    },
  });
}
