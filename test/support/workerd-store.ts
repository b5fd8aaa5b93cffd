// durableObjectStore in a real workerd, with Durable Objects kept in memory:
// workerd-bridge.ts serves it on a free port of 127.0.0.1.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RuntimeServer, runtimeBinary, startRuntimeServer } from "./runtime-server.js";

/** The workerd binary that `npm run test:runtimes` uses too. */
export const WORKERD = runtimeBinary("workerd");

const CONFIG = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "bridge", worker = .bridge)],
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
  durableObjectStorage = (inMemory = void),
  bindings = [
    (name = "REFRESH_STORE", durableObjectNamespace = "TestRefreshStoreObject"),
    (name = "SILENT", durableObjectNamespace = "SilentObject"),
    (name = "GARBLED", durableObjectNamespace = "GarbledObject"),
  ],
);
`;

/** Starts workerd on the bridge; stop it afterwards. */
export function startWorkerdStore(): Promise<RuntimeServer> {
  return startRuntimeServer({
    entry: "test/support/workerd-bridge.ts",
    command(dir, port) {
      writeFileSync(join(dir, "config.capnp"), CONFIG);
      return [WORKERD, ["serve", "config.capnp", `--socket-addr=http=127.0.0.1:${port}`]];
    },
  });
}
