import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, waitUntil } from "../helpers/redis.js";
import { ROOT, tempDir } from "../helpers/tmp.js";

// The single-file Fastify and Hono examples, run as a user runs them, fetched over HTTP.
describe.each(["fastify", "hono"])("examples/%s.mjs", (name) => {
  const state = tempDir(`example-${name}`);
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGTERM");
    state.cleanup();
  });

  it("serves a page whose tags all answer 200, with X-App-Version", async () => {
    const port = await freePort();
    let output = "";
    child = spawn(process.execPath, [`examples/${name}.mjs`], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        DEMO_STATE_DIR: state.path,
        NODE_ENV: "production",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (c) => {
      output += c;
    });
    child.stderr?.on("data", (c) => {
      output += c;
    });
    await waitUntil(
      () => output.includes(`127.0.0.1:${port}/`),
      `${name} example to listen`,
      60_000,
    );

    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    const version = page.headers.get("x-app-version");
    expect(version).toMatch(/^[0-9a-f]{12}$/);
    const html = await page.text();
    expect(html).toContain(`<meta name="app-version" content="${version}">`);
    const urls = [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls.some((u) => u.endsWith(".js"))).toBe(true);
    expect(urls.some((u) => u.endsWith(".css"))).toBe(true);
    for (const url of urls) {
      const asset = await fetch(`http://127.0.0.1:${port}${url}`);
      expect(asset.status, url).toBe(200);
      await asset.arrayBuffer();
    }
  });
});
