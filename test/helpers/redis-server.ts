/**
 * Starting real redis-server processes on loopback, without any test-runner import, so the
 * suite, the simulation script and the benchmarks share one way to do it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Socket } from "node:net";
import { freePort } from "./ports.js";
import { tempDir } from "./tmp.js";

export { freePort };

const REDIS_SERVER = "/usr/bin/redis-server";

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

export function spawnServer(
  port: number,
  dir: string,
  extra: readonly string[] = [],
): ChildProcess {
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

export async function kill(child: ChildProcess | null, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await exited;
}

/**
 * Starts a throwaway Redis on a free port (never the shared one). `args` add server flags
 * (`--appendonly yes` for an outage that keeps data, `--enable-debug-command yes`, ...);
 * `dir` is its working directory (default: a fresh temp dir, removed by `destroy`).
 */
export async function startRedisServer(
  options: { args?: readonly string[]; dir?: string } = {},
): Promise<RedisServer> {
  const port = await freePort();
  const dir = options.dir ? { path: options.dir, cleanup() {} } : tempDir("redis");
  let child: ChildProcess | null = null;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      child = spawnServer(port, dir.path, options.args);
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
