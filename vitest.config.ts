import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The examples import the package by name, as users do; tests run them on src/.
    alias: [
      { find: /^hs256$/, replacement: fileURLToPath(new URL("src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // The public types, checked by tsc as users compile them (test/types/tsconfig.json:
    // strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess), in every run.
    typecheck: {
      enabled: true,
      include: ["test/types/**/*.test-d.ts"],
      tsconfig: "test/types/tsconfig.json",
      ignoreSourceErrors: false,
    },
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["text-summary", "text"],
      thresholds: { lines: 95, branches: 95, functions: 95, statements: 95 },
    },
  },
});
