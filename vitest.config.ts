import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // The examples import the package by name, as users do; tests run them on src/.
    alias: [
      { find: /^hs256$/, replacement: fileURLToPath(new URL("src/index.ts", import.meta.url)) },
      {
        find: /^hs256\/(express|fastify|hono|koa)$/,
        replacement: fileURLToPath(new URL("src/http/$1.ts", import.meta.url)),
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["text-summary", "text"],
      thresholds: { lines: 95, branches: 95, functions: 95, statements: 95 },
    },
  },
});
