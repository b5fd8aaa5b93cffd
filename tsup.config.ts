import { defineConfig } from "tsup";

export default defineConfig([
  {
    entry: { index: "src/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    // Keeps dist/cli.js, which the second build writes at the same time.
    clean: ["!cli.js"],
    target: "es2022",
    platform: "neutral",
    sourcemap: false,
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
