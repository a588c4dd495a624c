// nginxConfig in a real nginx, in front of two real HTTP servers (releases A and B).
import { createServer, type IncomingHttpHeaders, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NginxConfigOptions, nginxConfig } from "../../src/deploy/proxy-config.js";
import { freePort, type RunningNginx, startNginx, testConfig } from "../helpers/nginx.js";
import { tempDir } from "../helpers/tmp.js";

interface Answer {
  /** Release that answered (from the body) and the header nginx added. */
  release: string;
  servedBy: string | null;
  headers: IncomingHttpHeaders;
}

const backends: Record<string, { server: Server; port: number }> = {};
let dir: { path: string; cleanup: () => void };

function backend(release: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ release, headers: req.headers }));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, port: (server.address() as AddressInfo).port }),
    ),
  );
}

beforeAll(async () => {
  dir = tempDir("nginx-routing");
  backends.A = await backend("A");
  backends.B = await backend("B");
});
afterAll(async () => {
  for (const { server } of Object.values(backends)) {
    await new Promise((resolve) => server.close(resolve));
  }
  dir?.cleanup();
});

/** Starts nginx with the config for A and B; `extra` overrides options. */
async function proxy(label: string, extra: Partial<NginxConfigOptions> = {}) {
  const port = await freePort();
  const config = nginxConfig({
    releases: [
      { release: "A", upstream: `127.0.0.1:${backends.A!.port}` },
      { release: "B", upstream: `127.0.0.1:${backends.B!.port}` },
    ],
    defaultRelease: "A",
    listen: `127.0.0.1:${port}`,
    ...extra,
  });
  const nginx = await startNginx(join(dir.path, label), config, port);
  // node:http rather than fetch: fetch may not set Host.
  const get = (path: string, headers: Record<string, string> = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      request({ host: "127.0.0.1", port, path, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => {
          try {
            expect(res.statusCode).toBe(200);
            const body = JSON.parse(text) as { release: string; headers: IncomingHttpHeaders };
            const servedBy = res.headers["x-release"];
            resolve({
              release: body.release,
              servedBy: typeof servedBy === "string" ? servedBy : null,
              headers: body.headers,
            });
          } catch (error) {
            reject(error);
          }
        });
      })
        .on("error", reject)
        .end();
    });
  return { nginx, get };
}

describe("nginx routing by pin", () => {
  let nginx: RunningNginx;
  let get: (path: string, headers?: Record<string, string>) => Promise<Answer>;

  beforeAll(async () => {
    ({ nginx, get } = await proxy("pins"));
  });
  afterAll(async () => {
    await nginx?.stop();
  });

  it("sends unpinned requests to the default release and says which release served", async () => {
    expect(await get("/")).toMatchObject({ release: "A", servedBy: "A" });
  });

  it("routes the header, ?dpl= and cookie pins", async () => {
    expect(await get("/", { "X-App-Requested-Version": "B" })).toMatchObject({
      release: "B",
      servedBy: "B",
    });
    expect(await get("/page?x=1&dpl=B")).toMatchObject({ release: "B", servedBy: "B" });
    expect(await get("/", { cookie: "theme=dark; app_version=B" })).toMatchObject({
      release: "B",
      servedBy: "B",
    });
  });

  it("takes the header before the query before the cookie", async () => {
    expect(
      await get("/?dpl=B", { "x-app-requested-version": "A", cookie: "app_version=B" }),
    ).toMatchObject({ release: "A" });
    expect(await get("/?dpl=B", { cookie: "app_version=A" })).toMatchObject({ release: "B" });
  });

  it("sends unknown pins on to the next pin, then the default", async () => {
    expect(await get("/?dpl=gone", { "x-app-requested-version": "old" })).toMatchObject({
      release: "A",
      servedBy: "A",
    });
    expect(await get("/?dpl=gone", { cookie: "app_version=B" })).toMatchObject({ release: "B" });
    expect(await get("/", { cookie: "app_version=%22%3B" })).toMatchObject({ release: "A" });
  });

  it("matches pins case-insensitively (why release ids may not differ only in case)", async () => {
    expect(await get("/?dpl=b")).toMatchObject({ release: "B", servedBy: "B" });
  });

  it("forwards Host and X-Forwarded-* to the release", async () => {
    const { headers } = await get("/", { host: "shop.example", "x-forwarded-for": "10.0.0.7" });
    expect(headers).toMatchObject({
      host: "shop.example",
      "x-forwarded-host": "shop.example",
      "x-forwarded-proto": "http",
      "x-forwarded-for": "10.0.0.7, 127.0.0.1",
      "x-real-ip": "127.0.0.1",
    });
  });
});

describe("nginx canary and weights", () => {
  /** Counts the releases serving `n` unpinned clients (distinct User-Agents). */
  async function spread(get: (path: string, h?: Record<string, string>) => Promise<Answer>) {
    const counts: Record<string, number> = { A: 0, B: 0 };
    for (let i = 0; i < 400; i++) {
      const { release, servedBy } = await get("/", { "user-agent": `client-${i}` });
      expect(servedBy).toBe(release);
      counts[release]!++;
    }
    return counts;
  }

  it("sends a share of unpinned clients to the canary, and pins still win", async () => {
    const { nginx, get } = await proxy("canary", { canary: { release: "B", percent: 10 } });
    try {
      const counts = await spread(get);
      // split_clients hashes the client key (MurmurHash2): about 40 of 400, never all or none.
      expect(counts.B).toBeGreaterThan(15);
      expect(counts.B).toBeLessThan(80);
      // The same client always lands on the same side.
      const first = await get("/", { "user-agent": "client-7" });
      expect(await get("/", { "user-agent": "client-7" })).toMatchObject({
        release: first.release,
      });
      for (let i = 0; i < 20; i++) {
        expect(
          await get("/", { "user-agent": `client-${i}`, "x-app-requested-version": "A" }),
        ).toMatchObject({ release: "A" });
      }
    } finally {
      await nginx.stop();
    }
  });

  it("splits unpinned clients by release weights", async () => {
    const { nginx, get } = await proxy("weights", {
      releases: [
        { release: "A", upstream: `127.0.0.1:${backends.A!.port}`, weight: 1 },
        { release: "B", upstream: `127.0.0.1:${backends.B!.port}`, weight: 3 },
      ],
    });
    try {
      const counts = await spread(get);
      expect(counts.B).toBeGreaterThan(250); // about 300 of 400
      expect(counts.A).toBeGreaterThan(50);
    } finally {
      await nginx.stop();
    }
  });
});

describe("generated configs pass nginx -t", () => {
  it.each<[string, Partial<NginxConfigOptions>]>([
    ["defaults", {}],
    ["a canary with decimals", { canary: { release: "B", percent: 0.5 } }],
    [
      "custom names, an existing upstream, special and long release ids",
      {
        header: "X-Release-Pin",
        query: "release",
        cookie: "rel",
        releaseHeader: "X-Served-Release",
        splitKey: "$remote_addr",
        serverName: "shop.example",
        releases: [
          { release: "A", upstream: "127.0.0.1:1" },
          { release: "default", upstream: "existing_backend" },
          { release: "v1.2.3-build.7_x", upstream: "unix:/run/app.sock" },
          // The longest id the registry accepts (128): needs the bigger map hash bucket.
          { release: "0123456789abcdef".repeat(8), upstream: "[::1]:8080" },
        ],
      },
    ],
  ])("%s", async (label, extra) => {
    const config = nginxConfig({
      releases: [
        { release: "A", upstream: "127.0.0.1:1" },
        { release: "B", upstream: "localhost:2" },
      ],
      defaultRelease: "A",
      listen: 8080,
      ...extra,
    });
    const existing = config.includes("existing_backend")
      ? "upstream existing_backend { server 127.0.0.1:3; }\n"
      : "";
    await expect(
      testConfig(join(dir.path, `t-${label.replace(/\W+/g, "-")}`), config + existing),
    ).resolves.toContain("test is successful");
  });
});
