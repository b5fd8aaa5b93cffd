// Stryker's instrumented code runs slower, and the tests that build 10 MB tokens
// then outlive vitest's default 5 s timeout. Types are not what a mutant changes,
// so the type tests (tsc over the whole program) stay out of every mutant's run.
import { configDefaults, defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

export default mergeConfig(
  base,
  defineConfig({
    test: {
      testTimeout: 60_000,
      typecheck: { enabled: false },
      exclude: [...configDefaults.exclude, "test/types/**"],
    },
  }),
);
