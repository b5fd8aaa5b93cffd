# Serves the example Worker on http://127.0.0.1:8787 with workerd:
#   npm run build && npx workerd serve examples/cloudflare-worker/config.capnp
# wrangler users deploy worker.js instead, with JWT_SECRET set by `wrangler secret put`.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    # The package's built ESM entry, under the name that worker.js imports.
    (name = "hs256", esModule = embed "../../dist/index.js"),
    (name = "hs256/cloudflare", esModule = embed "../../dist/cloudflare.js"),
  ],
  compatibilityDate = "2026-10-01",
  # One Durable Object per user holds its logins. Kept in memory here; with
  # wrangler, Cloudflare keeps it durable.
  durableObjectNamespaces = [(className = "RefreshStoreObject", uniqueKey = "hs256-example")],
  durableObjectStorage = (inMemory = void),
  bindings = [
    (name = "REFRESH_STORE", durableObjectNamespace = "RefreshStoreObject"),
    # A demo secret: a real one is random, at least 32 bytes, and never committed.
    (name = "JWT_SECRET", text = "demo-secret-change-me-at-least-32-bytes-long"),
  ],
);
