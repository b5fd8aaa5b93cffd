// Stryker's instrumented code runs slower, and the tests that build 10 MB tokens
// then outlive vitest's default 5 s timeout.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

export default mergeConfig(base, defineConfig({ test: { testTimeout: 60_000 } }));
