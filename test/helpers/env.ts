/**
 * Where the suite finds and puts its services, read from the environment in this one place, so
 * it can run beside other Redis servers and daemons on the same machine. The suite, the
 * simulation and the benchmarks all read these; scripts/ensure-services.sh reads the URL too.
 *
 * - `VR_TEST_REDIS_URL`: the shared Redis (database included, `redis://host:port/db`) that tests
 *   write to under their own key prefix. Default `redis://127.0.0.1:6379` (database 0).
 * - `VR_TEST_PORT_BASE`, `VR_TEST_PORT_COUNT`: the loopback port range the throwaway servers
 *   whose port is chosen ahead (redis-server, Redis Cluster nodes, nginx, the demo) take their
 *   ports from. Default 20000 and 25000 (ports 20000-44999); a cluster node also uses its port
 *   + 10000 for the cluster bus. Servers that listen on port 0 get a free port from the OS.
 */

const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
const DEFAULT_PORT_BASE = 20_000;
const DEFAULT_PORT_COUNT = 25_000;

function redisUrl(raw: string | undefined): string {
  const value = raw?.trim() || DEFAULT_REDIS_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `VR_TEST_REDIS_URL is "${value}", not a URL; set it like redis://127.0.0.1:6379/0 or unset it.`,
    );
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new Error(
      `VR_TEST_REDIS_URL is "${value}": expected a redis:// or rediss:// URL, like redis://127.0.0.1:6379/0.`,
    );
  }
  // The form the library prints in messages (no trailing slash), so tests can compare with it.
  return url.toString().replace(/\/$/, "");
}

function integer(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} is "${raw}": expected a positive integer; set it or unset it.`);
  }
  return value;
}

function portRange(env: NodeJS.ProcessEnv): { base: number; count: number } {
  const base = integer("VR_TEST_PORT_BASE", env.VR_TEST_PORT_BASE, DEFAULT_PORT_BASE);
  const count = integer("VR_TEST_PORT_COUNT", env.VR_TEST_PORT_COUNT, DEFAULT_PORT_COUNT);
  if (base < 1024 || base + count - 1 > 65_535) {
    throw new Error(
      `VR_TEST_PORT_BASE=${base} with VR_TEST_PORT_COUNT=${count} spans ports ${base}-${base + count - 1}: expected a range inside 1024-65535; lower the count or move the base.`,
    );
  }
  return { base, count };
}

/** The shared Redis every test may use, each under its own `uniquePrefix` (never flush it). */
export const TEST_REDIS_URL = redisUrl(process.env.VR_TEST_REDIS_URL);

/**
 * `TEST_REDIS_URL` as the library's messages show it (the password masked), for tests that pin
 * a message naming the Redis they talk to.
 */
export const TEST_REDIS_SHOWN = (() => {
  const url = new URL(TEST_REDIS_URL);
  if (url.password) url.password = "***";
  return url.toString().replace(/\/$/, "");
})();

/** Loopback ports `base` to `base + count - 1` are the suite's to take (see `freePort`). */
export const TEST_PORTS = portRange(process.env);
