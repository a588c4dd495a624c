/**
 * A throwaway redis-server this simulation owns (never the shared one), with an append-only
 * file synced on every write: a production Redis that is killed and comes back keeps its
 * data, and that is the outage the simulation plays.
 */
import { startRedisServer } from "../redis-server.js";

export interface OwnRedis {
  url: string;
  /** (Re)starts it on the same port and data directory; resolves on PING. */
  start(): Promise<void>;
  /** SIGKILL: the outage. */
  kill(): Promise<void>;
}

export async function ownRedis(dir: string): Promise<OwnRedis> {
  const server = await startRedisServer({
    dir,
    args: ["--appendonly", "yes", "--appendfsync", "always"],
  });
  return { url: server.url, start: () => server.start(), kill: () => server.stop("SIGKILL") };
}
