// Real servers on 127.0.0.1 for the HTTP tests: start one on a free port, stop
// it, and speak raw HTTP/1.1 to it where fetch would tidy the request up.
import type { Server } from "node:http";
import { type AddressInfo, connect } from "node:net";

/** A listening server and its base URL. */
export interface Listening {
  base: string;
  close(): Promise<void>;
}

/** Starts `server` on a free port of 127.0.0.1. */
export async function listen(server: Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Sends a GET with these header lines as written (fetch would join two
 * Authorization headers into one) and returns the whole answer as text.
 */
export function rawGet(base: string, path: string, headerLines: string[]): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise<string>((resolve, reject) => {
    let text = "";
    const socket = connect(Number(port), hostname, () => {
      const head = [
        `GET ${path} HTTP/1.1`,
        `Host: ${hostname}`,
        ...headerLines,
        "Connection: close",
      ];
      socket.end(`${head.join("\r\n")}\r\n\r\n`);
    });
    socket.setTimeout(5_000, () => socket.destroy(new Error("no answer in 5 s")));
    socket.setEncoding("utf8").on("data", (chunk) => {
      text += chunk;
    });
    socket.on("end", () => resolve(text)).on("error", reject);
  });
}
