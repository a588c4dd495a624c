import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createViteRolling } from "../../src/index.js";
import type { ViteRolling } from "../../src/types.js";
import { viteRolling } from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp } from "../helpers/vite.js";

// The engine reading what the plugin recorded: base, integrity and the build hash.
describe("engine + plugin on a real build", () => {
  const dir = tempDir("engine-plugin");
  let vr: ViteRolling;
  let outDir: string;

  beforeAll(async () => {
    const built = await buildApp(
      dir.path,
      {
        "index.html": '<script type="module" src="/src/main.ts"></script>',
        "src/main.ts": 'import "./dep"; import "./main.css"; console.log("main");',
        "src/dep.ts": 'import "./dep.css"; export const dep = 1; console.log("dep");',
        "src/main.css": "body { color: red }",
        "src/dep.css": "p { color: blue }",
      },
      {
        base: "/assets-cdn/",
        plugins: [viteRolling()],
        build: { rollupOptions: { input: { main: join(dir.path, "src/main.ts") } } },
      },
    );
    outDir = built.outDir;
    vr = createViteRolling({ manifestPath: built.manifestPath, dev: false, cache: false });
    await vr.ready();
  });
  afterAll(() => dir.cleanup());

  const urls = (html: string) => [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);

  it("takes the base the build was made for when the option is unset", () => {
    const html = vr.styles("src/main.ts") + vr.scripts("src/main.ts");
    expect(urls(html).length).toBeGreaterThan(1);
    for (const url of urls(html)) expect(url.startsWith("/assets-cdn/")).toBe(true);
  });

  it("puts an integrity on every tag that verifies against the file served", () => {
    const html = vr.styles("src/main.ts") + vr.scripts("src/main.ts");
    const tags = [...html.matchAll(/<[^>]+>/g)].map((m) => m[0]).filter((t) => !t.startsWith("</"));
    expect(tags.length).toBeGreaterThan(1);
    for (const tag of tags) {
      const url = /(?:href|src)="\/assets-cdn\/([^"]+)"/.exec(tag)![1]!;
      const integrity = /integrity="([^"]+)"/.exec(tag)?.[1];
      const bytes = readFileSync(join(outDir, url));
      expect(integrity, tag).toBe(`sha384-${createHash("sha384").update(bytes).digest("base64")}`);
    }
  });

  it("derives the app version from the build hash", () => {
    const sidecar = JSON.parse(readFileSync(join(outDir, ".vite/vite-rolling.json"), "utf8"));
    const info = vr.versionInfo();
    expect(info.source).toBe("build");
    expect(info.buildHash).toBe(sidecar.buildHash);
    expect(vr.appVersion()).toBe(sidecar.buildHash.slice(0, 12));
    expect(vr.versionTags()).toContain(`content="${vr.appVersion()}"`);
  });
});
