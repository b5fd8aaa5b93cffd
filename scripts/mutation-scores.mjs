// Prints the per-module mutation scores of the committed incremental results
// (test/mutation/stryker-incremental.json) as the Markdown table of
// docs/mutation.md, so that the table is rebuilt from the results, not typed.
// `--survivors` lists every surviving mutant with its line, for the notes there.
import { readFileSync } from "node:fs";

const REPORT = new URL("../test/mutation/stryker-incremental.json", import.meta.url);
const { files } = JSON.parse(readFileSync(REPORT, "utf8"));
const COLUMNS = ["Killed", "Timeout", "Survived", "NoCoverage", "Ignored"];

function counts(mutants) {
  const count = Object.fromEntries(COLUMNS.map((status) => [status, 0]));
  for (const { status } of mutants) count[status] = (count[status] ?? 0) + 1;
  return count;
}

// Stryker's score: detected (killed or timed out) over all but the ignored.
function score(c) {
  const valid = c.Killed + c.Timeout + c.Survived + c.NoCoverage;
  return valid === 0 ? "–" : `${((100 * (c.Killed + c.Timeout)) / valid).toFixed(2)}%`;
}

function row(name, c) {
  return `| ${name} | ${COLUMNS.map((status) => c[status]).join(" | ")} | ${score(c)} |`;
}

function printTable() {
  const total = counts([]);
  console.log(
    "| module | killed | timed out | survived | no coverage | ignored (static) | score |",
  );
  console.log("| --- | --: | --: | --: | --: | --: | --: |");
  for (const [name, file] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const c = counts(file.mutants);
    for (const status of COLUMNS) total[status] += c[status];
    console.log(row(`\`${name.replace(/^src\//, "")}\``, c));
  }
  console.log(row("**all**", total));
}

function printSurvivors() {
  for (const [name, file] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const lines = file.source.split("\n");
    for (const m of file.mutants) {
      if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
      const { line } = m.location.start;
      const where = `${name}:${line}`;
      console.log(`${where} ${m.status} ${m.mutatorName} -> ${JSON.stringify(m.replacement)}`);
      console.log(`    ${lines[line - 1]?.trim()}`);
    }
  }
}

if (process.argv.includes("--survivors")) printSurvivors();
else printTable();
