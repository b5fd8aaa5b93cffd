// Mutation testing (StrykerJS): every check in src/ must be bitten by some test.
// `npm run mutate` runs it over all of src/ from scratch; `npm run mutate:ci`
// (stryker.ci.config.mjs) over the same files incrementally. Scores and
// equivalent mutants: docs/mutation.md.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.stryker.config.ts" },
  plugins: ["@stryker-mutator/vitest-runner"],
  // index.ts only re-exports; everything else is mutated, the adapters, the
  // stores and the command line included, but for the stores that run only in
  // workerd and Deno: their tests drive them there over HTTP, in another
  // process where a mutant cannot be switched on (as for Node's coverage).
  mutate: [
    "src/**/*.ts",
    "!src/index.ts",
    "!src/session/stores/durable-object.ts",
    "!src/session/stores/deno-kv.ts",
    "!src/session/stores/family-record.ts",
  ],
  // Not copied into the sandbox: the runtimes of test:runtimes, and the builds.
  ignorePatterns: [".runtimes", "dist", "coverage", "docs/api", "reports"],
  coverageAnalysis: "perTest",
  // A static mutant is one only reached while a module loads (a constant, a
  // table of messages): no test can be picked for it, so it would re-run the
  // whole suite, 850 of them at ~25 s each. They are left out of the score and
  // listed as ignored in the report (docs/mutation.md).
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 3000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
