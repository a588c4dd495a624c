/**
 * App instances as real node processes: one per fork, each serving one release. The servers are
 * TypeScript importing the library's src/; under tsx each start transpiled dozens of modules
 * through loader hooks (4-6 s apiece on a loaded 2-core machine, and a deploy starts nine), so
 * both are bundled once per process by Vite (SSR build: src/ inlined, node_modules external)
 * and run with plain `node`, always matching src/ (dist/ may be stale).
 */
import { type ChildProcess, fork } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { ROOT, tempDir } from "../tmp.js";
import type { TokenMessage } from "./pages.js";
import type { ReadyMessage } from "./server-common.js";

export type Mode = "product" | "naive";

const SOURCES: Record<Mode, string> = {
  product: fileURLToPath(new URL("./product-server.ts", import.meta.url)),
  naive: fileURLToPath(new URL("./naive-server.ts", import.meta.url)),
};

let bundled: Promise<Record<Mode, string>> | null = null;

/** The servers as plain JavaScript (`<mode>.mjs`), built on first use, removed at exit. */
function serverScripts(): Promise<Record<Mode, string>> {
  bundled ??= (async () => {
    // Under the repo's .tmp/, so the bundles' bare imports (express, ioredis) resolve.
    const out = tempDir("sim-servers");
    process.on("exit", () => rmSync(out.path, { recursive: true, force: true }));
    await build({
      configFile: false,
      root: ROOT,
      logLevel: "silent",
      build: {
        ssr: true,
        outDir: out.path,
        emptyOutDir: true,
        target: "node20",
        minify: false,
        rollupOptions: { input: SOURCES, output: { format: "es", entryFileNames: "[name].mjs" } },
      },
    });
    return { product: join(out.path, "product.mjs"), naive: join(out.path, "naive.mjs") };
  })();
  return bundled;
}

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
  const child = fork((await serverScripts())[mode], [], {
    cwd: ROOT,
    // Not the parent's flags (tsx's loader, when the parent runs under it).
    execArgv: [],
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
