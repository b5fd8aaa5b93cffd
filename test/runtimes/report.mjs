// Runs the conformance checks and prints them as one line that
// scripts/test-runtimes.mjs reads back: the runtime's name and version, and each result.
import { conformance } from "./conformance.mjs";

export const MARKER = "CONFORMANCE ";

export async function report(lib, entry) {
  const results = await conformance(lib);
  console.log(MARKER + JSON.stringify({ runtime: runtimeName(), entry, results }));
}

function runtimeName() {
  const { Deno, Bun, process } = globalThis;
  if (Deno) return `deno ${Deno.version.deno}`;
  if (Bun) return `bun ${Bun.version}`;
  if (process?.versions?.node) return `node ${process.versions.node}`;
  return "unknown";
}
