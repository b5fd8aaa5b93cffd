// Every TypeScript snippet of the README, the guides in docs/ and the TSDoc
// @example blocks is compiled, as its own module, with the options of
// test/types/tsconfig.json (strict, exactOptionalPropertyTypes,
// noUncheckedIndexedAccess): a snippet that stops compiling fails here.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const here = join(root, "test/types");

// What the snippets take from the text around them; a snippet's own
// declarations shadow these.
const CONTEXT = `
declare var token: string;
declare var accessToken: string;
declare var refreshToken: string;
declare var secret: string;
declare var user: { id: string; role: string };
declare var keys: Map<string, string>;
declare var ioredis: { call(command: string, ...args: string[]): Promise<unknown> };
`;

interface Snippet {
  name: string;
  code: string;
}

function markdownSnippets(path: string): Snippet[] {
  const text = readFileSync(join(root, path), "utf8");
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match, i) => ({
    name: `${path} #${i + 1}`,
    code: match[1] ?? "",
  }));
}

function tsdocSnippets(path: string): Snippet[] {
  const text = readFileSync(join(root, path), "utf8");
  const blocks = [...text.matchAll(/^\s*\* ```ts\n((?:\s*\*.*\n)*?)\s*\* ```$/gm)];
  return blocks.map((match, i) => ({
    name: `${path} @example #${i + 1}`,
    code: (match[1] ?? "").replace(/^\s*\* ?/gm, ""),
  }));
}

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

const docs = readdirSync(join(root, "docs"))
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`);
const snippets = [
  ...["README.md", ...docs].flatMap(markdownSnippets),
  ...sources("src").flatMap(tsdocSnippets),
];

function compile(list: Snippet[]): Map<string, string[]> {
  const config = ts.readConfigFile(join(here, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, here);
  const files = new Map<string, string>([[join(here, "__snippets__/context.d.ts"), CONTEXT]]);
  const names = new Map<string, string>();
  list.forEach((snippet, i) => {
    const file = join(here, `__snippets__/snippet${i}.ts`);
    // export {} makes each snippet a module, so that none sees another's names.
    files.set(file, `${snippet.code}\nexport {};\n`);
    names.set(file, snippet.name);
  });
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => files.has(file) || fileExists(file);
  host.readFile = (file) => files.get(file) ?? readFile(file);
  host.getSourceFile = (file, language, ...rest) => {
    const text = files.get(file);
    return text === undefined
      ? getSourceFile(file, language, ...rest)
      : ts.createSourceFile(file, text, language);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const errors = new Map<string, string[]>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const file = diagnostic.file?.fileName ?? "";
    const name = names.get(file) ?? relative(root, file);
    const line = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line ?? 0;
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
    errors.set(name, [...(errors.get(name) ?? []), `line ${line + 1}: ${message}`]);
  }
  return errors;
}

describe("documentation snippets", () => {
  it("finds the snippets of the README, docs/ and TSDoc", () => {
    expect(snippets.filter((s) => s.name.startsWith("README.md")).length).toBeGreaterThan(3);
    expect(snippets.some((s) => s.name.includes("@example"))).toBe(true);
    expect(snippets.some((s) => s.name.startsWith("docs/key-rotation.md"))).toBe(true);
  });

  it("compile as users write them", { timeout: 60_000 }, () => {
    expect(Object.fromEntries(compile(snippets))).toEqual({});
  });

  it("fail when one does not compile", { timeout: 60_000 }, () => {
    const broken = { name: "broken", code: 'import { sign } from "hs256";\nsign(1, 2);' };
    expect([...compile([broken]).keys()]).toEqual(["broken"]);
  });
});
