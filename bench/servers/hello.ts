/**
 * Figure 4's server process: one framework, two apps on two ports, the same two routes (`/`: a
 * small HTML page, `/json`: a small JSON response); one app with vite-rolling's version
 * middleware in front, in its default configuration. Prints `{"plain":port,"withMiddleware":port}`,
 * then answers "cpu" lines on stdin with `{"cpu":µs}`.
 * The library is loaded as tsc emitted it (`<libDir>`, see bench/run.ts), and figure 4 runs
 * this file transpiled to JS on plain node, as in production (no TS loader in the process).
 * Usage: node --import tsx bench/servers/hello.ts <express|fastify|hono|koa|node> <manifestPath> <libDir>
 * (by hand; figures/middleware.ts runs bench/.work/servers/hello.mjs)
 */
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const PAGE =
  "<!doctype html><html><head><title>Hello</title></head><body><h1>Hello, world</h1></body></html>";
const DATA = { hello: "world", items: [1, 2, 3] };

type Start = (withMiddleware: boolean) => Promise<number>;

const [framework, manifestPath, libDir] = process.argv.slice(2);
if (!framework || !manifestPath || !libDir) {
  throw new Error("usage: hello.ts <framework> <manifestPath> <libDir>");
}
/** A module of the compiled library, typed as its source. */
const lib = (path: string) => import(pathToFileURL(join(libDir, path)).href);
const { createViteRolling }: typeof import("../../src/index.js") = await lib("index.js");
const vr = createViteRolling({ manifestPath, dev: false, base: "/static/", appVersion: "bench-1" });
await vr.ready();

const port = (address: string | AddressInfo | null) =>
  typeof address === "object" && address ? address.port : 0;

const starters: Record<string, () => Promise<Start>> = {
  async express() {
    const { default: express } = await import("express");
    const { viteRolling }: typeof import("../../src/adapters/express.js") =
      await lib("adapters/express.js");
    return async (withMiddleware) => {
      const app = express();
      if (withMiddleware) app.use(viteRolling(vr));
      app.get("/", (_req, res) => {
        res.type("html").send(PAGE);
      });
      app.get("/json", (_req, res) => {
        res.json(DATA);
      });
      const server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return port(server.address());
    };
  },
  async fastify() {
    const { default: Fastify } = await import("fastify");
    const { viteRolling }: typeof import("../../src/adapters/fastify.js") =
      await lib("adapters/fastify.js");
    return async (withMiddleware) => {
      const app = Fastify();
      if (withMiddleware) await app.register(viteRolling(vr));
      app.get("/", (_request, reply) => reply.type("text/html").send(PAGE));
      app.get("/json", (_request, reply) => reply.send(DATA));
      await app.listen({ port: 0, host: "127.0.0.1" });
      return port(app.server.address());
    };
  },
  async hono() {
    const { Hono } = await import("hono");
    const { serve } = await import("@hono/node-server");
    const { viteRolling }: typeof import("../../src/adapters/hono.js") =
      await lib("adapters/hono.js");
    return async (withMiddleware) => {
      const app = new Hono();
      if (withMiddleware) app.use(viteRolling(vr));
      app.get("/", (c) => c.html(PAGE));
      app.get("/json", (c) => c.json(DATA));
      return new Promise((resolve) => {
        serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
      });
    };
  },
  async koa() {
    const { default: Koa } = await import("koa");
    const { viteRolling }: typeof import("../../src/adapters/koa.js") =
      await lib("adapters/koa.js");
    return async (withMiddleware) => {
      const app = new Koa();
      if (withMiddleware) app.use(viteRolling(vr));
      app.use((ctx) => {
        if (ctx.path === "/json") {
          ctx.body = DATA;
          return;
        }
        ctx.type = "html";
        ctx.body = PAGE;
      });
      const server = app.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return port(server.address());
    };
  },
  async node() {
    const { createServer } = await import("node:http");
    const { viteRolling }: typeof import("../../src/adapters/node.js") =
      await lib("adapters/node.js");
    type Res = import("node:http").ServerResponse;
    // The page with the version tags already in it, served without the middleware: what the
    // bytes alone cost (figure 4's control row).
    const tagged = PAGE.replace("</head>", `${vr.versionTags()}</head>`);
    const respond = (url: string | undefined, res: Res) => {
      if (url === "/tagged") {
        res.setHeader("content-type", "text/html; charset=utf-8");
        res.end(tagged);
        return;
      }
      if (url === "/json") {
        res.setHeader("content-type", "application/json; charset=utf-8");
        res.end(JSON.stringify(DATA));
        return;
      }
      res.setHeader("content-type", "text/html; charset=utf-8");
      res.end(PAGE);
    };
    return async (withMiddleware) => {
      const handle = withMiddleware ? viteRolling(vr) : null;
      const server = createServer(
        handle
          ? async (req, res) => {
              if (await handle(req, res)) respond(req.url, res);
            }
          : (req, res) => respond(req.url, res),
      );
      server.listen(0, "127.0.0.1");
      await new Promise((resolve) => server.once("listening", resolve));
      return port(server.address());
    };
  },
};

const starter = starters[framework];
if (!starter)
  throw new Error(`unknown framework ${framework}; one of ${Object.keys(starters).join(", ")}`);
const start = await starter();
const plain = await start(false);
const withMiddleware = await start(true);
process.stdout.write(`${JSON.stringify({ plain, withMiddleware })}\n`);

// "cpu" on stdin -> this process's CPU time so far (µs): throughput on a shared machine swings
// with other load, CPU time per request much less.
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "cpu") return;
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpu: user + system })}\n`);
});
