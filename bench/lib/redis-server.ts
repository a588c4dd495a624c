import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, Socket } from "node:net";

/** A redis-server this run started for itself, on a free port, with nothing persisted. */
export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const CANDIDATES = [
  process.env.REDIS_SERVER_BIN,
  "/usr/bin/redis-server",
  "/usr/local/bin/redis-server",
];

export function redisServerBin(): string | null {
  return CANDIDATES.find((p): p is string => !!p && existsSync(p)) ?? null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a private redis-server, so figures never touch the shared one at 127.0.0.1:6379 (no
 * keys of ours there, no INFO counts of other users in ours). DEBUG is enabled for
 * `DEBUG POPULATE`; the server is killed by `stop()` (and with this process, by its pid).
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const bin = redisServerBin();
  if (!bin)
    throw new Error(
      "no redis-server binary (set REDIS_SERVER_BIN or apt-get install redis-server)",
    );
  const port = await freePort();
  const child: ChildProcess = spawn(
    bin,
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--enable-debug-command",
      "yes",
      "--loglevel",
      "warning",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`redis-server exited: ${output.trim().split("\n").pop()}`);
    if (await answers(port)) break;
    if (Date.now() > deadline) {
      kill();
      throw new Error(`redis-server did not answer on port ${port} within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    stop: async () => {
      process.removeListener("exit", kill);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Whether something on `port` answers PING with PONG. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", (d: Buffer) => done(d.toString().startsWith("+PONG")));
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}
