// The JSR package (deno.json) is the npm package (package.json) under a scoped
// name: the same version, license and entry points, less those for Node only;
// and the README's Install section names both. scripts/test-runtimes.mjs runs
// `deno publish --dry-run` and tries each install line on the packed package.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const read = (file: string) => readFileSync(resolve(ROOT, file), "utf8");
const npm = JSON.parse(read("package.json"));
const jsr = JSON.parse(read("deno.json"));

/** npm subpaths that JSR does not ship: node:crypto signing, and the manifest. */
const NODE_ONLY = ["./node", "./package.json"];

describe("the JSR package", () => {
  it("has the npm package's version and license", () => {
    expect({ version: jsr.version, license: jsr.license }).toEqual({
      version: npm.version,
      license: npm.license,
    });
  });

  it("is named like the npm package, in a scope", () => {
    expect(jsr.name).toMatch(new RegExp(`^@[a-z0-9-]+/${npm.name}$`));
  });

  it("exports every npm subpath that is not for Node only", () => {
    const subpaths = Object.keys(npm.exports).filter((subpath) => !NODE_ONLY.includes(subpath));
    expect(Object.keys(jsr.exports).sort()).toEqual(subpaths.sort());
  });

  it("is what test/runtimes/jsr imports, as `deno add` would configure it", () => {
    const consumer = JSON.parse(read("test/runtimes/jsr/deno.json"));
    expect(consumer.imports).toEqual({ [jsr.name]: `jsr:${jsr.name}` });
    expect(consumer.links.map((link: string) => resolve(ROOT, "test/runtimes/jsr", link))).toEqual([
      ROOT,
    ]);
  });
});

describe("the README's Install section", () => {
  const section = read("README.md")
    .split(/^## /m)
    .find((part) => part.startsWith("Install\n"));
  const lines = (section ?? "").split("\n").map((line) => line.replace(/#.*/, "").trim());

  it.each([
    `npm install ${npm.name}`,
    `pnpm add ${npm.name}`,
    `yarn add ${npm.name}`,
    `bun add ${npm.name}`,
    `deno add npm:${npm.name}`,
    `deno add jsr:${jsr.name}`,
  ])("has `%s`", (line) => {
    expect(lines).toContain(line);
  });
});
