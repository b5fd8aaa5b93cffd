// Stryker's instrumented code runs slower, and the tests that build 10 MB tokens
// then outlive vitest's default 5 s timeout. Types are not what a mutant changes,
// so the type tests (tsc over the whole program) stay out of every mutant's run.
//
// Also left out: the tests whose code under test runs in another process (Bun,
// Deno, workerd, Chromium, the built CLI), where Stryker cannot switch a mutant
// on, and the fault and cluster suites, which start and crash redis-servers for
// seconds per run. Each mutant re-runs the files that cover it, so one of these
// would cost seconds a mutant. The same code is held in process by the store
// contract on a real redis-server (test/session/stores/redis.test.ts) and by
// scripted clients; `npm test` runs everything.
import { configDefaults, defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

const IN_OTHER_PROCESSES = [
  // Builds and loads a second copy of the package inside a test (see the file).
  "test/jwt/errors-copy.test.ts",
  "test/cli/bin.test.ts",
  "test/examples/browser.test.ts",
  "test/examples/bun.test.ts",
  "test/examples/demo.test.ts",
  "test/session/stores/deno-kv.test.ts",
  "test/session/stores/durable-object.test.ts",
];
// Loads modules again inside its tests: their load-time code would count as
// covered by those tests alone (see the file).
const RELOADS_MODULES = ["test/jwt/hmac-scheduler.test.ts"];
const SLOW_FAULTS = [
  "test/session/stores/redis-cluster.test.ts",
  "test/session/stores/redis-failover.test.ts",
  "test/session/stores/redis-faults.test.ts",
];

export default mergeConfig(
  base,
  defineConfig({
    test: {
      testTimeout: 60_000,
      typecheck: { enabled: false },
      exclude: [
        ...configDefaults.exclude,
        "test/types/**",
        ...IN_OTHER_PROCESSES,
        ...RELOADS_MODULES,
        ...SLOW_FAULTS,
      ],
    },
  }),
);
