/**
 * One table of HTTP behaviour, run against every adapter over real HTTP on loopback with its
 * real framework and a real Vite build (DESIGN principle 8).
 */
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, get, type IncomingMessage, request, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { html, raw } from "hono/html";
import Koa from "koa";
import nunjucks from "nunjucks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as expressAdapter from "../../src/adapters/express.js";
import * as fastifyAdapter from "../../src/adapters/fastify.js";
import * as honoAdapter from "../../src/adapters/hono.js";
import * as koaAdapter from "../../src/adapters/koa.js";
import * as nodeAdapter from "../../src/adapters/node.js";
import { viteRollingNunjucks } from "../../src/adapters/nunjucks.js";
import { refresh } from "../../src/deploy/refresh.js";
import { createViteRolling } from "../../src/engine/front.js";
import { cacheBustToken } from "../../src/http/bust-token.js";
import type { TemplateHelpers } from "../../src/http/contract.js";
import type { VersionRouterOptions } from "../../src/http/routing.js";
import { referencedFiles } from "../../src/manifest/files.js";
import type { Manifest } from "../../src/manifest/types.js";
import { resolveOptions } from "../../src/options.js";
import type { ViteRolling } from "../../src/types.js";
import { viteRolling as vitePlugin } from "../../src/vite/plugin.js";
import { tempDir } from "../helpers/tmp.js";
import { buildApp, writeFiles } from "../helpers/vite.js";

const SECRET = "adapter-test-secret";
const NONCE = "n0nce";
const ROUTER: VersionRouterOptions = {
  versions: { "v1.0": "backend-blue", "v1.1": "backend-green" },
  defaultVersion: "v1.1",
};

/** The page every app renders from the request's helpers (plain template string). */
function page(vite: TemplateHelpers): string {
  return `<!doctype html><html><head>${vite.styles("src/main.ts")}${vite.versionTags()}</head><body>${vite.scripts("src/main.ts")}<p id="v">${vite.appVersion()}</p></body></html>`;
}
/**
 * The slow part of `/early` (data loading, say): it waits until the test lets it go, which
 * the test does when the 103 arrives. Early hints sent after the slow work would hang the test.
 */
let slowWork: Promise<void> = Promise.resolve();
let finishSlowWork = () => {};
function holdSlowWork(): void {
  slowWork = new Promise((resolve) => {
    finishSlowWork = resolve;
  });
}
const PLAIN = "<!doctype html><html><head><title>plain</title></head><body>plain</body></html>";
const FRAGMENT = "<li>fragment</li>";

interface Running {
  url: string;
  close(): Promise<void>;
}

/** One app per framework with the same routes: the only per-adapter code in this file. */
const ADAPTERS: Record<string, (vr: ViteRolling) => Promise<Running>> = {
  async express(vr) {
    const app = express();
    app.use((_req, res, next) => {
      res.locals.cspNonce = NONCE;
      next();
    });
    app.use(expressAdapter.viteRolling(vr));
    app.use(expressAdapter.versionRouter(ROUTER));
    // Express renders through Nunjucks with the vite-rolling tags; the others use `page()`.
    const views = join(work.path, "views");
    writeFiles(views, {
      "page.njk":
        '<!doctype html><html><head>{% vite_styles "src/main.ts" %}{% vite_version %}</head><body>{% vite_scripts "src/main.ts" %}<p id="v">{{ appVersion }}</p></body></html>',
      "plain.njk": PLAIN,
    });
    viteRollingNunjucks(nunjucks.configure(views, { autoescape: true, express: app }), vr);
    app.set("view engine", "njk");
    app.get("/page", (_req, res) => res.render("page"));
    app.get("/early", async (_req, res) => {
      res.locals.vite.preload("src/main.ts");
      await slowWork;
      res.render("page");
    });
    app.get("/plain", (_req, res) => res.render("plain"));
    app.get("/fragment", (_req, res) => void res.send(FRAGMENT));
    app.get("/json", (_req, res) => void res.json({ ok: true }));
    app.get(
      "/target",
      (req, res) => void res.json({ target: req.headers["x-backend-target"] ?? null }),
    );
    app.get("/boom", () => {
      throw new Error("boom");
    });
    return listen(createServer(app));
  },

  async fastify(vr) {
    const app = Fastify();
    await app.register(fastifyAdapter.viteRolling(vr, { nonce: () => NONCE }));
    await app.register(fastifyAdapter.versionRouter(ROUTER));
    app.get("/page", (request, reply) => reply.type("text/html").send(page(request.vite)));
    app.get("/early", async (request, reply) => {
      request.vite.preload("src/main.ts");
      await slowWork;
      return reply.type("text/html").send(page(request.vite));
    });
    app.get("/plain", (_request, reply) => reply.type("text/html").send(PLAIN));
    app.get("/fragment", (_request, reply) => reply.type("text/html").send(FRAGMENT));
    app.get("/json", async () => ({ ok: true }));
    app.get("/target", async (request) => ({
      target: request.headers["x-backend-target"] ?? null,
    }));
    app.get("/boom", async () => {
      throw new Error("boom");
    });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
  },

  async hono(vr) {
    const app = new Hono<honoAdapter.ViteRollingEnv & { Variables: { backendTarget?: string } }>();
    app.use(async (c, next) => {
      c.set("secureHeadersNonce", NONCE);
      await next();
    });
    app.use(honoAdapter.viteRolling(vr));
    app.use(honoAdapter.versionRouter(ROUTER));
    app.get("/page", (c) => c.html(page(c.get("vite"))));
    app.get("/early", async (c) => {
      c.get("vite").preload("src/main.ts");
      await slowWork;
      return c.html(page(c.get("vite")));
    });
    // hono/html's helper yields an escaped-string object: the path JSX pages take too.
    app.get("/plain", (c) => c.html(html`${raw(PLAIN)}`));
    app.get("/fragment", (c) => c.html(FRAGMENT));
    app.get("/json", (c) => c.json({ ok: true }));
    app.get("/target", (c) => c.json({ target: c.get("backendTarget") ?? null }));
    app.get("/boom", () => {
      throw new Error("boom");
    });
    app.onError((_error, c) => c.text("Internal Server Error", 500));
    return listen(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server, false);
  },

  async koa(vr) {
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      ctx.state.cspNonce = NONCE;
      await next();
    });
    app.use(koaAdapter.viteRolling(vr));
    app.use(koaAdapter.versionRouter(ROUTER));
    app.use(async (ctx) => {
      if (ctx.method !== "GET") return;
      if (ctx.path === "/page") ctx.body = page(ctx.state.vite);
      if (ctx.path === "/early") {
        ctx.state.vite.preload("src/main.ts");
        await slowWork;
        ctx.body = page(ctx.state.vite);
      }
      if (ctx.path === "/plain") ctx.body = PLAIN;
      if (ctx.path === "/fragment") ctx.body = FRAGMENT;
      if (ctx.path === "/json") ctx.body = { ok: true };
      if (ctx.path === "/target") ctx.body = { target: ctx.get("x-backend-target") || null };
      if (ctx.path === "/boom") throw new Error("boom");
    });
    return listen(createServer(app.callback()));
  },

  async node(vr) {
    const handle = nodeAdapter.viteRolling(vr, { nonce: () => NONCE });
    const route = nodeAdapter.versionRouter(ROUTER);
    const send = (
      res: import("node:http").ServerResponse,
      status: number,
      type: string,
      body: string,
    ) => {
      res.statusCode = status;
      res.setHeader("content-type", type);
      res.end(body);
    };
    return listen(
      createServer(async (req, res) => {
        const vite = await handle(req, res);
        if (!vite || !route(req, res)) return;
        const path = new URL(req.url ?? "/", "http://x").pathname;
        if (req.method === "GET" && path === "/page")
          return send(res, 200, "text/html", page(vite));
        if (req.method === "GET" && path === "/early") {
          vite.preload("src/main.ts");
          await slowWork;
          return send(res, 200, "text/html", page(vite));
        }
        if (req.method === "GET" && path === "/plain") return send(res, 200, "text/html", PLAIN);
        if (req.method === "GET" && path === "/fragment")
          return send(res, 200, "text/html", FRAGMENT);
        if (req.method === "GET" && path === "/json")
          return send(res, 200, "application/json", '{"ok":true}');
        if (req.method === "GET" && path === "/target") {
          const target = req.headers["x-backend-target"] ?? null;
          return send(res, 200, "application/json", JSON.stringify({ target }));
        }
        if (path === "/boom") return send(res, 500, "text/plain", "Internal Server Error");
        send(res, 404, "text/plain", "Not Found");
      }),
    );
  },
};

async function listen(server: Server, start = true): Promise<Running> {
  if (start) await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  else if (!server.listening)
    await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const FILES = {
  "src/main.ts": 'import "./style.css";\nimport { dep } from "./dep";\nconsole.log(dep);\n',
  "src/dep.ts": 'export const dep = "one";\n',
  "src/style.css": "body { color: red; }\n",
};

const work = tempDir("adapter-http");
/** Two real builds: `a` is served at first; `b` is a deploy copied over it before a bust. */
let builds: { a: string; b: string };

beforeAll(async () => {
  const config = {
    base: "/static/",
    plugins: [vitePlugin()],
    build: { rollupOptions: { input: "src/main.ts" } },
  };
  const a = await buildApp(join(work.path, "a"), FILES, config);
  const b = await buildApp(
    join(work.path, "b"),
    { ...FILES, "src/dep.ts": 'export const dep = "two";\n' },
    config,
  );
  builds = { a: a.outDir, b: b.outDir };
});
afterAll(() => work.cleanup());

/** A GET as a browser navigation sends it. */
function navigate(url: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { "sec-fetch-mode": "navigate", ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res));
    }).on("error", reject);
  });
}

/** A GET with the request target sent byte for byte (fetch would normalize it). */
function rawGet(
  url: string,
  path: string,
  headers: Record<string, string>,
): Promise<IncomingMessage["headers"]> {
  return new Promise((resolve, reject) => {
    request(`${url}/`, { path, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.headers));
    })
      .on("error", reject)
      .end();
  });
}

const bust = (url: string, authorization?: string) =>
  fetch(`${url}/cache/bust`, {
    method: "POST",
    headers: authorization === undefined ? {} : { authorization },
  });

describe.each(Object.keys(ADAPTERS))("%s adapter", (name) => {
  let vr: ViteRolling;
  let app: Running;
  let dist: string;
  let version: string;

  beforeAll(async () => {
    dist = join(work.path, `served-${name}`, "dist");
    mkdirSync(dist, { recursive: true });
    cpSync(builds.a, dist, { recursive: true });
    vr = createViteRolling({
      manifestPath: join(dist, ".vite/manifest.json"),
      base: "/static/",
      dev: false,
      secret: SECRET,
      linkHeader: true,
      earlyHints: true,
      registryDir: join(work.path, `registry-${name}`),
      logger: { warn() {} },
    });
    await vr.ready();
    version = vr.appVersion();
    app = await ADAPTERS[name]!(vr);
  });
  afterAll(async () => {
    await app?.close();
    await vr?.close();
  });

  it("sends X-App-Version on every response, 404s and errors included", async () => {
    for (const [path, status] of [
      ["/page", 200],
      ["/json", 200],
      ["/nowhere", 404],
      ["/boom", 500],
      ["/version", 200],
    ] as const) {
      const res = await fetch(app.url + path);
      expect([path, res.status, res.headers.get("x-app-version")]).toEqual([path, status, version]);
    }
    expect((await bust(app.url)).headers.get("x-app-version")).toBe(version);
  });

  it("serves /version: JSON, no-store, HEAD too, 405 otherwise", async () => {
    const res = await fetch(`${app.url}/version`);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await res.json();
    expect(Object.keys(body)).toEqual([
      "version",
      "source",
      "release",
      "buildHash",
      "components",
      "releases",
      "releasesReadAt",
    ]);
    expect(body).toMatchObject({ version, release: vr.release, releases: expect.any(Array) });

    const head = await fetch(`${app.url}/version`, { method: "HEAD" });
    expect([head.status, await head.text(), head.headers.get("cache-control")]).toEqual([
      200,
      "",
      "no-store",
    ]);
    const post = await fetch(`${app.url}/version`, { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });

  const TOKEN = cacheBustToken(SECRET);
  it.each([
    ["no header", undefined, 401],
    ["a wrong token", `Bearer ${"0".repeat(64)}`, 403],
    ["a short wrong token", "Bearer nope", 403],
    ["no token", "Bearer", 401],
    ["two tokens", `Bearer ${TOKEN} ${TOKEN}`, 401],
    ["another scheme", `Basic ${Buffer.from(`user:${TOKEN}`).toString("base64")}`, 401],
    ["the token without a scheme", TOKEN, 401],
    ["a 10 KB header", `Bearer ${"a".repeat(10_240)}`, 401],
  ])("refuses /cache/bust with %s", async (_label, authorization, status) => {
    const res = await bust(app.url, authorization);
    expect(res.status).toBe(status);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toMatchObject({ ok: false });
    if (status === 401) expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });

  it("reads a repeated Authorization header as Node does, the first only, on every adapter", async () => {
    // Node keeps the first of a header that may appear once; Hono's c.req.header would join
    // both (a malformed token, 401), so this pins that every adapter reads Node's parse.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${app.url}/cache/bust`, { method: "POST" }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      });
      req.setHeader("authorization", [`Bearer ${"0".repeat(64)}`, `Bearer ${TOKEN}`]);
      req.on("error", reject).end();
    });
    expect(status).toBe(403);
  });

  it("answers other methods on /cache/bust with 405", async () => {
    const res = await fetch(`${app.url}/cache/bust`);
    expect([res.status, res.headers.get("allow")]).toEqual([405, "POST"]);
  });

  it("renders a template with the tags, the nonce and the version, tags placed once", async () => {
    const html = await (await fetch(`${app.url}/page`)).text();
    expect(html).toMatch(/<link rel="stylesheet"[^>]* href="\/static\/assets\/main-[\w-]+\.css"/);
    expect(html).toMatch(/<script type="module"[^>]* src="\/static\/assets\/main-[\w-]+\.js"/);
    expect(html).toContain(`nonce="${NONCE}"`);
    expect(html).toContain(`<p id="v">${version}</p>`);
    expect(html.match(/<meta name="app-version"/g)).toHaveLength(1);
  });

  it("sends the page's stylesheets and modulepreloads as one Link header, each file once", async () => {
    const res = await fetch(`${app.url}/page`);
    const links = vr.preloadLinks("src/main.ts", { nonce: NONCE });
    // One link per tag, with the tag's own crossorigin, integrity and nonce.
    const tags = vr.styles("src/main.ts") + vr.scripts("src/main.ts");
    const tagged = [...tags.matchAll(/(?:href|src)="([^"]+)" integrity="([^"]+)"/g)];
    expect(tagged.length).toBeGreaterThan(1);
    expect(links.toSorted()).toEqual(
      tagged
        .map(([, url, integrity]) => {
          const rel = url!.endsWith(".css") ? "rel=preload; as=style" : "rel=modulepreload";
          return `<${url}>; ${rel}; crossorigin; integrity="${integrity}"; nonce="${NONCE}"`;
        })
        .toSorted(),
    );
    // styles() and scripts() both announce the entry; the response carries each link once.
    expect(res.headers.get("link")).toBe(links.join(", "));
    // Pages the helpers did not render get none.
    expect((await fetch(`${app.url}/plain`)).headers.get("link")).toBeNull();
  });

  it("sends 103 Early Hints from preload(), before the handler's slow work", async () => {
    holdSlowWork();
    const hints: Record<string, string | string[] | undefined>[] = [];
    const final = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${app.url}/early`, (res) => {
        res.resume();
        res.on("end", () => resolve(res));
      });
      req.on("information", (info) => {
        hints.push({ status: String(info.statusCode), link: info.headers.link });
        finishSlowWork();
      });
      req.on("error", reject);
      req.end();
    });
    const links = vr.preloadLinks("src/main.ts", { nonce: NONCE });
    expect(hints).toEqual([{ status: "103", link: links.join(", ") }]);
    expect([final.statusCode, final.headers.link]).toEqual([200, links.join(", ")]);
  });

  it("sends no 103 to an HTTP/1.0 client, which cannot take one", async () => {
    const { port } = new URL(app.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.end("GET /early HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
      });
      let text = "";
      socket.on("data", (chunk) => {
        text += chunk.toString("latin1");
      });
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    expect(raw).not.toContain(" 103 ");
    expect(raw.toLowerCase()).toContain(`\r\nlink: <`);
  });

  it("serves the stale-client file the pages link to: immutable, JavaScript, pinned; 404 for other names", async () => {
    const plain = await (await fetch(`${app.url}/plain`)).text();
    const tag = /<script nonce="[^"]*" src="([^"]+)" integrity="sha384-([^"]+)"/.exec(plain);
    expect(tag).not.toBeNull();
    const res = await fetch(app.url + tag![1]!);
    const body = Buffer.from(await res.arrayBuffer());
    expect([res.status, res.headers.get("content-type"), res.headers.get("cache-control")]).toEqual(
      [200, "text/javascript; charset=utf-8", "public, max-age=31536000, immutable"],
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    // What the browser checks before running it.
    expect(createHash("sha384").update(body).digest("base64")).toBe(tag![2]);
    const head = await fetch(app.url + tag![1]!, { method: "HEAD" });
    expect([head.status, await head.text()]).toEqual([200, ""]);
    const other = await fetch(`${app.url}/__vite-rolling/stale-client.000000000000.js`);
    expect([other.status, other.headers.get("cache-control")]).toEqual([404, "no-store"]);
    const post = await fetch(app.url + tag![1]!, { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });

  it("injects the version tags into HTML pages only", async () => {
    const plain = await (await fetch(`${app.url}/plain`)).text();
    expect(plain).toBe(PLAIN.replace("</head>", `${vr.versionTags({ nonce: NONCE })}</head>`));
    expect(await (await fetch(`${app.url}/fragment`)).text()).toBe(FRAGMENT);
    expect(await (await fetch(`${app.url}/json`)).json()).toEqual({ ok: true });
  });

  it("sends a stale htmx navigation to where it was going, once", async () => {
    const htmx = (headers: Record<string, string>) =>
      fetch(`${app.url}/page?tab=2`, { headers: { "hx-request": "true", ...headers } });
    const boosted = await htmx({ "hx-boosted": "true", "x-client-version": "old" });
    expect(boosted.status).toBe(200);
    expect(boosted.headers.get("hx-redirect")).toBe("/page?tab=2");
    expect(boosted.headers.get("cache-control")).toBe("no-store");
    expect(await boosted.text()).toBe("");
    // A partial swap reloads the page the user is on instead of navigating to the fragment.
    const partial = await htmx({ "x-client-version": "old" });
    expect([partial.headers.get("hx-refresh"), partial.headers.get("hx-redirect")]).toEqual([
      "true",
      null,
    ]);
    // Current or absent client version: the page itself.
    for (const headers of [{ "x-client-version": version }, {}] as Record<string, string>[]) {
      const res = await htmx({ "hx-boosted": "true", ...headers });
      expect([res.status, res.headers.get("hx-redirect")]).toEqual([200, null]);
      expect(await res.text()).toContain("<html>");
    }
  });

  it("answers 304 from memory to If-None-Match naming the current version (issue 12)", async () => {
    const current = await fetch(`${app.url}/version`, {
      headers: { "if-none-match": `"${version}"` },
    });
    expect([current.status, current.headers.get("etag"), await current.text()]).toEqual([
      304,
      `"${version}"`,
      "",
    ]);
    // Negative control: another version gets the full answer.
    const other = await fetch(`${app.url}/version`, { headers: { "if-none-match": '"old"' } });
    expect([other.status, (await other.json()).version]).toEqual([200, version]);
  });

  it.each([
    "//evil.example/x",
    "/a/..//evil.example/x",
    "/%2e%2e//evil.example/x",
    "/./..//evil.example/x",
    "///evil.example/x",
  ])("never sends a stale tab off the origin for the raw path %s (issue 12)", async (path) => {
    const boosted = await rawGet(app.url, path, {
      "hx-request": "true",
      "hx-boosted": "true",
      "x-client-version": "old",
    });
    const inertia = await rawGet(app.url, path, {
      "x-inertia": "true",
      "x-inertia-version": "old",
    });
    for (const target of [boosted["hx-redirect"], inertia["x-inertia-location"]]) {
      expect(target).toMatch(/^\/(?![/\\])/);
      expect(new URL(String(target), "http://origin.example").origin).toBe("http://origin.example");
    }
  });

  it("navigates a stale htmx tab without the script once per version and target, then lets the app answer (issue 12)", async () => {
    const stale = { "hx-request": "true", "hx-boosted": "true", "x-client-version": "old" };
    const first = await fetch(`${app.url}/page?guard=1`, { headers: stale });
    expect(first.headers.get("hx-redirect")).toBe("/page?guard=1");
    const cookie = String(first.headers.get("set-cookie")).split(";")[0]!;
    expect(cookie).toMatch(/^vr_nav=/);
    const again = await fetch(`${app.url}/page?guard=1`, { headers: { ...stale, cookie } });
    expect([again.headers.get("hx-redirect"), await again.text()]).toEqual([
      null,
      expect.stringContaining("<html>"),
    ]);
    // The script's requests are the script's to decide.
    const scripted = await fetch(`${app.url}/page?guard=2`, {
      headers: { ...stale, "x-vite-rolling": "1" },
    });
    expect(scripted.headers.get("hx-redirect")).toBeNull();
  });

  it("answers a stale Inertia visit with 409 and X-Inertia-Location", async () => {
    const inertia = (v: string) =>
      fetch(`${app.url}/page?tab=2`, { headers: { "x-inertia": "true", "x-inertia-version": v } });
    const stale = await inertia("old");
    expect([stale.status, stale.headers.get("x-inertia-location")]).toEqual([409, "/page?tab=2"]);
    expect((await inertia(version)).status).toBe(200);
  });

  it("routes by requested version: target, 409, fallback, pass", async () => {
    const ask = (headers: Record<string, string>) => fetch(`${app.url}/target`, { headers });
    const routed = await ask({ "x-app-requested-version": "v1.0" });
    expect(routed.headers.get("x-backend-target")).toBe("backend-blue");
    expect(await routed.json()).toEqual({ target: "backend-blue" });

    const unknown = await ask({ "x-app-requested-version": "v9", "hx-request": "true" });
    expect([unknown.status, unknown.headers.get("cache-control")]).toEqual([409, "no-store"]);
    expect(await unknown.json()).toMatchObject({ requested: "v9", available: ["v1.0", "v1.1"] });

    // A navigation pinned by a dead cookie lands on the default and loses the pin. (node:http:
    // fetch always sends Sec-Fetch-Mode: cors.)
    const nav = await navigate(`${app.url}/target`, {
      cookie: "app_version=v0",
      accept: "text/html",
    });
    expect([nav.statusCode, nav.headers["x-backend-target"]]).toEqual([200, "backend-green"]);
    expect(nav.headers["set-cookie"]).toEqual([
      expect.stringMatching(/^app_version=; Path=\/; Max-Age=0/),
    ]);

    const passed = await ask({});
    expect([passed.status, passed.headers.get("x-backend-target")]).toEqual([200, null]);
    expect(await passed.json()).toEqual({ target: null });
  });

  // Last: it changes the served release.
  it("reloads on an authorized bust: the new build's version is served", async () => {
    cpSync(builds.b, dist, { recursive: true, force: true });
    const res = await bust(app.url, `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ ok: true, version: vr.appVersion(), previous: version });
    expect(body.version).not.toBe(version);
    const next = await fetch(`${app.url}/page`);
    expect(next.headers.get("x-app-version")).toBe(body.version);
    expect(await next.text()).toContain(`<p id="v">${body.version}</p>`);
  });
});

// Asset retention: an instance of release b answers an old tab's request for a chunk of
// release a (gone from b's disk) from the registry; anything else falls through to the app.
describe.each(Object.keys(ADAPTERS))("%s adapter serving retained assets", (name) => {
  let vr: ViteRolling;
  let app: Running;
  const manifestOf = (dir: string) => join(dir, ".vite/manifest.json");
  const filesOf = (dir: string) => {
    const manifest = JSON.parse(readFileSync(manifestOf(dir), "utf8")) as Manifest;
    return referencedFiles(manifest);
  };

  beforeAll(async () => {
    const registryDir = join(work.path, `retain-${name}`);
    for (const [release, dir] of [
      ["a", builds.a],
      ["b", builds.b],
    ] as const) {
      const options = { manifestPath: manifestOf(dir), release, registryDir, retainAssets: true };
      await refresh(resolveOptions(options, {}), {});
    }
    vr = createViteRolling({
      manifestPath: manifestOf(builds.b),
      release: "b",
      registryDir,
      retainAssets: true,
      base: "/static/",
      dev: false,
      logger: { warn() {} },
    });
    await vr.ready();
    app = await ADAPTERS[name]!(vr);
  });
  afterAll(async () => {
    await app?.close();
    await vr?.close();
  });

  it("serves another kept release's files with immutable caching", async () => {
    const onlyA = [...filesOf(builds.a)].filter((f) => !filesOf(builds.b).has(f));
    expect(onlyA.length).toBeGreaterThan(0);
    for (const file of onlyA) {
      const res = await fetch(`${app.url}/static/${file}`);
      expect([file, res.status]).toEqual([file, 200]);
      expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(res.headers.get("x-vite-rolling-release")).toBe("a");
      expect(res.headers.get("content-type")).toMatch(/^(text\/javascript|text\/css)/);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.equals(readFileSync(join(builds.a, file)))).toBe(true);
    }
  });

  it("leaves this release's files, unknown files and other paths to the app", async () => {
    for (const path of [
      `/static/${[...filesOf(builds.b)][0]}`,
      "/static/assets/nobody-D8kQ2xZ1.js",
      `/elsewhere/${[...filesOf(builds.a)][0]}`,
    ]) {
      const res = await fetch(app.url + path);
      expect([path, res.status, res.headers.get("x-vite-rolling-release")]).toEqual([
        path,
        404,
        null,
      ]);
      await res.arrayBuffer();
    }
  });
});
