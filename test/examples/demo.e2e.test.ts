// The README's "Try it" path for real: `npm run build`, then `node examples/demo/start.mjs`
// (real Vite build, real registry, Express + Nunjucks behind the demo's front proxy), then
// `node examples/demo/deploy.mjs` rolls it to the next release. The demo's state goes to a
// temp dir (DEMO_STATE_DIR) and its port is a free one, so it collides with nothing.
// `npm run build` (tsc -p tsconfig.build.json) is the suite's global setup, run once before
// any test: building again here would rewrite dist/ under the example tests running alongside.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../helpers/nginx.js";
import { alive, descendantPids } from "../helpers/simulation/procs.js";
import { referencedAssets } from "../helpers/simulation/referenced-assets.js";
import { ROOT, tempDir } from "../helpers/tmp.js";

const run = promisify(execFile);

describe("demo (README: npm run build, node examples/demo/start.mjs, deploy.mjs)", () => {
  let state: { path: string; cleanup: () => void };
  let port: number;
  let demo: ChildProcess;
  let output = "";
  const env = () => ({ ...process.env, PORT: String(port), DEMO_STATE_DIR: state.path });
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;

  beforeAll(async () => {
    state = tempDir("demo-smoke");
    port = await freePort();
    demo = spawn(process.execPath, ["examples/demo/start.mjs"], {
      cwd: ROOT,
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<void>((resolve) => demo.once("exit", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(`vite-rolling demo: ${url("/")}`)) resolve();
      };
      demo.stdout!.on("data", onData);
      demo.stderr!.on("data", onData);
      void exited.then(() =>
        reject(new Error(`the demo exited before printing its URL:\n${output}`)),
      );
    });
  }, 120_000);

  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      const children = await descendantPids(demo.pid!);
      const exited = new Promise((resolve) => demo.once("exit", resolve));
      demo.kill("SIGTERM");
      await exited;
      // start.mjs stops the current release's process; a previous one may still be draining.
      for (const pid of children) if (alive(pid)) process.kill(pid, "SIGTERM");
    }
    state?.cleanup();
  });

  async function version(): Promise<{ version: string; release: string }> {
    const answer = await fetch(url("/version"));
    expect(answer.status).toBe(200);
    return (await answer.json()) as { version: string; release: string };
  }

  it("serves / with X-App-Version and tags whose assets answer 200, and /version", async () => {
    const page = await fetch(url("/"));
    expect(page.status).toBe(200);
    const header = page.headers.get("x-app-version");
    expect(header).toMatch(/\S/);
    const html = await page.text();
    expect(html).toContain(`<meta name="app-version" content="${header}">`);
    const assets = [...referencedAssets(html).keys()];
    expect(assets.filter((a) => a.startsWith("/static/assets/")).length).toBeGreaterThan(0);
    for (const asset of assets) {
      const answer = await fetch(url(asset));
      expect(answer.status, asset).toBe(200);
      await answer.arrayBuffer();
    }
    expect(await version()).toMatchObject({ version: header, release: "r1" });
  });

  it("deploy.mjs rolls the running demo to the next release", async () => {
    const before = await version();
    const { stdout } = await run(process.execPath, ["examples/demo/deploy.mjs"], {
      cwd: ROOT,
      env: env(),
    });
    expect(stdout).toContain("rolled to r2");
    const after = await version();
    expect(after.release).toBe("r2");
    expect(after.version).not.toBe(before.version);
    const page = await fetch(url("/"));
    expect(page.headers.get("x-app-version")).toBe(after.version);
  }, 60_000);
});
