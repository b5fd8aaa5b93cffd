// examples/bun/server.ts run by Bun itself (from .runtimes, installed by
// scripts/install-runtimes.sh), driven over real HTTP.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe } from "vitest";
import { describeCookieFlow, ORIGIN, PASSWORD } from "./flow.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const BUN = `${root}.runtimes/bun/node_modules/.bin/bun`;

/** Starts the server and resolves with its URL once it says it listens. */
function start(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => reject(new Error(`bun did not start in 20 s: ${output}`)),
      20_000,
    );
    const read = (chunk: Buffer) => {
      output += chunk;
      const url = /listening on (http:\/\/\S+?)\/?\n/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout?.on("data", read);
    child.stderr?.on("data", read);
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`bun exited with ${code}: ${output}`)));
  });
}

describe("examples/bun", () => {
  let child: ChildProcess;
  let base: string;
  beforeAll(async () => {
    child = spawn(BUN, ["examples/bun/server.ts"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        JWT_SECRET: "bun-example-secret-0123456789abcdef",
        DEMO_PASSWORD: PASSWORD,
        APP_ORIGIN: ORIGIN,
        PORT: "0",
      },
    });
    base = await start(child);
  }, 30_000);
  afterAll(() => {
    child.kill();
  });

  describeCookieFlow(() => (path, init) => fetch(base + path, init));
});
