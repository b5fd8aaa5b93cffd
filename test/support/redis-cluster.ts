// Starts a real, throwaway Redis Cluster of three masters (no replicas) on
// 127.0.0.1, for the cluster tests: each node a redis-server of its own on a
// port whose bus port (port + 10000) is free too.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { findBinary, type RedisServer, startRedisServer } from "./redis-server.js";

export interface RedisCluster {
  /** The masters, each as `redis://127.0.0.1:<port>`. */
  urls: string[];
  ports: number[];
  /** Stops every node and deletes their directories. */
  stop(): Promise<void>;
}

const run = promisify(execFile);
const MASTERS = 3;
const READY_TIMEOUT_MS = 20_000;

/** Starts three masters, joins them into one cluster, and resolves once every node says `cluster_state:ok`. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < MASTERS; i++) {
      // Each node's directory is its own (redis-server runs in it), so one
      // nodes.conf name serves all.
      const args = ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"];
      nodes.push(
        await startRedisServer({
          clusterPort: true,
          args: [...args, "--cluster-node-timeout", "2000"],
        }),
      );
    }
    const ports = nodes.map((node) => node.port);
    await cli([
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      "--cluster-yes",
    ]);
    await waitForClusterOk(ports);
    return { urls: nodes.map((node) => node.url), ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function cli(args: string[]): Promise<string> {
  const binary = findBinary("redis-cli");
  if (!binary) throw new Error("redis-cli not found");
  const { stdout } = await run(binary, args, { timeout: 15_000 });
  return stdout;
}

// Every node must see every slot served before a client can rely on any of them.
async function waitForClusterOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const states = await Promise.all(
      ports.map((port) => cli(["-h", "127.0.0.1", "-p", String(port), "CLUSTER", "INFO"])),
    );
    if (states.every((info) => info.includes("cluster_state:ok"))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the cluster did not reach cluster_state:ok within ${READY_TIMEOUT_MS} ms`);
}
