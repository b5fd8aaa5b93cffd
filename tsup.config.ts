import { defineConfig, type Options } from "tsup";

// Each entry is built on its own, so that no chunk is shared between them: the
// main entry's files import nothing at all, and each .d.ts stands alone (Deno
// type-checks against it and resolves no sibling chunks).
const library: Options = {
  format: ["esm", "cjs"],
  dts: true,
  target: "es2022",
  platform: "neutral",
  sourcemap: false,
  // Keep "node:crypto" as written in src/node.ts: the prefix says it is a builtin on every runtime.
  removeNodeProtocol: false,
  external: [/^node:/],
};

// Deno reads no package.json when a file is imported by path (or from a CDN):
// this comment points it at the file's declarations (Deno's @ts-self-types).
const selfTypes = (name: string): Options["banner"] => ({
  js: `/* @ts-self-types="./${name}.d.ts" */`,
});

export default defineConfig([
  { ...library, entry: { index: "src/index.ts" }, banner: selfTypes("index") },
  { ...library, entry: { node: "src/node.ts" }, banner: selfTypes("node") },
  {
    // The command line is a separate bundle, so that the main entry never sees node: modules.
    entry: { cli: "src/cli/bin.ts" },
    format: ["esm"],
    target: "es2022",
    platform: "node",
    removeNodeProtocol: false,
    sourcemap: false,
  },
]);
