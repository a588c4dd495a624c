/**
 * Several Vite builds in one server (`combineBuilds`): two real builds with their own
 * manifest, base and registry prefix, rendered by name through the front object, the
 * template helpers and the Nunjucks tags, over real HTTP.
 */
import { cpSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import express from "express";
import nunjucks from "nunjucks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viteRolling as expressAdapter } from "../../src/adapters/express.js";
import { viteRollingNunjucks } from "../../src/adapters/nunjucks.js";
import { cacheBustToken } from "../../src/http/bust-token.js";
import { combineBuilds, createViteRolling, type ViteRolling } from "../../src/index.js";
import type { ViteRollingOptions } from "../../src/options.js";
import { viteRolling as vitePlugin } from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import { type BuiltApp, buildApp, writeFiles } from "../helpers/vite.js";

const work = tempDir("delivery-builds");
let pub: BuiltApp;
let admin: BuiltApp;

const build = (name: string, base: string, source: string) =>
  buildApp(
    join(work.path, name),
    {
      [`src/${name}.ts`]: `import "./${name}.css";\nimport { dep } from "./dep";\nconsole.log(dep, ${JSON.stringify(source)});\n`,
      "src/dep.ts": 'export const dep = "dep";\n',
      [`src/${name}.css`]: `.${name} { color: red; }\n`,
    },
    { base, plugins: [vitePlugin()], build: { rollupOptions: { input: `src/${name}.ts` } } },
  );

beforeAll(async () => {
  pub = await build("public", "/static/public/", "one");
  admin = await build("admin", "/static/admin/", "one");
});
afterAll(() => work.cleanup());

function create(app: BuiltApp, options: Partial<ViteRollingOptions> = {}): ViteRolling {
  return createViteRolling({
    manifestPath: app.manifestPath,
    dev: false,
    registryDir: join(work.path, "registry"),
    logger: { warn() {} },
    ...options,
  });
}

async function combined(options: Partial<ViteRollingOptions> = {}) {
  const vr = combineBuilds({
    public: create(pub, options),
    admin: create(admin, { cacheKeyPrefix: "admin_manifest", ...options }),
  });
  await vr.ready();
  return vr;
}

describe("combineBuilds", () => {
  it("renders each build from its own manifest and base; the first is the default", async () => {
    const vr = await combined();
    expect(vr.defaultBuild).toBe("public");
    expect(vr.scripts("src/public.ts", { nonce: "n" })).toMatch(
      /^<script type="module" crossorigin src="\/static\/public\/assets\/public-[\w-]+\.js" integrity="sha384-[^"]+" nonce="n"><\/script>$/,
    );
    expect(vr.styles("src/admin.ts", { build: "admin" })).toMatch(
      /^<link rel="stylesheet" crossorigin href="\/static\/admin\/assets\/admin-[\w-]+\.css"/,
    );
    expect(vr.linkHeader("src/admin.ts", { build: "admin" })).toContain("</static/admin/assets/");
    expect(vr.assetUrl("src/admin.ts", { build: "admin" })).toMatch(/^\/static\/admin\/assets\//);
    expect(() => vr.scripts("src/admin.ts")).toThrow('entry "src/admin.ts" is not in the manifest');
    await vr.close();
  });

  it("names an unknown build, the builds there are, and the one meant", async () => {
    const vr = await combined();
    expect(() => vr.scripts("src/admin.ts", { build: "admn" })).toThrow(
      '[vite-rolling] [builds] scripts(): no build named "admn"; the builds are "public", "admin". Did you mean "admin"?',
    );
    expect(() => combineBuilds({ a: vr }, { default: "b" })).toThrow('no build named "b"');
    expect(() => combineBuilds({})).toThrow("combineBuilds expects an object of build name");
    expect(() => combineBuilds({ a: {} as ViteRolling })).toThrow(
      'build "a" must be what createViteRolling() returns, received an object.',
    );
  });

  it("refuses a build name where there is one build", async () => {
    const vr = create(pub, { cache: false });
    await vr.ready();
    const env = viteRollingNunjucks(new nunjucks.Environment(null, { autoescape: true }), vr);
    expect(() => env.renderString('{% vite_scripts "src/public.ts" build="admin" %}', {})).toThrow(
      'scripts() was given build "admin", but this object serves one build.',
    );
    expect(() => env.renderString('{% vite_scripts "src/public.ts" build=1 %}', {})).toThrow(
      '[vite-rolling] [nunjucks] build= must name a build, like build="admin", received number 1.',
    );
    expect(() => vr.scripts("src/public.ts", { build: "admin" })).toThrow(
      '[vite-rolling] [render] scripts() was given build "admin", but this object serves one build. Fix: serve several builds with combineBuilds({ name: createViteRolling(...), ... }), or leave the build out.',
    );
  });

  it("refuses two builds under one registry prefix, which would overwrite each other", () => {
    expect(() => combineBuilds({ public: create(pub), admin: create(admin) })).toThrow(
      '[vite-rolling] [builds] builds "public" and "admin" share the registry prefix "vite_manifest", so their manifests would overwrite each other. Fix: give each build its own cacheKeyPrefix, e.g. createViteRolling({ cacheKeyPrefix: "admin_manifest", ... }).',
    );
    // No registry, no clash.
    expect(() =>
      combineBuilds({
        public: create(pub, { cache: false }),
        admin: create(admin, { cache: false }),
      }),
    ).not.toThrow();
  });

  it("has one app version that changes when either build does", async () => {
    const vr = await combined();
    const [p, a] = [create(pub), create(admin, { cacheKeyPrefix: "admin_manifest" })];
    await Promise.all([p.ready(), a.ready()]);
    expect(vr.appVersion()).toMatch(/^[0-9a-f]{12}$/);
    expect([p.appVersion(), a.appVersion()]).not.toContain(vr.appVersion());
    expect(vr.versionTags()).toContain(`content="${vr.appVersion()}"`);
    // An explicit version shared by both is the version.
    const explicit = await combined({ appVersion: "v42" });
    expect(explicit.appVersion()).toBe("v42");
  });
});

describe("several builds over HTTP (Express, Nunjucks, helpers)", () => {
  let vr: ViteRolling;
  let server: Server;
  let url: string;
  let adminDist: string;

  beforeAll(async () => {
    adminDist = join(work.path, "served-admin");
    cpSync(admin.outDir, adminDist, { recursive: true });
    vr = combineBuilds({
      public: create(pub, { secret: "s", linkHeader: true }),
      admin: create(
        { outDir: adminDist, manifestPath: join(adminDist, ".vite/manifest.json") },
        { cacheKeyPrefix: "admin_manifest", cache: false },
      ),
    });
    await vr.ready();
    const app = express();
    app.use((_req, res, next) => {
      res.locals.cspNonce = "n0nce";
      next();
    });
    app.use(expressAdapter(vr));
    const views = join(work.path, "views");
    writeFiles(views, {
      "both.njk":
        '<head>{% vite_styles "src/public.ts" %}{% vite_styles "src/admin.ts" build="admin" %}</head><body>{% vite_scripts "src/public.ts" %}{% vite_scripts "src/admin.ts" build="admin" %}</body>',
    });
    viteRollingNunjucks(nunjucks.configure(views, { autoescape: true, express: app }), vr);
    app.get("/njk", (_req, res) => res.render("both.njk"));
    app.get("/helpers", (_req, res) => {
      const vite = res.locals.vite;
      res.send(
        `<head></head>${vite.scripts("src/admin.ts", "admin")}${vite.scripts("src/public.ts")}`,
      );
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await vr?.close();
  });

  it("renders both builds in one page, each with its own base, and links both", async () => {
    for (const path of ["/njk", "/helpers"]) {
      const res = await fetch(url + path);
      const html = await res.text();
      expect(html).toMatch(/src="\/static\/public\/assets\/public-[\w-]+\.js"[^>]* nonce="n0nce"/);
      expect(html).toMatch(/src="\/static\/admin\/assets\/admin-[\w-]+\.js"[^>]* nonce="n0nce"/);
      expect(res.headers.get("x-app-version")).toBe(vr.appVersion());
      const link = res.headers.get("link") ?? "";
      expect(link).toContain("</static/public/assets/public-");
      expect(link).toContain("</static/admin/assets/admin-");
    }
    expect(await (await fetch(`${url}/njk`)).text()).toContain(
      vr.styles("src/admin.ts", { build: "admin", nonce: "n0nce" }),
    );
  });

  it("reloads every build on /cache/bust: a deploy of one changes the app version", async () => {
    const before = vr.appVersion();
    const next = await build("admin", "/static/admin/", "two");
    cpSync(next.outDir, adminDist, { recursive: true, force: true });
    const res = await fetch(`${url}/cache/bust`, {
      method: "POST",
      headers: { authorization: `Bearer ${cacheBustToken("s")}` },
    });
    expect(await res.json()).toMatchObject({ ok: true, previous: before });
    expect(vr.appVersion()).not.toBe(before);
    const page = await fetch(`${url}/helpers`);
    expect(page.headers.get("x-app-version")).toBe(vr.appVersion());
    expect(await page.text()).toContain(
      vr.scripts("src/admin.ts", { build: "admin", importMap: false, nonce: "n0nce" }),
    );
  });
});
