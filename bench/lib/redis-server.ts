import { startRedisServer } from "../../test/helpers/redis-server.js";

/** A redis-server this run started for itself, on a free port, with nothing persisted. */
export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server, so figures never touch the shared one at 127.0.0.1:6379 (no
 * keys of ours there, no INFO counts of other users in ours). DEBUG is enabled for
 * `DEBUG POPULATE`.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const server = await startRedisServer({
    args: ["--enable-debug-command", "yes", "--loglevel", "warning"],
  });
  return { url: server.url, port: server.port, stop: () => server.destroy() };
}
