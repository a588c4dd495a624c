import type { AddressInfo } from "node:net";
import { createServer, type ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { devHost } from "../../src/html/dev.js";
import { createViteRolling } from "../../src/index.js";
import type { ViteRolling } from "../../src/types.js";
import { tempDir } from "../helpers/tmp.js";
import { writeFiles } from "../helpers/vite.js";

const urlsOf = (html: string) => [...html.matchAll(/ src="([^"]*)"/g)].map((m) => m[1]!);

describe("devHost", () => {
  it.each([
    ["example.com:8000", "example.com"],
    ["example.com", "example.com"],
    ["127.0.0.1:8000", "127.0.0.1"],
    ["[::1]:8000", "[::1]"],
    ["[::1]", "[::1]"],
    ["[2001:db8::5]:443", "[2001:db8::5]"],
    ["::1", "[::1]"],
    [undefined, "localhost"],
    ["", "localhost"],
    // Not a hostname: would point the page's scripts elsewhere, so it is not trusted.
    ['evil.com/x?"', "localhost"],
    ["user@evil.com:80", "localhost"],
    ["a b", "localhost"],
  ])("Host %j -> %s", (header, expected) => {
    expect(devHost(null, header)).toBe(expected);
  });

  it("prefers the devServerHost option, bracketing a bare IPv6 literal", () => {
    expect(devHost("vite.internal", "example.com:8000")).toBe("vite.internal");
    expect(devHost("::1", "example.com")).toBe("[::1]");
    expect(devHost("[::1]", "example.com")).toBe("[::1]");
  });
});

describe("dev mode against a real Vite dev server", () => {
  const dir = tempDir("engine-dev");
  let server: ViteDevServer;
  let port = 0;
  let vr: ViteRolling;

  beforeAll(async () => {
    writeFiles(dir.path, {
      "src/main.ts": `import "./main.css"; import { n } from "./dep"; document.title = String(n);`,
      "src/dep.ts": "export const n = 1;",
      "src/main.css": "body { color: red; }",
      "src/admin.ts": "console.log('admin');",
    });
    server = await createServer({
      root: dir.path,
      configFile: false,
      logLevel: "silent",
      base: "/static/",
      // "::" takes IPv6 and (dual stack) IPv4 connections, so every host form can be fetched.
      server: { host: "::", port: 0, strictPort: true, ws: false },
    });
    await server.listen();
    port = (server.httpServer!.address() as AddressInfo).port;
    vr = createViteRolling({
      manifestPath: "unused-in-dev.json",
      dev: true,
      devServerPort: port,
      devServerStaticPath: "/static",
    });
    await vr.ready();
  });
  afterAll(async () => {
    await server?.close();
    dir.cleanup();
  });

  it("writes @vite/client once, then each entry once, with the nonce", () => {
    const html = vr.scripts(["src/main.ts", "src/admin.ts", "src/main.ts"], {
      host: "127.0.0.1:8000",
      nonce: "n0",
    });
    expect(html).toBe(
      [
        `<script type="module" src="http://127.0.0.1:${port}/static/@vite/client" nonce="n0"></script>`,
        `<script type="module" src="http://127.0.0.1:${port}/static/src/main.ts" nonce="n0"></script>`,
        `<script type="module" src="http://127.0.0.1:${port}/static/src/admin.ts" nonce="n0"></script>`,
      ].join("\n"),
    );
  });

  it.each([
    ["127.0.0.1:8000", "127.0.0.1"],
    ["[::1]:8000", "[::1]"],
    [undefined, "localhost"],
  ])("every script URL for Host %j answers 200 with JavaScript", async (host, expectedHost) => {
    const urls = urlsOf(vr.scripts(["src/main.ts", "src/admin.ts"], host ? { host } : {}));
    expect(urls).toHaveLength(3);
    for (const url of urls) {
      expect(new URL(url).host).toBe(`${expectedHost}:${port}`);
      const response = await fetch(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get("content-type"), url).toMatch(/javascript/);
      await response.text();
    }
  });

  it("emits no stylesheet (Vite injects CSS in dev)", () => {
    expect(vr.styles("src/main.ts", { host: "127.0.0.1:8000" })).toBe("");
  });

  it("assetUrl points at the dev server", async () => {
    const url = vr.assetUrl("src/main.css");
    expect(url).toBe(`http://localhost:${port}/static/src/main.css`);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    await response.text();
  });

  it("reactRefresh emits Vite's React preamble with the nonce; escaped host cannot break out", () => {
    expect(vr.reactRefresh({ host: "127.0.0.1:8000", nonce: 'a"b' })).toBe(
      [
        '<script type="module" nonce="a&quot;b">',
        `import RefreshRuntime from "http://127.0.0.1:${port}/static/@react-refresh"`,
        "RefreshRuntime.injectIntoGlobalHook(window)",
        "window.$RefreshReg$ = () => {}",
        "window.$RefreshSig$ = () => (type) => type",
        "window.__vite_plugin_react_preamble_installed__ = true",
        "</script>",
      ].join("\n"),
    );
    expect(vr.reactRefresh({ host: "</script><script>alert(1)</script>" })).not.toContain(
      "<script>alert",
    );
  });
});
