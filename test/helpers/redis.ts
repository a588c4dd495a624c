import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { TEST_REDIS_SHOWN, TEST_REDIS_URL } from "./env.js";
import {
  freePort,
  kill,
  ping,
  type RedisServer,
  spawnServer,
  startRedisServer,
  waitUntil,
} from "./redis-server.js";
import { tempDir } from "./tmp.js";

export { freePort, ping, type RedisServer, startRedisServer, TEST_REDIS_SHOWN, waitUntil };

const run = promisify(execFile);

/** The shared Redis every test may use, each under its own `uniquePrefix` (never flush it). */
export const SHARED_REDIS_URL = TEST_REDIS_URL;
const REDIS_CLI = "/usr/bin/redis-cli";

/**
 * A throwaway server for the current `describe` block: started before its tests, destroyed
 * after. Read it inside tests: `const server = throwawayRedis(); ... server().url`.
 */
export function throwawayRedis(): () => RedisServer {
  let server: RedisServer | null = null;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  return () => {
    if (!server) throw new Error("throwawayRedis() is read before its beforeAll ran");
    return server;
  };
}

/** A real Redis Cluster of `redis-server --cluster-enabled yes` primaries on loopback. */
export interface RedisClusterHandle {
  readonly nodes: { host: string; port: number }[];
  /** An ioredis Cluster client (close it yourself). */
  client(): Cluster;
  destroy(): Promise<void>;
}

async function clusterInfo(port: number): Promise<string> {
  const { stdout } = await run(REDIS_CLI, ["-p", String(port), "cluster", "info"]);
  return stdout;
}

/** Starts `count` primaries, joins them with `redis-cli --cluster create`, waits for cluster_state:ok everywhere. */
export async function startRedisCluster(count = 3): Promise<RedisClusterHandle> {
  const dir = tempDir("redis-cluster");
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort({ withBus: true });
    if (!ports.includes(port)) ports.push(port);
  }
  const procs = ports.map((port) =>
    spawnServer(port, dir.path, [
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      `nodes-${port}.conf`,
      "--cluster-node-timeout",
      "5000",
    ]),
  );
  const destroy = async () => {
    await Promise.all(procs.map((child) => kill(child, "SIGKILL")));
    dir.cleanup();
  };
  try {
    for (const port of ports) await waitUntil(() => ping(port), `cluster node ${port}`);
    await run(REDIS_CLI, [
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (const port of ports) {
      await waitUntil(
        async () => (await clusterInfo(port)).includes("cluster_state:ok"),
        `cluster_state:ok on ${port}`,
        30_000,
      );
    }
  } catch (error) {
    await destroy();
    throw error;
  }
  const nodes = ports.map((port) => ({ host: "127.0.0.1", port }));
  return {
    nodes,
    client: () => new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 3 } }),
    destroy,
  };
}

/** Calls per command (`get`, `evalsha`, ...) from `INFO commandstats`; commands run inside Lua scripts count too. */
async function statsOf(client: Redis): Promise<Record<string, number>> {
  const info = await client.info("commandstats");
  const stats: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    stats[match[1]!] = Number(match[2]);
  }
  return stats;
}

/** `INFO commandstats` of the server at `url`, by command name. */
export async function commandStats(url: string): Promise<Record<string, number>> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    return await statsOf(client);
  } finally {
    client.disconnect();
  }
}

/**
 * Commands `fn` caused on the server at `url`, by name. One connection takes both snapshots,
 * so its own handshake falls before the first and only the first INFO call lands between
 * them (subtracted). Meant for a throwaway server: on the shared one other tests add noise.
 */
export async function countCommands<T>(
  url: string,
  fn: () => Promise<T>,
): Promise<{ result: T; counts: Record<string, number> }> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const before = await statsOf(client);
    const result = await fn();
    const after = await statsOf(client);
    const counts: Record<string, number> = {};
    for (const [name, calls] of Object.entries(after)) {
      const delta = calls - (before[name] ?? 0) - (name === "info" ? 1 : 0);
      if (delta > 0) counts[name] = delta;
    }
    return { result, counts };
  } finally {
    client.disconnect();
  }
}

/** Keys matching `pattern` on a standalone server or every primary of a cluster (tests only). */
export async function scanKeys(client: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes = client instanceof Cluster ? client.nodes("master") : [client];
  const keys: string[] = [];
  for (const node of nodes) {
    let cursor = "0";
    do {
      const [next, batch] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
  }
  return keys.sort();
}

/** Deletes this test's keys: `pattern` must name the test's own prefix. */
export async function deleteKeys(client: Redis | Cluster, pattern: string): Promise<void> {
  if (!pattern.includes("vrtest"))
    throw new Error(`refusing to delete ${pattern}: not a test prefix`);
  for (const key of await scanKeys(client, pattern)) await client.del(key);
}
