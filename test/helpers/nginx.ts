import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./ports.js";

export { freePort };

export const NGINX = "/usr/sbin/nginx";

/**
 * The main config around `site.conf` (included in `http {}`): foreground, every path (pid, logs, temp dirs)
 * inside `dir`, so a test nginx touches nothing of the system's.
 */
export function mainConfig(dir: string): string {
  const temp = (name: string) => {
    mkdirSync(join(dir, name), { recursive: true });
    return join(dir, name);
  };
  return `daemon off;
worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} info;
events { worker_connections 256; }
http {
    access_log ${join(dir, "access.log")};
    client_body_temp_path ${temp("client_body")};
    proxy_temp_path ${temp("proxy")};
    fastcgi_temp_path ${temp("fastcgi")};
    uwsgi_temp_path ${temp("uwsgi")};
    scgi_temp_path ${temp("scgi")};
    include ${join(dir, "site.conf")};
}
`;
}

function writeConfig(dir: string, httpSnippet: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "site.conf"), httpSnippet);
  const file = join(dir, "nginx.conf");
  writeFileSync(file, mainConfig(dir));
  return file;
}

/** `nginx -t` on the snippet: resolves with nginx's output, rejects with it when invalid. */
export async function testConfig(dir: string, httpSnippet: string): Promise<string> {
  const file = writeConfig(dir, httpSnippet);
  try {
    const { stderr } = await promisify(execFile)(NGINX, [
      "-t",
      "-c",
      file,
      "-p",
      dir,
      "-e",
      join(dir, "error.log"),
    ]);
    return stderr;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(
      `nginx -t failed:\n${stderr ?? String(error)}\n--- site.conf ---\n${httpSnippet}`,
    );
  }
}

export interface RunningNginx {
  port: number;
  stop(): Promise<void>;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Starts a real nginx in the foreground with `httpSnippet` (which must `listen` on `port`)
 * and resolves once it accepts connections; rejects with the error log if it exits first.
 */
export async function startNginx(
  dir: string,
  httpSnippet: string,
  port: number,
): Promise<RunningNginx> {
  const file = writeConfig(dir, httpSnippet);
  const child: ChildProcess = spawn(NGINX, ["-c", file, "-p", dir, "-e", join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (;;) {
    if (gone) {
      let log = "";
      try {
        log = readFileSync(join(dir, "error.log"), "utf8");
      } catch {}
      throw new Error(`nginx exited before accepting connections:\n${stderr}\n${log}`);
    }
    if (await accepting(port)) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    port,
    async stop() {
      if (gone) return;
      child.kill("SIGQUIT"); // graceful: finish in-flight requests, then exit
      await exited;
    },
  };
}
