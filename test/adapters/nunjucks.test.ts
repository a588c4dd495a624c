import { writeFileSync } from "node:fs";
import { join } from "node:path";
import nunjucks from "nunjucks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { register, viteRollingNunjucks } from "../../src/adapters/nunjucks.js";
import { staleClientFile } from "../../src/html/stale-client-file.js";
import { createViteRolling } from "../../src/index.js";
import type { ViteRolling } from "../../src/types.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("nunjucks");
afterAll(() => dir.cleanup());

const envWith = (vr: ViteRolling) =>
  viteRollingNunjucks(new nunjucks.Environment(null, { autoescape: true }), vr);

describe("Nunjucks tags in build mode", () => {
  let vr: ViteRolling;
  beforeAll(async () => {
    const manifestPath = join(dir.path, "manifest.json");
    writeFileSync(
      manifestPath,
      JSON.stringify({
        "src/main.ts": {
          file: "assets/main.js",
          isEntry: true,
          imports: ["_dep.js"],
          css: ["assets/main.css"],
        },
        "_dep.js": { file: "assets/dep.js" },
        "src/admin.ts": { file: "assets/admin.js", isEntry: true, imports: ["_dep.js"] },
        "src/theme.css": { file: "assets/theme.css", isEntry: true },
      }),
    );
    vr = createViteRolling({ manifestPath, base: "/static/", dev: false, appVersion: "v<1>" });
    await vr.ready();
  });

  it("renders styles, scripts and the version tag, unescaped, with the nonce", () => {
    const html = envWith(vr).renderString(
      [
        "{% vite_styles 'src/main.ts' 'src/theme.css' %}",
        "{% vite_scripts 'src/main.ts' %}",
        "{% vite_version %}",
      ].join("\n"),
      { nonce: "r4nd" },
    );
    expect(html.slice(0, html.indexOf("<script nonce") + '<script nonce="r4nd" '.length)).toBe(
      [
        '<link rel="stylesheet" crossorigin href="/static/assets/main.css" nonce="r4nd">',
        '<link rel="stylesheet" crossorigin href="/static/assets/theme.css" nonce="r4nd">',
        '<link rel="modulepreload" crossorigin href="/static/assets/dep.js" nonce="r4nd">',
        '<script type="module" crossorigin src="/static/assets/main.js" nonce="r4nd"></script>',
        '<meta name="app-version" content="v&lt;1&gt;">',
        '<meta property="csp-nonce" nonce="r4nd">',
        '<script nonce="r4nd" ',
      ].join("\n"),
    );
    // The stale-client script, external by default.
    expect(html).toContain(`src="${staleClientFile().path}"`);
  });

  it("takes several names, lists, cspNonce, and keyword overrides", () => {
    const env = envWith(vr);
    const several = env.renderString("{% vite_scripts 'src/main.ts', 'src/admin.ts' %}", {
      cspNonce: "c1",
    });
    expect(several).toBe(vr.scripts(["src/main.ts", "src/admin.ts"], { nonce: "c1" }));
    const list = env.renderString("{% vite_scripts entries %}", {
      entries: ["src/main.ts", "src/admin.ts"],
      cspNonce: "c1",
    });
    expect(list).toBe(several);
    const keyword = env.renderString("{% vite_scripts 'src/admin.ts' nonce='k\"w' %}", {
      nonce: "ignored",
    });
    expect(keyword).toContain('nonce="k&quot;w"');
    expect(keyword).not.toContain("ignored");
  });

  it("reports a missing entry or an unknown one", () => {
    const env = envWith(vr);
    expect(() => env.renderString("{% vite_scripts %}", {})).toThrow(
      '[vite-rolling] [nunjucks] {% vite_scripts %} needs at least one entry, like {% vite_scripts "src/main.ts" %}.',
    );
    expect(() => env.renderString("{% vite_scripts 'src/nope.ts' %}", {})).toThrow(
      'entry "src/nope.ts" is not in the manifest',
    );
  });

  it("register is the same function", () => {
    expect(register).toBe(viteRollingNunjucks);
  });
});

describe("Nunjucks tags in dev mode", () => {
  const vr = createViteRolling({ manifestPath: "unused.json", dev: true, devServerPort: 5173 });

  it("takes the host from `host`, else request.headers.host", () => {
    const env = envWith(vr);
    const template = "{% vite_scripts 'src/main.ts' %}{% vite_styles 'src/main.ts' %}";
    expect(env.renderString(template, { host: "[::1]:8000", nonce: "n" })).toBe(
      [
        '<script type="module" src="http://[::1]:5173/static/@vite/client" nonce="n"></script>',
        '<script type="module" src="http://[::1]:5173/static/src/main.ts" nonce="n"></script>',
      ].join("\n"),
    );
    expect(
      env.renderString(template, { request: { headers: { host: "app.test:8000" } } }),
    ).toContain('src="http://app.test:5173/static/src/main.ts"');
    expect(env.renderString(template, {})).toContain(
      'src="http://localhost:5173/static/src/main.ts"',
    );
  });

  it("falls back to the request-bound `vite` locals the framework adapters set", () => {
    const html = envWith(vr).renderString("{% vite_scripts 'src/main.ts' %}", {
      vite: { host: "shop.test:8000", nonce: () => "bound" },
    });
    expect(html).toContain('src="http://shop.test:5173/static/src/main.ts" nonce="bound"');
  });

  it("renders the React preamble", () => {
    expect(envWith(vr).renderString("{% vite_react_refresh %}", { nonce: "n" })).toContain(
      'import RefreshRuntime from "http://localhost:5173/static/@react-refresh"',
    );
  });
});
