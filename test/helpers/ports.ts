import { createServer } from "node:net";
import { TEST_PORTS } from "./env.js";

/** The cluster bus of a Redis Cluster node listens on its port + 10000. */
const BUS_OFFSET = 10_000;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port in the suite's range (`VR_TEST_PORT_BASE`, `VR_TEST_PORT_COUNT`) nobody
 * listens on, for a server whose port must be known before it starts; `withBus`: its cluster
 * bus port (+10000) is free too. Random, so parallel workers rarely try the same one.
 */
export async function freePort(options: { withBus?: boolean } = {}): Promise<number> {
  const { base, count } = TEST_PORTS;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = base + Math.floor(Math.random() * count);
    if (!(await portFree(port))) continue;
    if (options.withBus) {
      const bus = port + BUS_OFFSET;
      if (bus > 65_535 || !(await portFree(bus))) continue;
    }
    return port;
  }
  throw new Error(
    `no free loopback port found in ${base}-${base + count - 1}${options.withBus ? " (with its cluster bus port +10000)" : ""}; widen VR_TEST_PORT_BASE / VR_TEST_PORT_COUNT.`,
  );
}
