/**
 * The hello-world servers (servers/hello.ts) that figures 4 and 7 measure: compiled to JS,
 * started one process per framework, and checked before anything is measured.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import ts from "typescript";
import { BENCH, ROOT, WORK } from "./paths.js";

export const FRAMEWORKS = ["express", "fastify", "hono", "koa", "node"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/**
 * One port per app: plain, behind a do-nothing middleware, behind vite-rolling's, and the plain
 * app sending by hand what the middleware's sends (header and tagged page, no middleware).
 */
export interface Ports {
  plain: number;
  noop: number;
  withMiddleware: number;
  byHand: number;
}

export interface Servers {
  child: ChildProcess;
  ports: Ports;
  /** The child's CPU time so far, in µs. */
  cpu(): Promise<number>;
  /** Collects the child's garbage (a no-op unless node runs with --expose-gc). */
  gc(): Promise<void>;
}

/** What a figure row measures: a small HTML page (version tags injected) or a small JSON body. */
export const KINDS = [
  { name: "HTML page", path: "/", marker: "Hello, world" },
  { name: "JSON", path: "/json", marker: '"hello":"world"' },
] as const;
export type Kind = (typeof KINDS)[number];

/**
 * servers/hello.ts as JavaScript, so the server runs on plain `node` as a production server
 * does. Under `--import tsx` the loader's hooks stay active for the whole process, and with
 * them every young-generation GC of a busy server took several times longer (--trace-gc: about
 * 0.5 s of GC per 3 s of load against 0.06 s on plain node, same code): figure 4 measured the
 * loader's GC cost as the middleware's. Type-only imports are erased; nothing else changes.
 */
export function compiledServer(): string {
  const source = readFileSync(join(BENCH, "servers", "hello.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const file = join(WORK, "servers", "hello.mjs");
  mkdirSync(join(WORK, "servers"), { recursive: true });
  writeFileSync(file, outputText);
  return file;
}

/**
 * Starts the compiled server for one framework and waits for its ports. `command` is what runs
 * the file: plain node by default, or a wrapper's command line that ends with node and its
 * options (`[valgrind, ...its options, node, ...node's]`).
 */
export async function startServers(
  server: string,
  framework: string,
  manifestPath: string,
  libDir: string,
  command: readonly string[] = [process.execPath],
): Promise<Servers> {
  const [file, ...args] = command as [string, ...string[]];
  const child = spawn(file, [...args, server, framework, manifestPath, libDir], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += d;
  });
  const lines: Interface = createInterface({ input: child.stdout! });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(
          new Error(
            `${framework} server exited (${code}): ${stderr.trim().split("\n").slice(-3).join(" ")}`,
          ),
        );
      const onError = (error: Error) => reject(new Error(`${file}: ${error.message}`));
      child.once("exit", onExit);
      child.once("error", onError);
      lines.once("line", (line) => {
        child.removeListener("exit", onExit);
        child.removeListener("error", onError);
        resolve(line);
      });
    });
  const ports: Ports = JSON.parse(await next());
  return {
    child,
    ports,
    cpu: async () => {
      const answer = next();
      child.stdin!.write("cpu\n");
      return JSON.parse(await answer).cpu;
    },
    gc: async () => {
      const answer = next();
      child.stdin!.write("gc\n");
      await answer;
    },
  };
}

/**
 * The plain and no-op apps must serve the same body without the version header; the middleware's
 * sends the header, the HTML page with the version tags, the JSON response nothing but the
 * header. The by-hand app must send the header too and, byte for byte, the middleware app's body.
 */
export async function check(ports: Ports, kind: Kind): Promise<void> {
  // One request at a time: the server sees the same sequence in every run.
  const get = async (port: number) => {
    const response = await fetch(`http://127.0.0.1:${port}${kind.path}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    return { response, bytes, body: bytes.toString("utf8") };
  };
  const { response: plain, body: plainBody } = await get(ports.plain);
  const { response: noop, body: noopBody } = await get(ports.noop);
  const { response: withMiddleware, body, bytes } = await get(ports.withMiddleware);
  const { response: byHand, body: byHandBody, bytes: byHandBytes } = await get(ports.byHand);
  const statuses = [plain, noop, withMiddleware, byHand].map((r) => r.status);
  if (statuses.some((status) => status !== 200)) {
    throw new Error(`${kind.path}: status ${statuses.join(" / ")}`);
  }
  if (!plainBody.includes(kind.marker) || !body.includes(kind.marker)) {
    throw new Error(`${kind.path} is not the expected ${kind.name}`);
  }
  if (plain.headers.get("x-app-version")) throw new Error("the plain app sends X-App-Version");
  if (noop.headers.get("x-app-version") || noopBody !== plainBody) {
    throw new Error(`the no-op middleware's app does not answer ${kind.path} as the plain one`);
  }
  if (withMiddleware.headers.get("x-app-version") !== "bench-1") {
    throw new Error(
      `the middleware app sends X-App-Version ${withMiddleware.headers.get("x-app-version")} on ${kind.path}, expected bench-1`,
    );
  }
  const injected = body.includes('<meta name="app-version" content="bench-1">');
  if (kind.path === "/" && !injected) {
    throw new Error("the middleware app did not inject the version tags");
  }
  if (kind.path !== "/" && body !== plainBody) {
    throw new Error(`the middleware changed the JSON body: ${body.slice(0, 80)}`);
  }
  if (byHand.headers.get("x-app-version") !== "bench-1") {
    throw new Error(
      `the by-hand app sends X-App-Version ${byHand.headers.get("x-app-version")} on ${kind.path}, expected bench-1`,
    );
  }
  if (!byHandBytes.equals(bytes)) {
    throw new Error(
      `the by-hand app's ${kind.path} differs from the middleware app's: ${byHandBody.slice(0, 80)}`,
    );
  }
}

export async function stop(servers: Servers | null): Promise<void> {
  const child = servers?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
