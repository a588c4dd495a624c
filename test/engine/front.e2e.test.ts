import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BuildRuntime } from "../../src/engine/build-runtime.js";
import { createViteRolling, ViteRollingError } from "../../src/index.js";
import { createViteRollingWith } from "../../src/internal.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolveEntries } from "../../src/manifest/walk.js";
import { DEFAULTS, resolveOptions, type ViteRollingOptions } from "../../src/options.js";
import { tempDir } from "../helpers/tmp.js";

const MANIFEST: Manifest = {
  "src/main.ts": {
    file: "assets/main-1.js",
    src: "src/main.ts",
    isEntry: true,
    imports: ["_dep-1.js"],
    css: ["assets/main-1.css"],
    assets: ["assets/logo-1.svg"],
    integrity: "sha384-main",
  },
  "_dep-1.js": { file: "assets/dep-1.js", css: ["assets/dep-1.css"], integrity: "sha384-dep" },
  "src/logo.svg": { file: "assets/logo-1.svg", src: "src/logo.svg" },
};

const dir = tempDir("engine-front");
afterAll(() => dir.cleanup());
const manifestPath = join(dir.path, "manifest.json");
const manifestText = `${JSON.stringify(MANIFEST, null, 2)}\n`;
writeFileSync(manifestPath, manifestText);

const create = (options: Partial<ViteRollingOptions> = {}) =>
  createViteRolling({ manifestPath, dev: false, ...options });

function counting() {
  const runtime = {
    walks: 0,
    manifest: structuredClone(MANIFEST),
    build(options: Partial<ViteRollingOptions> = {}) {
      return new BuildRuntime(resolveOptions({ manifestPath: "m.json", dev: false, ...options }), {
        loadManifest: async () => ({ manifest: runtime.manifest, text: "{}", source: "mem" }),
        walk: (...args) => {
          runtime.walks++;
          return resolveEntries(...args);
        },
      });
    },
  };
  return runtime;
}

describe("rendering in build mode", () => {
  it("writes stylesheets, preloads and the script with base, crossorigin, integrity and nonce", async () => {
    const vr = create({ base: "https://cdn.example.com/static" });
    await vr.ready();
    expect(vr.styles("src/main.ts", { nonce: "abc" })).toBe(
      [
        '<link rel="stylesheet" crossorigin href="https://cdn.example.com/static/assets/dep-1.css" nonce="abc">',
        '<link rel="stylesheet" crossorigin href="https://cdn.example.com/static/assets/main-1.css" nonce="abc">',
      ].join("\n"),
    );
    expect(vr.scripts(["src/main.ts"], { nonce: "abc", host: "ignored.example" })).toBe(
      [
        '<link rel="modulepreload" crossorigin href="https://cdn.example.com/static/assets/dep-1.js" integrity="sha384-dep" nonce="abc">',
        '<script type="module" crossorigin src="https://cdn.example.com/static/assets/main-1.js" integrity="sha384-main" nonce="abc"></script>',
      ].join("\n"),
    );
  });

  it("uses base '/' by default, and leaves the nonce out when there is none", async () => {
    const vr = create();
    await vr.ready();
    expect(vr.scripts("src/main.ts")).toBe(
      [
        '<link rel="modulepreload" crossorigin href="/assets/dep-1.js" integrity="sha384-dep">',
        '<script type="module" crossorigin src="/assets/main-1.js" integrity="sha384-main"></script>',
      ].join("\n"),
    );
  });

  it("integrity off, turboTrack on, and the attributes hook (replace, remove, bare, add)", async () => {
    const seen: string[] = [];
    const vr = create({
      integrity: false,
      turboTrack: true,
      attributes: (kind, url) => {
        seen.push(`${kind} ${url}`);
        return kind === "script"
          ? { crossorigin: "use-credentials", async: true, "data-page": "home" }
          : { crossorigin: false, "data-skip": undefined };
      },
    });
    await vr.ready();
    expect(`${vr.styles("src/main.ts")}\n${vr.scripts("src/main.ts")}`).toBe(
      [
        '<link rel="stylesheet" href="/assets/dep-1.css" data-turbo-track="reload">',
        '<link rel="stylesheet" href="/assets/main-1.css" data-turbo-track="reload">',
        '<link rel="modulepreload" href="/assets/dep-1.js" data-turbo-track="reload">',
        '<script type="module" crossorigin="use-credentials" src="/assets/main-1.js" data-turbo-track="reload" async data-page="home"></script>',
      ].join("\n"),
    );
    expect(seen).toEqual([
      "stylesheet /assets/dep-1.css",
      "stylesheet /assets/main-1.css",
      "modulepreload /assets/dep-1.js",
      "script /assets/main-1.js",
    ]);
  });

  it("a nonce from the attributes hook replaces the request's, never doubles it", async () => {
    const vr = create({ attributes: () => ({ nonce: "fixed" }) });
    await vr.ready();
    const html = vr.scripts("src/main.ts", { nonce: "request" });
    expect(html.match(/nonce=/g)).toHaveLength(2);
    expect(html).not.toContain("request");
  });
});

describe("memoization", () => {
  it("walks the manifest once per entry list, whatever the nonce", async () => {
    const c = counting();
    const runtime = c.build();
    await runtime.ready();
    const first = runtime.scripts(["src/main.ts"], { nonce: "n1" });
    expect(c.walks).toBe(1);
    // The manifest object the runtime walked changes; a memoized render cannot see that.
    c.manifest["src/main.ts"]!.file = "assets/CHANGED.js";
    expect(runtime.scripts(["src/main.ts"], { nonce: "n1" })).toBe(first);
    expect(runtime.scripts(["src/main.ts"], { nonce: "n2" })).toBe(first.replaceAll("n1", "n2"));
    expect(runtime.styles(["src/main.ts"], {})).toContain("main-1.css");
    expect(c.walks).toBe(1);
    // Another entry list is another walk, and it sees the changed object.
    expect(runtime.scripts(["src/main.ts", "src/main.ts"], {})).toContain("CHANGED");
    expect(c.walks).toBe(2);
  });

  it("reload() loads again and forgets rendered tags", async () => {
    const c = counting();
    const runtime = c.build();
    await runtime.ready();
    runtime.scripts(["src/main.ts"], {});
    c.manifest = structuredClone(MANIFEST);
    c.manifest["src/main.ts"]!.file = "assets/main-2.js";
    await runtime.reload();
    expect(runtime.scripts(["src/main.ts"], {})).toContain("/assets/main-2.js");
    expect(c.walks).toBe(2);
  });

  it("a failed reload keeps the loaded manifest", async () => {
    let fail = false;
    const runtime = new BuildRuntime(resolveOptions({ manifestPath: "m.json", dev: false }), {
      loadManifest: async () => {
        if (fail) throw new Error("registry down");
        return { manifest: MANIFEST, text: "{}" };
      },
    });
    await runtime.ready();
    const before = runtime.scripts(["src/main.ts"], {});
    fail = true;
    await expect(runtime.reload()).rejects.toThrow("registry down");
    expect(runtime.scripts(["src/main.ts"], {})).toBe(before);
  });
});

describe("loading", () => {
  it("keeps the parsed manifest and its raw text", async () => {
    const runtime = new BuildRuntime(resolveOptions({ manifestPath, dev: false }));
    expect(runtime.manifest).toBeNull();
    await runtime.ready();
    expect(runtime.manifest).toEqual({
      manifest: MANIFEST,
      text: manifestText,
      source: manifestPath,
    });
  });

  it("concurrent ready() calls share one load", async () => {
    let loads = 0;
    const runtime = new BuildRuntime(resolveOptions({ manifestPath: "m.json", dev: false }), {
      loadManifest: async () => {
        loads++;
        return { manifest: MANIFEST, text: "{}" };
      },
    });
    await Promise.all([runtime.ready(), runtime.ready(), runtime.ready()]);
    await runtime.ready();
    expect(loads).toBe(1);
  });

  it("ready() rejects with the loader's error", async () => {
    const vr = create({ manifestPath: join(dir.path, "missing.json") });
    await expect(vr.ready()).rejects.toBeInstanceOf(ViteRollingError);
  });
});

describe("assetUrl and the simple methods", () => {
  it("assetUrl resolves a manifest key or an output file", async () => {
    const vr = create({ base: "/static/" });
    await vr.ready();
    expect(vr.assetUrl("src/logo.svg")).toBe("/static/assets/logo-1.svg");
    expect(vr.assetUrl("/src/logo.svg")).toBe("/static/assets/logo-1.svg");
    expect(vr.assetUrl("src/main.ts")).toBe("/static/assets/main-1.js");
    expect(vr.assetUrl("assets/dep-1.css")).toBe("/static/assets/dep-1.css");
    expect(vr.assetUrl("assets/logo-1.svg")).toBe("/static/assets/logo-1.svg");
  });

  it("appVersion: the option, else APP_VERSION, else unknown; versionTags escapes it", () => {
    const withEnv = (env: NodeJS.ProcessEnv, options: Partial<ViteRollingOptions> = {}) =>
      createViteRollingWith({ manifestPath, dev: false, ...options }, { env });
    expect(withEnv({}).appVersion()).toBe("unknown");
    expect(withEnv({}).versionInfo().source).toBe("unknown");
    expect(withEnv({ APP_VERSION: "from-env" }).appVersion()).toBe("from-env");
    const vr = withEnv({ APP_VERSION: "from-env" }, { appVersion: '1.2"<3>' });
    expect(vr.appVersion()).toBe('1.2"<3>');
    // The meta tag escapes the version; the script's data-config carries it as JSON.
    expect(vr.versionTags()).toMatch(
      /^<meta name="app-version" content="1\.2&quot;&lt;3&gt;">\n<script src="[^"]+" integrity="[^"]+" data-config='\{"version":"1\.2\\"\\u003c3>"/,
    );
    expect(vr.versionInfo()).toMatchObject({ version: '1.2"<3>', source: "explicit" });
  });

  it("release, staticUrl, releases, close, reload", async () => {
    const vr = create({ release: "r42", staticBase: "/s/", cache: false });
    expect(vr.release).toBe("r42");
    // Production static URLs come from staticfiles.json only; without it the error says how.
    expect(() => vr.staticUrl("img/a.png")).toThrow("needs staticManifestPath");
    expect(await vr.releases()).toEqual([]);
    await vr.ready();
    expect((await vr.reload()).release).toBe("r42");
    await expect(vr.close()).resolves.toBeUndefined();
  });

  it("options are resolved once, with the defaults", () => {
    const vr = create();
    expect(vr.options.devServerPort).toBe(DEFAULTS.devServerPort);
    expect(vr.options.dev).toBe(false);
    expect(() => create({ devServerPort: "x" as unknown as number })).toThrow(ViteRollingError);
  });

  it("reactRefresh is empty in production", async () => {
    const vr = create();
    await vr.ready();
    expect(vr.reactRefresh({ nonce: "n" })).toBe("");
  });
});
