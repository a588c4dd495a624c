// The hot file's format, as the plugin writes it and the server reads it, and the pure parts
// of the dev endpoints.
import { describe, expect, it } from "vitest";
import { parseHotFile } from "../../src/engine/hot-file.js";
import { directUrl, htmlEntryParts, staticImports } from "../../src/vite/dev-endpoints.js";
import { hotFileOf } from "../../src/vite/hot-file-writer.js";

describe("hotFileOf", () => {
  it("names the address as bound; a wildcard leaves the host to the request", () => {
    expect(
      hotFileOf({ address: "127.0.0.1", family: "IPv4", port: 5173 }, false, "/static/", null),
    ).toEqual({
      version: 1,
      protocol: "http",
      host: "127.0.0.1",
      port: 5173,
      base: "/static/",
    });
    expect(
      hotFileOf({ address: "::1", family: "IPv6", port: 5174 }, true, "/", null),
    ).toMatchObject({
      protocol: "https",
      host: "[::1]",
      port: 5174,
    });
    expect(
      hotFileOf({ address: "::", family: "IPv6", port: 5173 }, false, "/", null).host,
    ).toBeNull();
    expect(
      hotFileOf({ address: "0.0.0.0", family: "IPv4", port: 5173 }, false, "/", null).host,
    ).toBeNull();
  });

  it("prefers the user's server.origin (a proxy or a port mapping knows better)", () => {
    const hot = hotFileOf(
      { address: "0.0.0.0", family: "IPv4", port: 5173 },
      false,
      "/app/",
      "https://vite.test:8443",
    );
    expect(hot).toEqual({
      version: 1,
      protocol: "https",
      host: "vite.test",
      port: 8443,
      base: "/app/",
    });
  });

  it("round-trips through parseHotFile, which refuses anything else with a reason", () => {
    const hot = hotFileOf({ address: "127.0.0.1", family: "IPv4", port: 5173 }, false, "/", null);
    expect(parseHotFile(JSON.stringify(hot))).toEqual(hot);
    expect(parseHotFile("http://localhost:5173")).toMatch(/^not JSON/);
    expect(parseHotFile(JSON.stringify({ ...hot, port: 0 }))).toBe(
      '"port" must be a port number, received number 0',
    );
    expect(parseHotFile(JSON.stringify({ ...hot, version: 2 }))).toMatch(/"version" must be 1/);
    expect(parseHotFile(JSON.stringify({ ...hot, host: "" }))).toMatch(
      /"host" must be a host name or null/,
    );
  });
});

describe("dev endpoints, pure parts", () => {
  it("staticImports keeps import/export-from, drops import(), strips base and HMR timestamps", () => {
    const code = [
      'import { a } from "/static/src/a.ts?t=123";',
      'import "/static/src/a.css";',
      'export * from "/static/src/b.ts";',
      'export { c as d } from "/static/src/c.ts";',
      'const lazy = () => import("/static/src/lazy.ts");',
    ].join("\n");
    expect([...staticImports(code, "/static/")]).toEqual([
      "/src/a.ts",
      "/src/a.css",
      "/src/b.ts",
      "/src/c.ts",
    ]);
  });

  it("directUrl puts direct first, so lang.css still ends a Vue style URL", () => {
    expect(directUrl("/static/", "/src/a.css")).toBe("/static/src/a.css?direct");
    expect(directUrl("/", "/src/App.vue?vue&type=style&index=0&lang.css")).toBe(
      "/src/App.vue?direct&vue&type=style&index=0&lang.css",
    );
  });

  it("htmlEntryParts reads module scripts and local stylesheets, not comments or classic scripts", () => {
    const html = `<link rel="stylesheet" href="./a.css"><link rel=stylesheet href="https://cdn/x.css">
<!-- <script type="module" src="/old.ts"></script> -->
<script src="/classic.js"></script><script type=module src="main.ts"></script>`;
    expect(htmlEntryParts(html, "pages/index.html")).toEqual({
      modules: ["/pages/main.ts"],
      css: ["/pages/a.css"],
    });
  });
});
