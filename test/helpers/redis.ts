import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createServer, Socket } from "node:net";
import { promisify } from "node:util";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { tempDir } from "./tmp.js";

const run = promisify(execFile);

/** The shared Redis every test may use, each under its own `uniquePrefix` (never flush it). */
export const SHARED_REDIS_URL = "redis://127.0.0.1:6379";
const REDIS_SERVER = "/usr/bin/redis-server";
const REDIS_CLI = "/usr/bin/redis-cli";

const children = new Set<ChildProcess>();
// A crashed test must not leave servers behind.
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true; throws `what` after `timeoutMs` (a wait, not an assertion on time). */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** A loopback port nobody listens on (and, for a cluster node, its bus port +10000 too). */
export async function freePort(options: { withBus?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 25_000);
    if (!(await portFree(port))) continue;
    if (options.withBus && !(await portFree(port + 10_000))) continue;
    return port;
  }
  throw new Error("no free loopback port found");
}

/** Sends PING over a raw socket: true when the server answers PONG. */
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}

/** A throwaway `redis-server` this test owns: stop it to simulate an outage, start it again on the same port. */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Starts the server (again) on the same port and waits for PING. */
  start(): Promise<void>;
  /** Kills the server and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal without waiting (SIGSTOP / SIGCONT: a hung server). */
  signal(signal: NodeJS.Signals): void;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

function spawnServer(port: number, dir: string, extra: readonly string[] = []): ChildProcess {
  const child = spawn(
    REDIS_SERVER,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      ...extra,
    ],
    { stdio: "ignore" },
  );
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

async function kill(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
}

/** Starts a throwaway Redis on a free port (never the shared one). */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = tempDir("redis");
  let child: ChildProcess | null = null;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      child = spawnServer(port, dir.path);
      await waitUntil(() => ping(port), `redis-server on port ${port}`);
    },
    async stop(signal = "SIGKILL") {
      await kill(child, signal);
      child = null;
    },
    signal(signal) {
      child?.kill(signal);
    },
    async destroy() {
      child?.kill("SIGCONT");
      await server.stop();
      dir.cleanup();
    },
  };
  await server.start();
  return server;
}

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
