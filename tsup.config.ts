import { defineConfig } from "tsup";

export default defineConfig([
  {
    // jwt-hs256/node is built with the main entry, so that both share one copy of the types.
    entry: { index: "src/index.ts", node: "src/node.ts" },
    format: ["esm", "cjs"],
    dts: true,
    // Keeps dist/cli.js, which the second build writes at the same time.
    clean: ["!cli.js"],
    target: "es2022",
    platform: "neutral",
    sourcemap: false,
    // Keep "node:crypto" as written in src/node.ts: the prefix says it is a builtin on every runtime.
    removeNodeProtocol: false,
    external: [/^node:/],
  },
  {
    // The command line is a separate bundle, so that the main entry never sees node: modules.
    entry: { cli: "src/bin.ts" },
    format: ["esm"],
    target: "es2022",
    platform: "node",
    removeNodeProtocol: false,
    sourcemap: false,
  },
]);
