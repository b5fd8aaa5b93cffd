// CI's mutation testing: all of src/, as `npm run mutate`, but incremental.
// Stryker keeps every mutant's result in test/mutation/stryker-incremental.json,
// which is committed: a run tests again only the mutants in code, or under
// tests, that changed since, takes the other results from the file, and writes
// it anew. The score is over all mutants; below 90% the run fails. Refresh the
// file with `npm run mutate:ci` and commit it with the change.
import base from "./stryker.config.mjs";

export default {
  ...base,
  incremental: true,
  incrementalFile: "test/mutation/stryker-incremental.json",
  reporters: ["clear-text", "progress"],
  thresholds: { ...base.thresholds, break: 90 },
};
