// The README's Quick start, run as a new user runs it: its files written into an empty folder
// outside this repository, the package installed from `npm pack`'s tarball, its commands run
// in order, and the page loaded in Chromium. A copy without the static route is the negative
// control: the same checks then see the assets fail.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { watchPage } from "../apps/app-harness.js";
import { launchChromium } from "../helpers/browser.js";
import { freePort } from "../helpers/ports.js";
import { waitUntil } from "../helpers/redis.js";
import { ROOT } from "../helpers/tmp.js";

/** The blocks marked `<!-- quick-start: NAME -->` in the README, by NAME. */
function quickStartBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const m of markdown.matchAll(/<!-- quick-start: (\S+) -->\n```[^\n]*\n([\s\S]*?)^```/gm)) {
    blocks.set(m[1]!, m[2]!);
  }
  return blocks;
}

const README = readFileSync(join(ROOT, "README.md"), "utf8");
const BLOCKS = quickStartBlocks(README);
const FILES = [...BLOCKS.keys()].filter((name) => name !== "commands");
const COMMANDS = (BLOCKS.get("commands") ?? "").split("\n").filter((line) => line.trim());
const PURPLE = "rgb(102, 51, 153)";
const STATIC_ROUTE = /^app\.use\("\/static".*\n/m;

/** A user's shell: no variable of this test run (NODE_ENV=test, npm_*, VITEST*) leaks in. */
function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { PATH, HOME, LANG } = process.env;
  return { PATH, HOME, LANG, ...extra };
}

/**
 * The README's line as the test runs it: `npm install vite-rolling` installs this checkout's
 * tarball instead of the registry's package, and installs prefer the local npm cache.
 */
function asRun(line: string, tarball: string): string {
  if (!line.startsWith("npm install ")) return line;
  const args = line.split(/\s+/).map((arg) => (arg === "vite-rolling" ? `./${tarball}` : arg));
  return [...args, "--prefer-offline", "--no-audit", "--no-fund"].join(" ");
}

function run(line: string, cwd: string): void {
  try {
    execFileSync("sh", ["-c", line], { cwd, env: shellEnv(), stdio: "pipe", timeout: 120_000 });
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`\`${line}\` failed:\n${stdout}\n${stderr}`);
  }
}

interface Started {
  url: string;
  output: () => string;
  stop: () => void;
}

/** Starts a long-running command (its own process group, so npm's child node stops too). */
async function start(
  line: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<Started> {
  const port = await freePort();
  const child: ChildProcess = spawn("sh", ["-c", line], {
    cwd,
    env: shellEnv({ PORT: String(port), ...env }),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (c) => {
    output += c;
  });
  child.stderr?.on("data", (c) => {
    output += c;
  });
  const stop = () => {
    if (child.exitCode === null && child.pid) process.kill(-child.pid, "SIGTERM");
  };
  const url = `http://localhost:${port}/`;
  try {
    await waitUntil(() => output.includes(url), `\`${line}\` to print ${url}`, 30_000);
  } catch (error) {
    stop();
    throw new Error(`${(error as Error).message}; it printed:\n${output}`);
  }
  return { url, output: () => output, stop };
}

interface PageCheck {
  heading: string;
  color: string;
  assets: string[];
  failed: string[];
  errors: string[];
}

/** What a user would see: the heading, its color, and every request that did not answer 200. */
async function loadPage(browser: Browser, url: string): Promise<PageCheck> {
  const page = await browser.newPage();
  const log = watchPage(page);
  await page.goto(url, { waitUntil: "load" });
  const h1 = page.locator("h1");
  const found = (await h1.count()) > 0;
  const check: PageCheck = {
    heading: found ? await h1.innerText() : "(no h1)",
    color: found ? await h1.evaluate((el) => getComputedStyle(el).color) : "(no h1)",
    assets: log.responses.map((r) => new URL(r.url()).pathname).filter((p) => p !== "/"),
    failed: [
      ...log.failed,
      ...log.responses
        .filter((r) => r.status() !== 200 && r.status() < 400)
        .map((r) => `${r.url()} ${r.status()}`),
    ],
    errors: log.errors,
  };
  await page.close();
  return check;
}

describe("README Quick start", () => {
  it("has the files and commands the test runs, the same as examples/express", () => {
    expect(FILES.sort()).toEqual(
      ["package.json", "server.js", "src/main.css", "src/main.js", "vite.config.js"].sort(),
    );
    expect(COMMANDS).toEqual([
      "npm install vite-rolling express",
      "npm install --save-dev vite",
      "npm run build",
      "npm start",
    ]);
    for (const name of FILES.filter((n) => n !== "package.json")) {
      expect(BLOCKS.get(name), name).toBe(
        readFileSync(join(ROOT, "examples/express", name), "utf8"),
      );
    }
  });

  describe("run exactly as written", () => {
    let project = "";
    let browser: Browser;
    const servers: Started[] = [];

    beforeAll(async () => {
      project = mkdtempSync(join(tmpdir(), "vr-quick-start-"));
      browser = await launchChromium();
      // The package as npm would publish it (dist/ is built by the e2e global setup).
      const packed = execFileSync(
        "npm",
        ["pack", "--ignore-scripts", "--silent", "--pack-destination", project],
        { cwd: ROOT, env: shellEnv(), encoding: "utf8" },
      );
      const tarball = packed.trim().split("\n").pop()!;
      for (const name of FILES) {
        mkdirSync(dirname(join(project, name)), { recursive: true });
        writeFileSync(join(project, name), BLOCKS.get(name)!);
      }
      // Every command but the last (the server) runs to completion, in the README's order.
      for (const line of COMMANDS.slice(0, -1)) run(asRun(line, tarball), project);
    }, 240_000);
    afterAll(async () => {
      for (const server of servers) server.stop();
      await browser?.close();
      if (project) rmSync(project, { recursive: true, force: true });
    });

    it("serves a styled page whose every asset answers 200, with no console error", async () => {
      const server = await start(COMMANDS.at(-1)!, project);
      servers.push(server);
      const check = await loadPage(browser, server.url);
      expect(check.failed).toEqual([]);
      expect(check.errors).toEqual([]);
      expect(check.assets.some((p) => /^\/static\/assets\/main-[\w-]+\.js$/.test(p))).toBe(true);
      expect(check.assets.some((p) => /^\/static\/assets\/main-[\w-]+\.css$/.test(p))).toBe(true);
      expect(check.heading).toBe("Hello from Vite");
      expect(check.color).toBe(PURPLE);
      const asset = await fetch(new URL(check.assets[0]!, server.url));
      expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const page = await fetch(server.url);
      expect(page.headers.get("x-app-version")).toMatch(/^[0-9a-f]{12}$/);
      expect(await page.text()).toMatch(
        /<script type="module" crossorigin src="\/static\/[^"]+" integrity="sha384-/,
      );
    });

    it("negative control: the same server without its static route fails every asset", async () => {
      const server = BLOCKS.get("server.js")!;
      expect(server).toMatch(STATIC_ROUTE);
      writeFileSync(join(project, "server-no-static.js"), server.replace(STATIC_ROUTE, ""));
      const started = await start("node server-no-static.js", project, { NODE_ENV: "production" });
      servers.push(started);
      const check = await loadPage(browser, started.url);
      // Each answers 404 (Chromium may abort the stylesheet's load instead of reporting it).
      for (const ext of ["js", "css"]) {
        const failure = new RegExp(`/static/assets/main-[\\w-]+\\.${ext} (404|net::ERR_ABORTED)$`);
        expect(check.failed).toContainEqual(expect.stringMatching(failure));
      }
      expect(check.heading).toBe("Hello");
      expect(check.color).not.toBe(PURPLE);
    });
  });
});
