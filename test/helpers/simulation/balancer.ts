/**
 * The load balancer: a real nginx, round-robin over every live instance (no stickiness, the
 * worst case for a rolling deploy: a page and its assets land on different instances).
 * `update` rewrites the upstream list and runs `nginx -s reload`, then waits until the old
 * workers (and with them the old list) are gone.
 */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { NGINX, type RunningNginx, startNginx } from "../nginx.js";
import { alive, childPids } from "./procs.js";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The site config: one upstream of all `ports`, keep-alive on both sides. */
export function balancerConfig(listen: number, ports: readonly number[]): string {
  if (ports.length === 0) throw new Error("the balancer needs at least one instance");
  const servers = ports.map((port) => `    server 127.0.0.1:${port} max_fails=0;`).join("\n");
  return `upstream sim_app {
${servers}
    keepalive 32;
    # Below the instances' own idle timeout (5 s, server-common.ts): otherwise nginx can reuse a
    # connection the instance is closing, and a POST on it (never retried) fails with a 502.
    keepalive_timeout 3s;
}
server {
    listen 127.0.0.1:${listen};
    keepalive_requests 1000000;
    access_log off;
    location / {
        proxy_pass http://sim_app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_next_upstream error timeout;
        # Which instance answered, for the driver (the app's own headers are not trusted for it).
        add_header X-Upstream $upstream_addr always;
    }
}
`;
}

export interface Balancer {
  port: number;
  /** Points nginx at `ports` (nginx -s reload) and waits until only the new workers serve. */
  update(ports: readonly number[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startBalancer(
  dir: string,
  port: number,
  ports: readonly number[],
): Promise<Balancer> {
  const nginx: RunningNginx = await startNginx(dir, balancerConfig(port, ports), port);
  const conf = join(dir, "nginx.conf");
  const masterPid = Number((await readFile(join(dir, "nginx.pid"), "utf8")).trim());
  return {
    port,
    async update(next) {
      const before = await childPids(masterPid);
      await writeFile(join(dir, "site.conf"), balancerConfig(port, next));
      await run(NGINX, ["-s", "reload", "-c", conf, "-p", dir, "-e", join(dir, "error.log")]);
      // Reloaded once new workers run and the old ones (serving the old list) have exited.
      const deadline = Date.now() + 15_000;
      for (;;) {
        const now = await childPids(masterPid);
        const fresh = now.some((pid) => !before.includes(pid));
        if (fresh && before.every((pid) => !alive(pid))) return;
        if (Date.now() > deadline) {
          const log = await readFile(join(dir, "error.log"), "utf8").catch(() => "");
          throw new Error(`nginx did not finish reloading:\n${log.slice(-2000)}`);
        }
        await sleep(20);
      }
    },
    stop: () => nginx.stop(),
  };
}
