/**
 * A throwaway redis-server this simulation owns (never the shared one), with an append-only
 * file synced on every write: a production Redis that is killed and comes back keeps its
 * data, and that is the outage the simulation plays. (test/helpers/redis.ts starts servers
 * without persistence, and registers vitest hooks `npm run simulate` has no runner for.)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "../nginx.js";
import { ping, waitUntil } from "../redis.js";

const REDIS_SERVER = "/usr/bin/redis-server";

const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

export interface OwnRedis {
  url: string;
  /** (Re)starts it on the same port and data directory; resolves on PING. */
  start(): Promise<void>;
  /** SIGKILL: the outage. */
  kill(): Promise<void>;
}

export async function ownRedis(dir: string): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const redis: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        REDIS_SERVER,
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "yes",
          "--appendfsync",
          "always",
          "--dir",
          dir,
        ],
        { stdio: "ignore" },
      );
      const spawned = child;
      children.add(spawned);
      spawned.once("exit", () => children.delete(spawned));
      await waitUntil(
        () => spawned.exitCode === null && ping(port),
        `redis-server on port ${port}`,
      );
    },
    async kill() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once("exit", resolve));
      running.kill("SIGKILL");
      await exited;
    },
  };
  await redis.start();
  return redis;
}
