// The layers of src/ import one way only: cli and http may use session and jwt,
// session may use jwt, and jwt uses nothing above it. The main entry's layers
// import nothing from outside the package, not even node: modules.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../src");
const ALLOWED: Record<string, readonly string[]> = {
  jwt: ["jwt"],
  session: ["session", "jwt"],
  http: ["http", "session", "jwt"],
  cli: ["cli", "session", "jwt"],
};

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesOf(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/** Every module specifier a file imports or re-exports. */
function importsOf(source: string): string[] {
  const found = source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/g);
  return [...found].map((match) => match[1] as string);
}

const layerOf = (file: string) => relative(SRC, file).split("/")[0] as string;

describe("src/ layers", () => {
  const files = filesOf(SRC).filter(
    (file) => file.endsWith(".ts") && relative(SRC, file).includes("/"),
  );

  it.each(files.map((file) => [relative(SRC, file), file]))(
    "%s imports only from the layers below it",
    (_name, file) => {
      const layer = layerOf(file);
      const allowed = ALLOWED[layer];
      expect(allowed, `unknown layer ${layer}`).toBeDefined();
      for (const specifier of importsOf(readFileSync(file, "utf8"))) {
        if (!specifier.startsWith(".")) {
          // Only the CLI may reach outside the package (node: modules).
          expect(layer, `${specifier} in ${relative(SRC, file)}`).toBe("cli");
          continue;
        }
        const target = layerOf(resolve(file, "..", specifier));
        expect(allowed, `${relative(SRC, file)} imports ${specifier}`).toContain(target);
      }
    },
  );

  it("recognises imports and re-exports", () => {
    const sample =
      'import { a } from "./x.js";\nexport {\n  b,\n} from "../y.js";\nimport type { C } from "node:z";';
    expect(importsOf(sample)).toEqual(["./x.js", "../y.js", "node:z"]);
  });
});
