# The example Worker, and a Worker that answers with the conformance results,
# in one workerd. scripts/test-runtimes.mjs sets both sockets' addresses.
using Workerd = import "/workerd/workerd.capnp";
using Example = import "../../examples/cloudflare-worker/config.capnp";

const config :Workerd.Config = (
  services = [
    (name = "example", worker = Example.worker),
    (name = "conformance", worker = .conformance),
  ],
  sockets = [
    (name = "example", address = "127.0.0.1:8787", http = (), service = "example"),
    (name = "conformance", address = "127.0.0.1:8788", http = (), service = "conformance"),
  ],
);

const conformance :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "workerd-worker.mjs"),
    (name = "conformance.mjs", esModule = embed "conformance.mjs"),
    (name = "hs256", esModule = embed "../../dist/index.js"),
  ],
  compatibilityDate = "2026-10-01",
);
