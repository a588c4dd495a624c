import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, waitUntil } from "../helpers/redis.js";
import { ROOT, tempDir } from "../helpers/tmp.js";

/** The page's built assets answer 200; it names at least one script and one stylesheet. */
async function expectAssetsServed(base: string, html: string): Promise<void> {
  const urls = [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]!);
  expect(urls.some((u) => u.endsWith(".js"))).toBe(true);
  expect(urls.some((u) => u.endsWith(".css"))).toBe(true);
  for (const url of urls) {
    const asset = await fetch(`${base}${url}`);
    expect(asset.status, url).toBe(200);
    await asset.arrayBuffer();
  }
}

/**
 * Runs `node <script>` in `cwd` on a free port, in production, and waits until it prints
 * `<host>:<port>/`. Returns the port and the child (kill it after the test).
 */
// The Fastify and Hono examples build and register a release before they listen (a Vite build
// and two CLI processes): next to the browser simulation on a loaded 2-core machine that took
// over a minute once, so these tests allow three.
const START_TIMEOUT = 170_000;
async function startExample(
  script: string,
  cwd: string,
  host: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  let output = "";
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { ...process.env, ...env, PORT: String(port), NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const collect = (chunk: Buffer) => {
    output += chunk;
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  try {
    await waitUntil(
      () => output.includes(`${host}:${port}/`),
      `${script} to listen`,
      START_TIMEOUT,
    );
  } catch (error) {
    child.kill("SIGTERM");
    throw new Error(`${(error as Error).message}; it printed:\n${output}`);
  }
  return { port, child };
}

// The single-file Fastify and Hono examples, run as a user runs them, fetched over HTTP.
describe.each(["fastify", "hono"])("examples/%s.mjs", (name) => {
  const state = tempDir(`example-${name}`);
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGTERM");
    state.cleanup();
  });

  it("serves a page whose tags all answer 200, with X-App-Version", async () => {
    const started = await startExample(`examples/${name}.mjs`, ROOT, "127.0.0.1", {
      DEMO_STATE_DIR: state.path,
    });
    child = started.child;
    const { port } = started;

    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    const version = page.headers.get("x-app-version");
    expect(version).toMatch(/^[0-9a-f]{12}$/);
    const html = await page.text();
    expect(html).toContain(`<meta name="app-version" content="${version}">`);
    await expectAssetsServed(`http://127.0.0.1:${port}`, html);
  }, 180_000);
});

// The README's Quick start as a folder (test/readme/quick-start.e2e.test.ts checks the two
// match): `vite build`, then `NODE_ENV=production node server.js`, in a copy inside the repo
// so "vite-rolling" resolves to this checkout.
describe("examples/express", () => {
  let dir: { path: string; cleanup: () => void } | undefined;
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGTERM");
    dir?.cleanup();
  });

  it("builds, then serves a page whose tags all answer 200, with X-App-Version", async () => {
    dir = tempDir("example-express");
    cpSync(join(ROOT, "examples/express"), dir.path, { recursive: true });
    const vite = join(ROOT, "node_modules/vite/bin/vite.js");
    execFileSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
      cwd: dir.path,
      stdio: "pipe",
    });
    const started = await startExample("server.js", dir.path, "localhost");
    child = started.child;
    const { port } = started;

    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("x-app-version")).toMatch(/^[0-9a-f]{12}$/);
    const html = await page.text();
    expect(html).toContain(`<h1>Hello</h1>`);
    await expectAssetsServed(`http://127.0.0.1:${port}`, html);
  }, 180_000);
});
