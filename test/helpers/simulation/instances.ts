/** App instances as real node processes: one per fork, each serving one release. */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ROOT } from "../tmp.js";
import type { TokenMessage } from "./pages.js";
import type { ReadyMessage } from "./server-common.js";

export type Mode = "product" | "naive";

const SCRIPTS: Record<Mode, string> = {
  product: fileURLToPath(new URL("./product-server.ts", import.meta.url)),
  naive: fileURLToPath(new URL("./naive-server.ts", import.meta.url)),
};

// Absolute, so the servers start from any cwd (a bare "tsx" resolves against the cwd).
const TSX = import.meta.resolve("tsx");

const running = new Set<ChildProcess>();
// A failed run must not leave instances behind.
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A running instance. */
export interface Instance {
  /** "A1", "B2", ... */
  name: string;
  release: string;
  port: number;
  /** What it sends as X-App-Version. */
  version: string;
  /** Its last stderr lines (warnings), for the report. */
  log(): string;
  /** SIGTERM and wait for the graceful exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Forks `mode`'s server for `release` with `env`; resolves once it listens. `onToken`: each
 * form token the instance received.
 */
export async function startInstance(
  mode: Mode,
  name: string,
  release: string,
  env: Record<string, string>,
  onToken: (token: string) => void = () => {},
): Promise<Instance> {
  const child = fork(SCRIPTS[mode], [], {
    cwd: ROOT,
    execArgv: ["--import", TSX],
    env: { ...process.env, NODE_ENV: "production", SIM_RELEASE: release, ...env },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  running.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  child.on("message", (message: Partial<TokenMessage>) => {
    if (typeof message.token === "string") onToken(message.token);
  });
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    child.on("message", (message: Partial<ReadyMessage>) => {
      if (message.ready) resolve(message as ReadyMessage);
    });
    void exited.then(() =>
      reject(new Error(`instance ${name} exited before listening:\n${stderr}`)),
    );
  });
  return {
    name,
    release,
    port: ready.port,
    version: ready.version,
    log: () => stderr,
    async stop(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
